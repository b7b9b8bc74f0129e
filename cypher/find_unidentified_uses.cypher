// For each person of $person_ids, the incidents with no identified perpetrator that used an
// identifier the person holds (and that do not name the person as a victim): unidentified_link.
UNWIND $person_ids AS pid
MATCH (p:Person {id: pid})-[:HAS_IDENTIFIER]->(x)<-[:USED]-(i:Incident:Unidentified)
WHERE NOT EXISTS { (p)-[:VICTIM_IN]->(i) }
RETURN p.id AS person_id, i.id AS incident_id, i.source AS source, head(labels(x)) AS kind, x.value AS value
ORDER BY person_id, incident_id, kind, value
