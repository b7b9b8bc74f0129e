// Writes a batch of incident records, each replacing what the same record wrote before (see
// load_persons). Offenders are labelled Offender and victims Victim here; people an incident
// let go of are returned so update_roles can recheck them at batch end. An incident whose record
// names no offender carries the label Unidentified (only this statement links offenders to
// incidents, so the label always says whether one is linked; lookups filter on it cheaply). The times arrive as
// ISO 8601 text with the offset they were recorded with (a naive time has Europe/London's,
// contract section 9) and are stored as DateTime with that offset (datetime(null) is null).
// $rows: [{id, props, occurred_at, reported_at, offender_ids, victim_ids, breached_order_ids,
// phones, emails, handles, vehicles}]; the identifiers are those the perpetrator used.
UNWIND $rows AS row
MERGE (n:Incident {id: row.id})
WITH n, row
CALL (n) {
  MATCH (n)-[r:USED|BREACHED|REPORTED_BY]->(x)
  DELETE r
  RETURN collect(elementId(x)) AS out_released
}
CALL (n) {
  MATCH (p:Person)-[r:OFFENDER_IN|VICTIM_IN]->(n)
  DELETE r
  RETURN collect(elementId(p)) AS people_released, collect(p.id) AS person_ids
}
SET n += row.props, n.occurred_at = datetime(row.occurred_at), n.reported_at = datetime(row.reported_at)
REMOVE n.placeholder
SET n.review_on = coalesce(n.retained_until, n.review_scheduled)  // a retain decision's date outlives the schedule
FOREACH (_ IN CASE WHEN size(row.offender_ids) = 0 THEN [1] ELSE [] END | SET n:Unidentified)
FOREACH (_ IN CASE WHEN size(row.offender_ids) = 0 THEN [] ELSE [1] END | REMOVE n:Unidentified)
WITH n, row, out_released + people_released AS released, person_ids
MERGE (a:Agency {code: row.props.source})
CREATE (n)-[:REPORTED_BY]->(a)
WITH n, row, released, person_ids
CALL (n, row) {
  UNWIND row.offender_ids AS pid
  MERGE (p:Person {id: pid})
    ON CREATE SET p.placeholder = true
  SET p:Offender
  CREATE (p)-[:OFFENDER_IN {source: row.props.source}]->(n)
}
CALL (n, row) {
  UNWIND row.victim_ids AS pid
  MERGE (p:Person {id: pid})
    ON CREATE SET p.placeholder = true
  SET p:Victim
  CREATE (p)-[:VICTIM_IN {source: row.props.source}]->(n)
}
CALL (n, row) {
  UNWIND row.breached_order_ids AS oid
  MERGE (o:Order {id: oid})
    ON CREATE SET o.placeholder = true
  CREATE (n)-[:BREACHED {source: row.props.source}]->(o)
}
CALL (n, row) {
  UNWIND row.phones AS v
  MERGE (i:Phone {value: v})
  CREATE (n)-[:USED {source: row.props.source}]->(i)
}
CALL (n, row) {
  UNWIND row.emails AS v
  MERGE (i:Email {value: v})
  CREATE (n)-[:USED {source: row.props.source}]->(i)
}
CALL (n, row) {
  UNWIND row.handles AS h
  MERGE (i:Handle {value: h.value})
    ON CREATE SET i.platform = h.platform, i.handle = h.handle
  CREATE (n)-[:USED {source: row.props.source}]->(i)
}
CALL (n, row) {
  UNWIND row.vehicles AS v
  MERGE (i:Vehicle {value: v})
  CREATE (n)-[:USED {source: row.props.source}]->(i)
}
RETURN collect(released) AS released, collect(person_ids) AS person_ids
