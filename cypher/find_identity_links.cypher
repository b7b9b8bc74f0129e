// POSSIBLY_SAME_AS links that count (confirmed, or proposed at or above $threshold) reachable from $ids.
UNWIND $ids AS pid
MATCH path = (:Person {id: pid})-[:POSSIBLY_SAME_AS*1..6]-(:Person)
WHERE all(r IN relationships(path) WHERE r.status = 'confirmed'
          OR (r.status = 'proposed' AND r.probability >= $threshold))
UNWIND relationships(path) AS r
WITH DISTINCT r
RETURN startNode(r).id AS a, endNode(r).id AS b, r.status AS status, r.probability AS probability,
       r.evidence AS evidence, r.decided_by AS decided_by
