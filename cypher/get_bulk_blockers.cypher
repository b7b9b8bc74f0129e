// What a bulk import (graphsvc load --bulk) would destroy: the importer replaces the whole
// store, so it runs only on a database holding none of these. Records (any record node,
// placeholders included), API keys, audit entries, and everything else but the bookkeeping a
// fresh database carries (its applied migrations, the write counter, an empty pattern state).
RETURN COUNT { MATCH (n) WHERE n:Person OR n:Incident OR n:Order OR n:Registration OR n:Notification } AS records,
       COUNT { MATCH (k:ApiKey) } AS api_keys,
       COUNT { MATCH (a) WHERE a:AuditEntry OR a:AuditHead } AS audit_entries,
       COUNT { MATCH (x)
               WHERE NOT (x:Person OR x:Incident OR x:Order OR x:Registration OR x:Notification OR x:ApiKey
                          OR x:AuditEntry OR x:AuditHead OR x:SchemaMigration OR x:RegisterVersion
                          OR x:PatternState) } AS other
