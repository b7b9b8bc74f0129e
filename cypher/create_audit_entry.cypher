// Append one audit entry (after lock_audit_head in the same transaction) and move the head.
MATCH (h:AuditHead {id: 'audit'})
CREATE (e:AuditEntry)
SET e = $entry
SET h.seq = $entry.seq, h.hash = $entry.hash
RETURN e.seq AS seq
