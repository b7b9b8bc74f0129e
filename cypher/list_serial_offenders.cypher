// Register-wide: offenders with at least $min_victims distinct victims in the incidents that pass the
// filters (agency = incident source, occurred in [$since, $until)), plus the records in $linked_ids
// (identity-linked, merged by the caller), with their incidents and orders.
MATCH (p:Offender)-[:OFFENDER_IN]->(i:Incident)
WHERE ($agency IS NULL OR i.source = $agency)
  AND ($since IS NULL OR i.occurred_at >= $since)
  AND ($until IS NULL OR i.occurred_at < $until)
MATCH (v:Person)-[:VICTIM_IN]->(i)
WITH p, collect(DISTINCT v.id) AS victims, collect(DISTINCT i) AS incs
WHERE size(victims) >= $min_victims OR p.id IN $linked_ids
RETURN p.id AS person_id, victims,
       [x IN incs | {id: x.id, occurred_at_epoch_ms: x.occurred_at.epochMillis,
                     occurred_precision: x.occurred_precision, type: x.type,
                     victim_ids: [(w:Person)-[:VICTIM_IN]->(x) | w.id],
                     offender_ids: [(o:Person)-[:OFFENDER_IN]->(x) | o.id],
                     breached_order_ids: [(x)-[:BREACHED]->(b:Order) | b.id]}] AS incidents,
       [(o:Order)-[:RESTRAINS]->(p) | o {.id, .type, .issued_on, .expires_on,
                                         protected_ids: [(o)-[:PROTECTS]->(q:Person) | q.id]}] AS orders
