// Orders in force on $today (issued on or before it, not expired before it) restraining any of
// $person_ids: what order_subject_named looks for.
UNWIND $person_ids AS pid
MATCH (o:Order)-[:RESTRAINS]->(r:Person {id: pid})
WHERE o.placeholder IS NULL AND o.issued_on <= date($today)
  AND (o.expires_on IS NULL OR o.expires_on >= date($today))
RETURN DISTINCT o.id AS id, o.source AS source, o.type AS type, o.issued_on AS issued_on,
       o.expires_on AS expires_on, r.id AS respondent_id
ORDER BY id
