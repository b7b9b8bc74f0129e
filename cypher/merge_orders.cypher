UNWIND $rows AS row
MERGE (o:Order {id: row.id})
SET o += row.props
REMOVE o.placeholder
MERGE (a:Agency {code: row.props.source})
MERGE (o)-[:REPORTED_BY]->(a)
MERGE (resp:Person {id: row.respondent_id})
  ON CREATE SET resp.placeholder = true
MERGE (o)-[rr:RESTRAINS]->(resp) SET rr.source = row.props.source
WITH o, row
CALL (o, row) {
  UNWIND row.protected_ids AS pid
  MERGE (p:Person {id: pid})
    ON CREATE SET p.placeholder = true
  MERGE (o)-[r:PROTECTS]->(p) SET r.source = row.props.source
}
RETURN count(o) AS orders
