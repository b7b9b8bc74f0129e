// Every relationship between register nodes, its ends named by their keys (for fingerprints); not
// the pattern state's STATE_OF (derived from the records, kept apart: list_graph_nodes).
MATCH (a)-[r]->(b)
WHERE NOT (a:ApiKey OR a:AuditEntry OR a:AuditHead OR b:ApiKey OR b:AuditEntry OR b:AuditHead OR a:SerialState OR a:ClusterState)
RETURN type(r) AS type, properties(r) AS props,
       labels(a) AS from_labels, coalesce(a.id, a.value, a.key, a.code) AS from_key,
       labels(b) AS to_labels, coalesce(b.id, b.value, b.key, b.code) AS to_key
