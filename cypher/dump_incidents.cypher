// A page of loaded incident records, in id order after $after, with every stored property and the
// text of each zoned date-time the record does not hold ($keys: see dump_persons).
MATCH (n:Incident)
WHERE n.id > $after AND n.placeholder IS NULL
WITH n ORDER BY n.id LIMIT $limit
RETURN properties(n) AS props,
       [k IN keys(n) WHERE NOT k IN $keys AND valueType(n[k]) CONTAINS 'ZONED DATETIME' |
        [k, CASE WHEN valueType(n[k]) STARTS WITH 'LIST' THEN [x IN n[k] | toString(x)] ELSE [toString(n[k])] END]] AS zoned,
       labels(n) AS labels,
       [(p:Person)-[:OFFENDER_IN]->(n) | p.id] AS offender_ids,
       [(p:Person)-[:VICTIM_IN]->(n) | p.id] AS victim_ids,
       [(n)-[:BREACHED]->(o:Order) | o.id] AS breached_order_ids,
       [(n)-[:USED]->(x:Phone) | x.value] AS phones,
       [(n)-[:USED]->(x:Email) | x.value] AS emails,
       [(n)-[:USED]->(x:Handle) | {platform: x.platform, handle: x.handle}] AS handles,
       [(n)-[:USED]->(x:Vehicle) | x.value] AS vehicles
