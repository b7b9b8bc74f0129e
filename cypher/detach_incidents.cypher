// Remove what incident records wrote before (people named, identifiers used, breaches, agency).
// Returns the element ids of the nodes let go of and the ids of people whose roles may change.
UNWIND $ids AS iid
MATCH (n:Incident {id: iid})
CALL (n) {
  MATCH (n)-[r:USED|BREACHED|REPORTED_BY]->(x)
  DELETE r
  RETURN collect(elementId(x)) AS out_released
}
CALL (n) {
  MATCH (p:Person)-[r:OFFENDER_IN|VICTIM_IN]->(n)
  DELETE r
  RETURN collect(elementId(p)) AS people_released, collect(p.id) AS person_ids
}
RETURN collect(out_released + people_released) AS released, collect(person_ids) AS person_ids
