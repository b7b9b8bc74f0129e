// Persons whose own identifiers, or identifiers used in incidents they offended in, are among the given values.
CALL () {
  UNWIND $phones AS v MATCH (x:Phone {value: v}) RETURN x, 'phones' AS field
  UNION ALL
  UNWIND $emails AS v MATCH (x:Email {value: v}) RETURN x, 'emails' AS field
  UNION ALL
  UNWIND $handles AS v MATCH (x:Handle {value: v}) RETURN x, 'handles' AS field
  UNION ALL
  UNWIND $vehicles AS v MATCH (x:Vehicle {value: v}) RETURN x, 'vehicles' AS field
}
CALL (x) {
  MATCH (p:Person)-[:HAS_IDENTIFIER]->(x)
  RETURN p, 'own' AS how, null AS incident_id
  UNION
  MATCH (p:Person)-[:OFFENDER_IN]->(i:Incident)-[:USED]->(x)
  RETURN p, 'used' AS how, i.id AS incident_id
}
WITH p, field, x, how, collect(incident_id) AS incident_ids
RETURN p.id AS person_id, field, x.value AS value, how, incident_ids[..10] AS incident_ids
LIMIT $limit
