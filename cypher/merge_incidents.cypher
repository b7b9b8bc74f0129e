// Runs after detach_incidents removed what these records wrote before: links are created.
UNWIND $rows AS row
MERGE (n:Incident {id: row.id})
SET n += row.props
REMOVE n.placeholder
MERGE (a:Agency {code: row.props.source})
CREATE (n)-[:REPORTED_BY]->(a)
WITH n, row
CALL (n, row) {
  UNWIND row.offender_ids AS pid
  MERGE (p:Person {id: pid})
    ON CREATE SET p.placeholder = true
  CREATE (p)-[:OFFENDER_IN {source: row.props.source}]->(n)
}
CALL (n, row) {
  UNWIND row.victim_ids AS pid
  MERGE (p:Person {id: pid})
    ON CREATE SET p.placeholder = true
  CREATE (p)-[:VICTIM_IN {source: row.props.source}]->(n)
}
CALL (n, row) {
  UNWIND row.breached_order_ids AS oid
  MERGE (o:Order {id: oid})
    ON CREATE SET o.placeholder = true
  CREATE (n)-[:BREACHED {source: row.props.source}]->(o)
}
RETURN count(n) AS incidents
