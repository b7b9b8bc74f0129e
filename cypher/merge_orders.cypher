// Runs after detach_orders removed what these records wrote before: links are created.
UNWIND $rows AS row
MERGE (o:Order {id: row.id})
SET o += row.props
REMOVE o.placeholder
MERGE (a:Agency {code: row.props.source})
CREATE (o)-[:REPORTED_BY]->(a)
MERGE (resp:Person {id: row.respondent_id})
  ON CREATE SET resp.placeholder = true
CREATE (o)-[:RESTRAINS {source: row.props.source}]->(resp)
WITH o, row
CALL (o, row) {
  UNWIND row.protected_ids AS pid
  MERGE (p:Person {id: pid})
    ON CREATE SET p.placeholder = true
  CREATE (o)-[:PROTECTS {source: row.props.source}]->(p)
}
RETURN count(o) AS orders
