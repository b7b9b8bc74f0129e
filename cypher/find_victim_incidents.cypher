// The incidents $id was a victim in, with their offenders and the identifiers used.
MATCH (:Person {id: $id})-[:VICTIM_IN]->(i:Incident)
RETURN i.id AS id, i.occurred_at.epochMillis AS occurred_at_epoch_ms,
       i.occurred_precision AS occurred_precision, i.type AS type,
       [(o:Person)-[:OFFENDER_IN]->(i) | o.id] AS offender_ids,
       [(i)-[:USED]->(x) | {kind: labels(x)[0], value: x.value}] AS identifiers
ORDER BY occurred_at_epoch_ms, id
