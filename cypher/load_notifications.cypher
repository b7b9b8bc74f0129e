// Writes a batch of notification records (contract section 7), each replacing what the same
// record wrote before (see load_persons). A notification names its registration (NOTIFIES) and
// its person (BY); either may be a placeholder until its record arrives. Returns the
// registrations each notification named before and now, whose due duties set_registration_due
// then works out again. $rows: [{id, props, person_id, registration_id}].
UNWIND $rows AS row
MERGE (n:Notification {id: row.id})
WITH n, row
CALL (n) {
  MATCH (n)-[x:NOTIFIES|BY|REPORTED_BY]->(y)
  DELETE x
  RETURN collect(DISTINCT elementId(y)) AS released,
         [y IN collect(DISTINCT y) WHERE y:Registration | y.id] AS before
}
SET n += row.props
REMOVE n.placeholder
SET n.review_on = coalesce(n.retained_until, n.review_scheduled)  // a retain decision's date outlives the schedule
WITH n, row, released, before
MERGE (a:Agency {code: row.props.source})
CREATE (n)-[:REPORTED_BY]->(a)
WITH n, row, released, before
MERGE (r:Registration {id: row.registration_id})
  ON CREATE SET r.placeholder = true
CREATE (n)-[:NOTIFIES {source: row.props.source}]->(r)
WITH n, row, released, before
MERGE (p:Person {id: row.person_id})
  ON CREATE SET p.placeholder = true
CREATE (n)-[:BY {source: row.props.source}]->(p)
RETURN collect(released) AS released, collect(before) AS registration_ids
