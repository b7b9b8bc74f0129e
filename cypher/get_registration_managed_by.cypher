// The agency managing a registration now (the transfer's agency check). $id: a registration id.
MATCH (r:Registration {id: $id})
WHERE r.placeholder IS NULL
RETURN r.id AS id, r.managed_by AS managed_by, head([(r)-[:REGISTERS]->(p:Person) | p.id]) AS person_id
