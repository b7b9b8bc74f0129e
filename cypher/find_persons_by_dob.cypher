// Persons born on any of $dobs.
UNWIND $dobs AS d
MATCH (p:Person {dob: d})
RETURN p.id AS person_id
LIMIT $limit
