// The audit chain's head: the last seq and hash (absent before the first entry).
MATCH (h:AuditHead {id: 'audit'})
RETURN h.seq AS seq, h.hash AS hash
