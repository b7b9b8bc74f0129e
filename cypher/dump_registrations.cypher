// A page of loaded registration records, in id order after $after, with every stored property and
// the text of each zoned date-time the record does not hold ($keys: see dump_persons).
MATCH (r:Registration)
WHERE r.id > $after AND r.placeholder IS NULL
WITH r ORDER BY r.id LIMIT $limit
RETURN properties(r) AS props,
       [k IN keys(r) WHERE NOT k IN $keys AND valueType(r[k]) CONTAINS 'ZONED DATETIME' |
        [k, CASE WHEN valueType(r[k]) STARTS WITH 'LIST' THEN [x IN r[k] | toString(x)] ELSE [toString(r[k])] END]] AS zoned,
       labels(r) AS labels,
       [(r)-[:REGISTERS]->(p:Person) | p.id][0] AS person_id,
       [(r)-[:UNDER_ORDER]->(o:Order) | o.id][0] AS order_id
