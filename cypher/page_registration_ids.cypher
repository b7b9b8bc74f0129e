// A page of registration ids after $after (null: the first), in id order (graphsvc register
// refresh works every registration's due duty out again, a page per transaction).
MATCH (r:Registration)
WHERE r.placeholder IS NULL AND ($after IS NULL OR r.id > $after)
RETURN r.id AS id
ORDER BY r.id
LIMIT $limit
