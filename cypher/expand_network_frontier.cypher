// One breadth-first step of a network export: the neighbours of $frontier (element ids)
// over register relationships. Agencies are not traversed (they would join everything an
// agency supplied); rejected identity proposals are not followed.
UNWIND $frontier AS eid
MATCH (n) WHERE elementId(n) = eid
MATCH (n)-[r:OFFENDER_IN|VICTIM_IN|USED|BREACHED|RESTRAINS|PROTECTS|HAS_IDENTIFIER|HAS_ADDRESS|POSSIBLY_SAME_AS]-(m)
WHERE NOT (type(r) = 'POSSIBLY_SAME_AS' AND coalesce(r.status, '') = 'rejected')
RETURN DISTINCT elementId(m) AS eid, coalesce(m.id, m.value, m.key, '') AS key
