// A page of loaded person records (placeholders are not records), in id order after $after.
MATCH (p:Person)
WHERE p.id > $after AND p.placeholder IS NULL
WITH p ORDER BY p.id LIMIT $limit
RETURN p {.id, .source, .given_name, .family_name, .aliases, .dob, .gender} AS person,
       [(p)-[:HAS_IDENTIFIER]->(x:Phone) | x.value] AS phones,
       [(p)-[:HAS_IDENTIFIER]->(x:Email) | x.value] AS emails,
       [(p)-[:HAS_IDENTIFIER]->(x:Handle) | {platform: x.platform, handle: x.handle}] AS handles,
       [(p)-[:HAS_IDENTIFIER]->(x:Vehicle) | x.value] AS vehicles,
       [(p)-[:HAS_ADDRESS]->(a:Address) | {line1: a.line1, town: a.town, postcode: a.postcode}] AS addresses
