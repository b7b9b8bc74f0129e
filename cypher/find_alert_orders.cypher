// The orders $ids as the alert rules read them: owner, dates, respondent and protected persons.
UNWIND $ids AS oid
MATCH (o:Order {id: oid})
WHERE o.placeholder IS NULL
RETURN o.id AS id, o.source AS source, o.type AS type, o.issued_on AS issued_on, o.expires_on AS expires_on,
       head([(o)-[:RESTRAINS]->(r:Person) | r.id]) AS respondent_id,
       [(o)-[:PROTECTS]->(p:Person) | p.id] AS protected_ids
ORDER BY id
