// One breadth-first step of a network export: the neighbours of $frontier (element ids)
// over the relationship types in $types (the caller's fixed allow-list; agencies are not
// traversed: they would join everything an agency supplied). Rejected identity proposals
// are not followed. Types come as a parameter so a register without, say, POSSIBLY_SAME_AS
// yet raises no "unknown relationship type" notifications.
UNWIND $frontier AS eid
MATCH (n) WHERE elementId(n) = eid
MATCH (n)-[r]-(m)
WHERE type(r) IN $types
  AND NOT (type(r) = 'POSSIBLY_SAME_AS' AND coalesce(properties(r)['status'], '') = 'rejected')
RETURN DISTINCT elementId(m) AS eid, coalesce(m.id, m.value, m.key, '') AS key
