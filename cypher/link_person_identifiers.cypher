// Links persons to their own identifiers; $phones etc. are [{id, value, source}].
CALL () {
  UNWIND $phones AS l
  MATCH (p:Person {id: l.id})
  MERGE (i:Phone {value: l.value})
  MERGE (p)-[r:HAS_IDENTIFIER]->(i) SET r.source = l.source
}
CALL () {
  UNWIND $emails AS l
  MATCH (p:Person {id: l.id})
  MERGE (i:Email {value: l.value})
  MERGE (p)-[r:HAS_IDENTIFIER]->(i) SET r.source = l.source
}
CALL () {
  UNWIND $handles AS l
  MATCH (p:Person {id: l.id})
  MERGE (i:Handle {value: l.value})
    ON CREATE SET i.platform = l.platform, i.handle = l.handle
  MERGE (p)-[r:HAS_IDENTIFIER]->(i) SET r.source = l.source
}
CALL () {
  UNWIND $vehicles AS l
  MATCH (p:Person {id: l.id})
  MERGE (i:Vehicle {value: l.value})
  MERGE (p)-[r:HAS_IDENTIFIER]->(i) SET r.source = l.source
}
RETURN 1 AS done
