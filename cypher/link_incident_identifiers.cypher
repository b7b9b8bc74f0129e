// Links incidents to the identifiers the perpetrator used; $phones etc. are [{id, value, source}].
CALL () {
  UNWIND $phones AS l
  MATCH (n:Incident {id: l.id})
  MERGE (i:Phone {value: l.value})
  MERGE (n)-[r:USED]->(i) SET r.source = l.source
}
CALL () {
  UNWIND $emails AS l
  MATCH (n:Incident {id: l.id})
  MERGE (i:Email {value: l.value})
  MERGE (n)-[r:USED]->(i) SET r.source = l.source
}
CALL () {
  UNWIND $handles AS l
  MATCH (n:Incident {id: l.id})
  MERGE (i:Handle {value: l.value})
    ON CREATE SET i.platform = l.platform, i.handle = l.handle
  MERGE (n)-[r:USED]->(i) SET r.source = l.source
}
CALL () {
  UNWIND $vehicles AS l
  MATCH (n:Incident {id: l.id})
  MERGE (i:Vehicle {value: l.value})
  MERGE (n)-[r:USED]->(i) SET r.source = l.source
}
RETURN 1 AS done
