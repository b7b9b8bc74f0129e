// Incidents that used any of the given identifiers, with their offenders and victims.
CALL () {
  UNWIND $phones AS v MATCH (x:Phone {value: v}) RETURN x
  UNION ALL
  UNWIND $emails AS v MATCH (x:Email {value: v}) RETURN x
  UNION ALL
  UNWIND $handles AS v MATCH (x:Handle {value: v}) RETURN x
  UNION ALL
  UNWIND $vehicles AS v MATCH (x:Vehicle {value: v}) RETURN x
}
MATCH (i:Incident)-[:USED]->(x)
RETURN i.id AS incident_id, i.occurred_at.epochMillis AS occurred_at_epoch_ms, x.value AS identifier,
       [(o:Person)-[:OFFENDER_IN]->(i) | o.id] AS offender_ids,
       [(v:Person)-[:VICTIM_IN]->(i) | v.id] AS victim_ids
ORDER BY incident_id
LIMIT $limit
