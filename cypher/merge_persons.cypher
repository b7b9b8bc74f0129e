UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p += row.props
REMOVE p.placeholder
MERGE (a:Agency {code: row.props.source})
MERGE (p)-[:REPORTED_BY]->(a)
WITH p, row
CALL (p, row) {
  UNWIND row.addresses AS addr
  MERGE (ad:Address {key: addr.key})
    ON CREATE SET ad.line1 = addr.line1, ad.town = addr.town, ad.postcode = addr.postcode
  MERGE (p)-[h:HAS_ADDRESS]->(ad)
  SET h.source = row.props.source
}
RETURN count(p) AS persons
