// A page of loaded registration records, in id order after $after.
MATCH (r:Registration)
WHERE r.id > $after AND r.placeholder IS NULL
WITH r ORDER BY r.id LIMIT $limit
RETURN r {.id, .source, .basis, .start_on, .end_on, .managing_agency, .manager} AS registration,
       [(r)-[:REGISTERS]->(p:Person) | p.id][0] AS person_id,
       [(r)-[:UNDER_ORDER]->(o:Order) | o.id][0] AS order_id
