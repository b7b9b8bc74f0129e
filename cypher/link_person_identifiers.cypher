// Runs after the owners' old links were detached, so each link is created, not merged.
// Links persons to their own identifiers; $phones etc. are [{id, value, source}].
CALL () {
  UNWIND $phones AS l
  MATCH (p:Person {id: l.id})
  MERGE (i:Phone {value: l.value})
  CREATE (p)-[:HAS_IDENTIFIER {source: l.source}]->(i)
}
CALL () {
  UNWIND $emails AS l
  MATCH (p:Person {id: l.id})
  MERGE (i:Email {value: l.value})
  CREATE (p)-[:HAS_IDENTIFIER {source: l.source}]->(i)
}
CALL () {
  UNWIND $handles AS l
  MATCH (p:Person {id: l.id})
  MERGE (i:Handle {value: l.value})
    ON CREATE SET i.platform = l.platform, i.handle = l.handle
  CREATE (p)-[:HAS_IDENTIFIER {source: l.source}]->(i)
}
CALL () {
  UNWIND $vehicles AS l
  MATCH (p:Person {id: l.id})
  MERGE (i:Vehicle {value: l.value})
  CREATE (p)-[:HAS_IDENTIFIER {source: l.source}]->(i)
}
RETURN 1 AS done
