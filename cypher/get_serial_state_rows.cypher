// list_serial_offenders for the persons $ids only, with no filter (every incident, any number of
// victims): what graphsvc.services.state builds the serial state of their identity groups from.
// Keep the RETURN the same as list_serial_offenders': `graphsvc state verify` compares the two.
UNWIND $ids AS pid
MATCH (p:Person {id: pid})-[:OFFENDER_IN]->(i:Incident)
WHERE p:Offender
MATCH (v:Person)-[:VICTIM_IN]->(i)
WITH p, collect(DISTINCT v.id) AS victims, collect(DISTINCT i) AS incs
RETURN p.id AS person_id, victims,
       [x IN incs | {id: x.id, occurred_at_epoch_ms: x.occurred_at.epochMillis,
                     occurred_precision: x.occurred_precision, type: x.type,
                     victim_ids: [(w:Person)-[:VICTIM_IN]->(x) | w.id],
                     offender_ids: [(o:Person)-[:OFFENDER_IN]->(x) | o.id],
                     breached_order_ids: [(x)-[:BREACHED]->(b:Order) | b.id]}] AS incidents,
       [(o:Order)-[:RESTRAINS]->(p) | o {.id, .type, .issued_on, .expires_on,
                                         protected_ids: [(o)-[:PROTECTS]->(q:Person) | q.id]}] AS orders
