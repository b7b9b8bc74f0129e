// Append a run of audit entries, already chained in order (after lock_audit_head in the same
// transaction), and move the head to the last of them.
MATCH (h:AuditHead {id: 'audit'})
UNWIND $entries AS entry
CREATE (e:AuditEntry)
SET e = entry
WITH h, max(entry.seq) AS last_seq, count(*) AS n
SET h.seq = last_seq, h.hash = $last_hash
RETURN n
