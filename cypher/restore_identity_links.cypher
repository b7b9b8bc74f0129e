// Identity links from a dump (graphsvc restore): $rows [{a, b, props}], each (a)-[:POSSIBLY_SAME_AS]->(b)
// with exactly the dumped properties (status, probability, evidence, who decided, when and why).
// Returns the pairs written; a row naming a person not in the register returns nothing.
UNWIND $rows AS row
MATCH (a:Person {id: row.a})
MATCH (b:Person {id: row.b})
MERGE (a)-[r:POSSIBLY_SAME_AS]->(b)
SET r = row.props
RETURN row.a AS a, row.b AS b
