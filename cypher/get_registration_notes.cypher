// What the due duty of each of these registrations rests on: its dates and basis, and its
// notifications' days and types (graphsvc.analysis.register.due_duty).
UNWIND $ids AS rid
MATCH (r:Registration {id: rid})
RETURN r.id AS id, r.basis AS basis, r.start_on AS start_on, r.end_on AS end_on,
       [(n:Notification)-[:NOTIFIES]->(r) | n {.id, .type, .notified_on, .changed_on}] AS notifications
