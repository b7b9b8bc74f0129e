// Take the audit chain's write lock for this transaction and read the head (seq, hash).
// Every append runs this first, so appends are serialised and the chain has no forks.
MERGE (h:AuditHead {id: 'audit'})
ON CREATE SET h.seq = 0, h.hash = ''
SET h.locked_at = timestamp()
RETURN h.seq AS seq, h.hash AS hash
