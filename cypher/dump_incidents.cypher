// A page of loaded incident records, in id order after $after.
MATCH (n:Incident)
WHERE n.id > $after AND n.placeholder IS NULL
WITH n ORDER BY n.id LIMIT $limit
RETURN n {.id, .source, .occurred_at, .occurred_precision, .reported_at, .type, .outcome, .description} AS incident,
       [(p:Person)-[:OFFENDER_IN]->(n) | p.id] AS offender_ids,
       [(p:Person)-[:VICTIM_IN]->(n) | p.id] AS victim_ids,
       [(n)-[:BREACHED]->(o:Order) | o.id] AS breached_order_ids,
       [(n)-[:USED]->(x:Phone) | x.value] AS phones,
       [(n)-[:USED]->(x:Email) | x.value] AS emails,
       [(n)-[:USED]->(x:Handle) | {platform: x.platform, handle: x.handle}] AS handles,
       [(n)-[:USED]->(x:Vehicle) | x.value] AS vehicles
