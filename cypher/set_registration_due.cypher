// Keeps each registration's due duty (graphsvc.analysis.register.due_duty): the overdue
// worklist and the flags read these, through the registration_due indexes.
// $rows: [{id, due_duty, due_on}] (both null: nothing is due).
UNWIND $rows AS row
MATCH (r:Registration {id: row.id})
SET r.due_duty = row.due_duty, r.due_on = row.due_on
