// The stored evidence of the links that count between the pairs of person ids $pairs (either
// direction): what an identity group shows of the links that bring its unconfirmed members in.
UNWIND $pairs AS pair
MATCH (:Person {id: pair[0]})-[r:POSSIBLY_SAME_AS]-(:Person {id: pair[1]})
WHERE r.status = 'confirmed' OR (r.status = 'proposed' AND r.probability >= $threshold)
RETURN pair[0] AS a, pair[1] AS b, r.evidence AS evidence
