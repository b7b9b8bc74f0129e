// The registrations in force whose due duty's last day passed on or after $since and before
// $today (notification_overdue alerts, graphsvc.services.alerts.raise_overdue): a range of the
// registration_due_on index, a few days wide.
MATCH (r:Registration)
WHERE r.due_on >= $since AND r.due_on < $today
  // in force (no OR: it would cost the index order)
  AND r.start_on <= $today AND coalesce(r.end_on, $today) >= $today
RETURN r.id AS registration_id, r.due_duty AS duty, r.due_on AS due_on, r.managed_by AS managing_agency,
       head([(r)-[:REGISTERS]->(p:Person) | p.id]) AS person_id
ORDER BY r.due_on, r.id
LIMIT $limit
