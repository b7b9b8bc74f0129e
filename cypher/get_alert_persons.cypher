// The persons $ids as an alert names them: id, names, roles and owner (need-to-know is applied
// to the alert when it is delivered or read, graphsvc.security.visibility).
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
RETURN p.id AS person_id, p.given_name AS given_name, p.family_name AS family_name, p.source AS source,
       [r IN ['Offender', 'Victim'] WHERE r IN labels(p) | toLower(r)] AS roles
ORDER BY person_id
