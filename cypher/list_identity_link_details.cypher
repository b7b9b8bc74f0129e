// POSSIBLY_SAME_AS links filtered by $status and $person_id (either may be null), after the
// (a, b) pair $after_a/$after_b, in (a, b) order.
MATCH (a:Person)-[r:POSSIBLY_SAME_AS]->(b:Person)
WHERE ($status IS NULL OR r.status = $status)
  AND ($person_id IS NULL OR a.id = $person_id OR b.id = $person_id)
  AND (a.id > $after_a OR (a.id = $after_a AND b.id > $after_b))
WITH a, b, r ORDER BY a.id, b.id LIMIT $limit
RETURN a.id AS a, b.id AS b, r {.*} AS link
