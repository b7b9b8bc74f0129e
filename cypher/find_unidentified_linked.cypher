// Incidents with no identified offender that used an identifier of $ids (their own, or one used
// in incidents they offended in).
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
CALL (p) {
  MATCH (p)-[:HAS_IDENTIFIER]->(x)
  RETURN x
  UNION
  MATCH (p)-[:OFFENDER_IN]->(:Incident)-[:USED]->(x)
  RETURN x
}
MATCH (x)<-[:USED]-(i:Unidentified)
RETURN DISTINCT p.id AS person_id, i.id AS incident_id, x.value AS identifier
ORDER BY person_id, incident_id, identifier
