// The incidents of a cluster: time, type, victims and every identifier used.
UNWIND $ids AS iid
MATCH (i:Incident {id: iid})
RETURN i.id AS incident_id, i.occurred_at.epochMillis AS occurred_at_epoch_ms,
       i.occurred_precision AS occurred_precision, i.type AS type,
       [(v:Person)-[:VICTIM_IN]->(i) | v.id] AS victim_ids,
       [(i)-[:USED]->(x) | {kind: labels(x)[0], value: x.value}] AS identifiers
