// The national overdue worklist (GET /register/overdue): registrations in force whose due duty's
// last day is before $today, longest overdue first, a page after the keyset ($after_due,
// $after_id: the last row of the page before, or null). Read through registration_due_on, in
// its order: the page costs its rows, not the register.
MATCH (r:Registration)
WHERE r.due_on < $today
  AND ($after_due IS NULL OR r.due_on > $after_due OR (r.due_on = $after_due AND r.id > $after_id))
  // in force (no OR: it would cost the index order)
  AND r.start_on <= $today AND coalesce(r.end_on, $today) >= $today
WITH r ORDER BY r.due_on, r.id LIMIT $limit
WITH r, head([(r)-[:REGISTERS]->(p:Person) | p]) AS p
RETURN r.id AS registration_id, r.due_duty AS duty, r.due_on AS due_on, r.managed_by AS managing_agency,
       p.id AS person_id, p.given_name AS given_name, p.family_name AS family_name
