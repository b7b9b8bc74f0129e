// The POSSIBLY_SAME_AS links touching the persons $ids: ends (a -> b) and status.
UNWIND $ids AS pid
MATCH (:Person {id: pid})-[r:POSSIBLY_SAME_AS]-(:Person)
WITH DISTINCT r
RETURN startNode(r).id AS a, endNode(r).id AS b, r.status AS status
