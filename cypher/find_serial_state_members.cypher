// The serial states that count any of the persons $ids, or are listed under one of them (a
// state whose representative's placeholder was deleted has lost that STATE_OF link), with all
// their members.
CALL () {
  UNWIND $ids AS pid
  MATCH (:Person {id: pid})<-[:STATE_OF]-(s:SerialState)
  RETURN s
  UNION
  UNWIND $ids AS pid
  MATCH (s:SerialState {person_id: pid})
  RETURN s
}
RETURN s.person_id AS person_id, [(s)-[:STATE_OF]->(m:Person) | m.id] AS member_ids
