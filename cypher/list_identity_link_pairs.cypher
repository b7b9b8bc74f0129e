// Every POSSIBLY_SAME_AS link's ends and status.
MATCH (a:Person)-[r:POSSIBLY_SAME_AS]->(b:Person)
RETURN a.id AS a, b.id AS b, r.status AS status
