// Whether persons $a and $b exist, and the link between them (stored as lower id -> higher id).
OPTIONAL MATCH (a:Person {id: $a})
OPTIONAL MATCH (b:Person {id: $b})
OPTIONAL MATCH (a)-[r:POSSIBLY_SAME_AS]->(b)
RETURN a IS NOT NULL AS a_exists, b IS NOT NULL AS b_exists, r IS NOT NULL AS link_exists,
       r {.*} AS link
