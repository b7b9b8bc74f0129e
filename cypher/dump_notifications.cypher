// A page of loaded notification records, in id order after $after, with every stored property and
// the text of each zoned date-time the record does not hold ($keys: see dump_persons).
MATCH (n:Notification)
WHERE n.id > $after AND n.placeholder IS NULL
WITH n ORDER BY n.id LIMIT $limit
RETURN properties(n) AS props,
       [k IN keys(n) WHERE NOT k IN $keys AND valueType(n[k]) CONTAINS 'ZONED DATETIME' |
        [k, CASE WHEN valueType(n[k]) STARTS WITH 'LIST' THEN [x IN n[k] | toString(x)] ELSE [toString(n[k])] END]] AS zoned,
       labels(n) AS labels,
       [(n)-[:BY]->(p:Person) | p.id][0] AS person_id,
       [(n)-[:NOTIFIES]->(r:Registration) | r.id][0] AS registration_id
