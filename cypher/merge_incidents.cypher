UNWIND $rows AS row
MERGE (n:Incident {id: row.id})
SET n += row.props
REMOVE n.placeholder
MERGE (a:Agency {code: row.props.source})
MERGE (n)-[:REPORTED_BY]->(a)
WITH n, row
CALL (n, row) {
  UNWIND row.offender_ids AS pid
  MERGE (p:Person {id: pid})
    ON CREATE SET p.placeholder = true
  MERGE (p)-[r:OFFENDER_IN]->(n) SET r.source = row.props.source
}
CALL (n, row) {
  UNWIND row.victim_ids AS pid
  MERGE (p:Person {id: pid})
    ON CREATE SET p.placeholder = true
  MERGE (p)-[r:VICTIM_IN]->(n) SET r.source = row.props.source
}
CALL (n, row) {
  UNWIND row.breached_order_ids AS oid
  MERGE (o:Order {id: oid})
    ON CREATE SET o.placeholder = true
  MERGE (n)-[r:BREACHED]->(o) SET r.source = row.props.source
}
RETURN count(n) AS incidents
