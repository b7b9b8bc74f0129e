// Every POSSIBLY_SAME_AS link's ends and status, touching $ids (all links when $ids is null).
MATCH (a:Person)-[r:POSSIBLY_SAME_AS]->(b:Person)
WHERE $ids IS NULL OR a.id IN $ids OR b.id IN $ids
RETURN a.id AS a, b.id AS b, r.status AS status
