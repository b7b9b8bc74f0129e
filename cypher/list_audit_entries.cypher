// A page of the audit chain in order (for verification): entries after $after_seq.
MATCH (e:AuditEntry)
WHERE e.seq > $after_seq
RETURN e {.*} AS entry
ORDER BY e.seq
LIMIT $limit
