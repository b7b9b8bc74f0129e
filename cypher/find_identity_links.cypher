// One hop: the POSSIBLY_SAME_AS links that count (confirmed, or proposed at or above $threshold)
// touching the persons $ids, without their evidence (get_perpetrator_records reads the evidence of
// the few links an answer shows). graphsvc.repository.identity.identity_links_in repeats it breadth first from
// the new persons found, up to 6 hops: the number of hops, not of paths, bounds the work (a
// variable-length path match enumerated every path and took seconds on dense link components).
UNWIND $ids AS pid
MATCH (:Person {id: pid})-[r:POSSIBLY_SAME_AS]-(:Person)
WHERE r.status = 'confirmed' OR (r.status = 'proposed' AND r.probability >= $threshold)
WITH DISTINCT r
RETURN startNode(r).id AS a, endNode(r).id AS b, r.status AS status, r.probability AS probability,
       r.decided_by AS decided_by
