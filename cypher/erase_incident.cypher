// Erases an incident: the identifiers used, the orders breached, and the offenders and victims it names (contract section 8, "dispose"): the links the record wrote go, as a load of
// it would replace them, and the record becomes what a reference to it is (a placeholder with
// its id only) while another record still names it, else it goes. Returns the element ids of
// the nodes it let go of (delete_orphans removes those nothing else holds), the persons whose
// roles and pattern state may change, and what else the caller must bring up to date.
MATCH (n:Incident {id: $id}) WHERE n.placeholder IS NULL
WITH n, n.source AS source
CALL (n) {
  OPTIONAL MATCH (n)-[r:USED|BREACHED|REPORTED_BY]->(x)
  DELETE r
  RETURN collect(DISTINCT elementId(x)) AS out_released, [y IN collect(DISTINCT x) WHERE y:Person | y.id] AS out_people,
         [y IN collect(DISTINCT x) WHERE y:Registration | y.id] AS registration_ids
}
CALL (n) {
  OPTIONAL MATCH (p:Person)-[r:OFFENDER_IN|VICTIM_IN]->(n)
  DELETE r
  RETURN collect(DISTINCT elementId(p)) AS in_released, collect(DISTINCT p.id) AS in_people
}
WITH n, source, out_released, out_people, registration_ids, in_released, in_people, [] AS linked
// the other incidents of its unidentified cluster: the pattern state's apply walks from them
WITH n, source, out_released, out_people, registration_ids, in_released, in_people, linked,
     [c IN [(c:ClusterState)-[:CLUSTER_OF]->(n) | c] | c.incident_ids] AS clustered
WITH n, source, out_released + in_released AS released, out_people + in_people AS person_ids,
     registration_ids, linked, reduce(acc = [], ids IN clustered | acc + ids) AS cluster_incident_ids,
     EXISTS { (n)-[r]-() WHERE NOT type(r) IN ['STATE_OF', 'CLUSTER_OF'] } AS referenced
FOREACH (_ IN CASE WHEN referenced THEN [1] ELSE [] END | SET n = {id: $id, placeholder: true})
WITH n, source, released, person_ids, registration_ids, linked, cluster_incident_ids, referenced
CALL (n, referenced) {
  WITH n WHERE NOT referenced
  DETACH DELETE n
}
RETURN source, released, person_ids, registration_ids, linked, cluster_incident_ids, referenced AS placeholder
