// The node a person network export starts from (NotFound when no row).
MATCH (p:Person {id: $person_id})
RETURN elementId(p) AS eid, p.id AS id
