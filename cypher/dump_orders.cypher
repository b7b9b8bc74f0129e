// A page of loaded order records, in id order after $after.
MATCH (o:Order)
WHERE o.id > $after AND o.placeholder IS NULL
WITH o ORDER BY o.id LIMIT $limit
RETURN o {.id, .source, .type, .issued_on, .expires_on, .conditions} AS order,
       [(o)-[:RESTRAINS]->(p:Person) | p.id][0] AS respondent_id,
       [(o)-[:PROTECTS]->(p:Person) | p.id] AS protected_ids
