// Nodes a replaced record let go of and nothing else holds: shared identifiers, addresses,
// agencies, and placeholders for records that never arrived. Loaded records are never removed.
UNWIND $element_ids AS eid
MATCH (x) WHERE elementId(x) = eid
  AND NOT (x)--()
  AND (x.placeholder = true OR NOT (x:Person OR x:Incident OR x:Order))
DELETE x
RETURN count(*) AS deleted
