// One agency's overdue worklist (GET /register/overdue?agency=): as find_overdue_registrations,
// through registration_managed_due (managed_by, due_on).
MATCH (r:Registration)
WHERE r.managed_by = $agency AND r.due_on < $today
  AND ($after_due IS NULL OR r.due_on > $after_due OR (r.due_on = $after_due AND r.id > $after_id))
  // in force (no OR: it would cost the index order)
  AND r.start_on <= $today AND coalesce(r.end_on, $today) >= $today
// managed_by is one value: the index (managed_by, due_on) gives this order
WITH r ORDER BY r.managed_by, r.due_on, r.id LIMIT $limit
WITH r, head([(r)-[:REGISTERS]->(p:Person) | p]) AS p
RETURN r.id AS registration_id, r.due_duty AS duty, r.due_on AS due_on, r.managed_by AS managing_agency,
       p.id AS person_id, p.given_name AS given_name, p.family_name AS family_name
