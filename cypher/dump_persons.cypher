// A page of loaded person records (placeholders are not records), in id order after $after, with
// every stored property (graphsvc.repository.dump splits them into the record and its node
// state), the text of each zoned date-time the record does not hold ($keys: the record's own
// keys; the text keeps a zone id that the driver's value cannot tell from an offset) and the
// identity links from this person (stored once per pair, lower id to higher id).
MATCH (p:Person)
WHERE p.id > $after AND p.placeholder IS NULL
WITH p ORDER BY p.id LIMIT $limit
RETURN properties(p) AS props,
       [k IN keys(p) WHERE NOT k IN $keys AND valueType(p[k]) CONTAINS 'ZONED DATETIME' |
        [k, CASE WHEN valueType(p[k]) STARTS WITH 'LIST' THEN [x IN p[k] | toString(x)] ELSE [toString(p[k])] END]] AS zoned,
       labels(p) AS labels,
       [(p)-[:HAS_IDENTIFIER]->(x:Phone) | x.value] AS phones,
       [(p)-[:HAS_IDENTIFIER]->(x:Email) | x.value] AS emails,
       [(p)-[:HAS_IDENTIFIER]->(x:Handle) | {platform: x.platform, handle: x.handle}] AS handles,
       [(p)-[:HAS_IDENTIFIER]->(x:Vehicle) | x.value] AS vehicles,
       [(p)-[:HAS_ADDRESS]->(a:Address) | {line1: a.line1, town: a.town, postcode: a.postcode}] AS addresses,
       [(p)-[r:POSSIBLY_SAME_AS]->(b:Person) |
        {b: b.id, props: properties(r),
         zoned: [k IN keys(r) WHERE valueType(r[k]) CONTAINS 'ZONED DATETIME' |
                 [k, CASE WHEN valueType(r[k]) STARTS WITH 'LIST' THEN [x IN r[k] | toString(x)] ELSE [toString(r[k])] END]]}] AS links
