// Writes a batch of registration records (contract section 7), each replacing what the same
// record wrote before (see load_persons). A registration names its person and, with basis
// order, its order: either may be a placeholder until its record arrives. Its managing agency
// (`managed_by`) is the record's `managing_agency` unless a transfer moved it since
// (register_transfer). The due duty (`due_duty`, `due_on`) is written after the batch by
// set_registration_due. $rows: [{id, props, person_id, order_id}].
UNWIND $rows AS row
MERGE (r:Registration {id: row.id})
WITH r, row
CALL (r) {
  MATCH (r)-[x:REGISTERS|UNDER_ORDER|REPORTED_BY]->(y)
  DELETE x
  RETURN collect(DISTINCT elementId(y)) AS released
}
SET r += row.props
REMOVE r.placeholder
SET r.review_on = coalesce(r.retained_until, r.review_scheduled)  // a retain decision's date outlives the schedule
SET r.managed_by = coalesce(r.transferred_to, row.props.managing_agency)
WITH r, row, released
MERGE (a:Agency {code: row.props.source})
CREATE (r)-[:REPORTED_BY]->(a)
WITH r, row, released
MERGE (p:Person {id: row.person_id})
  ON CREATE SET p.placeholder = true
CREATE (r)-[:REGISTERS {source: row.props.source}]->(p)
WITH r, row, released
CALL (r, row) {
  WITH r, row WHERE row.order_id IS NOT NULL
  MERGE (o:Order {id: row.order_id})
    ON CREATE SET o.placeholder = true
  CREATE (r)-[:UNDER_ORDER {source: row.props.source}]->(o)
}
RETURN collect(released) AS released
