// A page of loaded order records, in id order after $after, with every stored property and the
// text of each zoned date-time the record does not hold ($keys: see dump_persons).
MATCH (o:Order)
WHERE o.id > $after AND o.placeholder IS NULL
WITH o ORDER BY o.id LIMIT $limit
RETURN properties(o) AS props,
       [k IN keys(o) WHERE NOT k IN $keys AND valueType(o[k]) CONTAINS 'ZONED DATETIME' |
        [k, CASE WHEN valueType(o[k]) STARTS WITH 'LIST' THEN [x IN o[k] | toString(x)] ELSE [toString(o[k])] END]] AS zoned,
       labels(o) AS labels,
       [(o)-[:RESTRAINS]->(p:Person) | p.id][0] AS respondent_id,
       [(o)-[:PROTECTS]->(p:Person) | p.id] AS protected_ids
