// Nodes a replaced record let go of and nothing else holds: shared identifiers, addresses,
// agencies, and placeholders for records that never arrived. Loaded records are never removed.
// The pattern state's STATE_OF does not hold a node (the state is derived from the records): a
// placeholder it still names goes with that link, and the outbox entry written in the same
// transaction brings the state up to date.
UNWIND $element_ids AS eid
MATCH (x) WHERE elementId(x) = eid
  AND NOT EXISTS { (x)-[r]-() WHERE type(r) <> 'STATE_OF' }
  AND (x.placeholder = true OR NOT (x:Person OR x:Incident OR x:Order OR x:Registration OR x:Notification))
DETACH DELETE x
RETURN count(*) AS deleted
