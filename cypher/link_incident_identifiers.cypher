// Runs after the owners' old links were detached, so each link is created, not merged.
// Links incidents to the identifiers the perpetrator used; $phones etc. are [{id, value, source}].
CALL () {
  UNWIND $phones AS l
  MATCH (n:Incident {id: l.id})
  MERGE (i:Phone {value: l.value})
  CREATE (n)-[:USED {source: l.source}]->(i)
}
CALL () {
  UNWIND $emails AS l
  MATCH (n:Incident {id: l.id})
  MERGE (i:Email {value: l.value})
  CREATE (n)-[:USED {source: l.source}]->(i)
}
CALL () {
  UNWIND $handles AS l
  MATCH (n:Incident {id: l.id})
  MERGE (i:Handle {value: l.value})
    ON CREATE SET i.platform = l.platform, i.handle = l.handle
  CREATE (n)-[:USED {source: l.source}]->(i)
}
CALL () {
  UNWIND $vehicles AS l
  MATCH (n:Incident {id: l.id})
  MERGE (i:Vehicle {value: l.value})
  CREATE (n)-[:USED {source: l.source}]->(i)
}
RETURN 1 AS done
