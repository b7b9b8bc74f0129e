// The registrations and notifications $ids as the watched_person rule reads them (contract
// section 7): the person each names, a registration by REGISTERS, a notification by BY.
// Placeholders (named by another record, not yet arrived) are left out.
UNWIND $ids AS rid
CALL (rid) {
  MATCH (r:Registration {id: rid})
  WHERE r.placeholder IS NULL
  RETURN r.id AS id, [(r)-[:REGISTERS]->(p:Person) | p.id] AS person_ids
  UNION
  MATCH (n:Notification {id: rid})
  WHERE n.placeholder IS NULL
  RETURN n.id AS id, [(n)-[:BY]->(p:Person) | p.id] AS person_ids
}
RETURN id, person_ids
ORDER BY id
