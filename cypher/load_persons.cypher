// Writes a batch of person records, each replacing what the same record wrote before.
// Per row: MERGE takes the person (a new node, a placeholder or a loaded record) and holds its
// lock; its old outgoing links are deleted (nothing to delete for a new node or a placeholder);
// then its values and links are written. Returns, per row, the element ids of the nodes it let
// go of (orphans are removed at batch end). $rows: [{id, props, addresses, phones, emails,
// handles, vehicles}], identifiers already normalised; handles are [{value, platform, handle}].
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
WITH p, row
CALL (p) {
  MATCH (p)-[r:HAS_IDENTIFIER|HAS_ADDRESS|REPORTED_BY]->(x)
  DELETE r
  RETURN collect(DISTINCT elementId(x)) AS released
}
SET p += row.props
REMOVE p.placeholder
// the review (contract section 8): counted from the day the record was first written, kept
SET p.first_recorded_on = coalesce(p.first_recorded_on, row.recorded_on)
SET p.review_scheduled = p.first_recorded_on + duration({years: row.review_years})
SET p.review_on = coalesce(p.retained_until, p.review_scheduled)
WITH p, row, released
MERGE (a:Agency {code: row.props.source})
CREATE (p)-[:REPORTED_BY]->(a)
WITH p, row, released
CALL (p, row) {
  UNWIND row.addresses AS addr
  MERGE (ad:Address {key: addr.key})
    ON CREATE SET ad.line1 = addr.line1, ad.town = addr.town, ad.postcode = addr.postcode
  CREATE (p)-[:HAS_ADDRESS {source: row.props.source}]->(ad)
}
CALL (p, row) {
  UNWIND row.phones AS v
  MERGE (i:Phone {value: v})
  CREATE (p)-[:HAS_IDENTIFIER {source: row.props.source}]->(i)
}
CALL (p, row) {
  UNWIND row.emails AS v
  MERGE (i:Email {value: v})
  CREATE (p)-[:HAS_IDENTIFIER {source: row.props.source}]->(i)
}
CALL (p, row) {
  UNWIND row.handles AS h
  MERGE (i:Handle {value: h.value})
    ON CREATE SET i.platform = h.platform, i.handle = h.handle
  CREATE (p)-[:HAS_IDENTIFIER {source: row.props.source}]->(i)
}
CALL (p, row) {
  UNWIND row.vehicles AS v
  MERGE (i:Vehicle {value: v})
  CREATE (p)-[:HAS_IDENTIFIER {source: row.props.source}]->(i)
}
RETURN collect(released) AS released
