// The incidents in which one of $offender_ids offended against one of $victim_ids: the evidence
// of a new_victim or serial alert.
UNWIND $offender_ids AS oid
MATCH (:Person {id: oid})-[:OFFENDER_IN]->(i:Incident)<-[:VICTIM_IN]-(v:Person)
WHERE v.id IN $victim_ids
RETURN DISTINCT i.id AS incident_id, oid AS offender_id, v.id AS victim_id
ORDER BY incident_id, offender_id, victim_id
