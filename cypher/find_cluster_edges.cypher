// One step of walking unidentified clusters out from the incidents $incident_ids (the pattern
// state, docs/pattern-state.md): each identifier that one of them with no identified offender
// used and that at least two such incidents used (only those join incidents into a cluster, as in
// list_unidentified_edges), with every such incident that used it.
UNWIND $incident_ids AS iid
MATCH (i:Incident {id: iid})-[:USED]->(x)
WHERE i:Unidentified
WITH DISTINCT x
MATCH (j:Unidentified)-[:USED]->(x)
WITH x, collect(DISTINCT j.id) AS incident_ids
WHERE size(incident_ids) >= 2
RETURN labels(x)[0] AS kind, x.value AS value, incident_ids
