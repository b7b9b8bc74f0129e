// Orders restraining or protecting any of $ids, with the respondent and the protected persons.
UNWIND $ids AS pid
MATCH (o:Order)-[:RESTRAINS|PROTECTS]->(:Person {id: pid})
WITH DISTINCT o
RETURN o.id AS id, o.type AS type, o.issued_on AS issued_on, o.expires_on AS expires_on,
       o.placeholder AS placeholder, o.review_on AS review_on,
       head([(o)-[:RESTRAINS]->(r:Person) | r.id]) AS respondent_id,
       [(o)-[:PROTECTS]->(p:Person) | p.id] AS protected_ids
ORDER BY issued_on, id
