// Every register node with its labels and properties, in a stable order (for fingerprints).
// Service bookkeeping (API keys, audit) is left out.
MATCH (n)
WHERE NOT (n:ApiKey OR n:AuditEntry OR n:AuditHead)
RETURN labels(n) AS labels, properties(n) AS props
