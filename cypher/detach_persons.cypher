// Remove what person records wrote before, so a reloaded record replaces its values.
// Returns the element ids of the nodes it let go of (orphans are removed at batch end).
UNWIND $ids AS pid
MATCH (p:Person {id: pid})-[r:HAS_IDENTIFIER|HAS_ADDRESS|REPORTED_BY]->(x)
DELETE r
RETURN collect(DISTINCT elementId(x)) AS released
