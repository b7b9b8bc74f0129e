// Every register node with its labels and properties, in a stable order (for fingerprints).
// Service bookkeeping (API keys, audit, data migrations, the register's write counter, read quotas,
// the alert dispatcher's lease) and the pattern state derived from the records (SerialState,
// ClusterState, PatternState, StateChange) are left out.
MATCH (n)
WHERE NOT (n:ApiKey OR n:AuditEntry OR n:AuditHead OR n:SchemaMigration OR n:RegisterVersion
           OR n:KeyDay OR n:KeyRead OR n:Dispatcher OR n:SerialState OR n:ClusterState OR n:PatternState OR n:StateChange)
RETURN labels(n) AS labels, properties(n) AS props
