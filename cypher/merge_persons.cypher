// Runs after detach_persons removed what these records wrote before: links are created.
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p += row.props
REMOVE p.placeholder
MERGE (a:Agency {code: row.props.source})
CREATE (p)-[:REPORTED_BY]->(a)
WITH p, row
CALL (p, row) {
  UNWIND row.addresses AS addr
  MERGE (ad:Address {key: addr.key})
    ON CREATE SET ad.line1 = addr.line1, ad.town = addr.town, ad.postcode = addr.postcode
  CREATE (p)-[:HAS_ADDRESS {source: row.props.source}]->(ad)
}
RETURN count(p) AS persons
