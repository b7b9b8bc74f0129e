// Every POSSIBLY_SAME_AS link that counts: confirmed, or proposed at or above $threshold.
MATCH (a:Person)-[r:POSSIBLY_SAME_AS]->(b:Person)
WHERE r.status = 'confirmed' OR (r.status = 'proposed' AND r.probability >= $threshold)
RETURN a.id AS a, b.id AS b, r.status AS status, r.probability AS probability, r.evidence AS evidence,
       r.decided_by AS decided_by
