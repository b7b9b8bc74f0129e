// Whose serial state a change may have altered (graphsvc.services.state), from the persons it
// named ($person_ids, already widened to their identity-link components) and the incidents it
// wrote ($incident_ids): those persons; the offenders of incidents they are victims in (their
// distinct victims are counted through the victims' links); the offenders of those incidents;
// and everyone holding an identifier that an incident with no identified offender used and that
// the seeds hold or used (a possible victim counts only while the identifier points at ONE person).
CALL () {
  UNWIND $person_ids AS pid
  MATCH (p:Person {id: pid})
  RETURN p
  UNION
  UNWIND $person_ids AS pid
  MATCH (:Person {id: pid})-[:VICTIM_IN]->(:Incident)<-[:OFFENDER_IN]-(p:Person)
  RETURN p
  UNION
  UNWIND $incident_ids AS iid
  MATCH (:Incident {id: iid})<-[:OFFENDER_IN]-(p:Person)
  RETURN p
  UNION
  UNWIND $person_ids AS pid
  MATCH (s:Person {id: pid})
  CALL (s) {
    MATCH (s)-[:HAS_IDENTIFIER]->(x)
    RETURN x
    UNION
    MATCH (s)-[:OFFENDER_IN]->(:Incident)-[:USED]->(x)
    RETURN x
  }
  WITH DISTINCT x
  WHERE EXISTS { (x)<-[:USED]-(:Unidentified) }
  CALL (x) {
    MATCH (p:Person)-[:HAS_IDENTIFIER]->(x)
    RETURN p
    UNION
    MATCH (p:Person)-[:OFFENDER_IN]->(:Incident)-[:USED]->(x)
    RETURN p
  }
  RETURN p
  UNION
  UNWIND $incident_ids AS iid
  MATCH (:Unidentified {id: iid})-[:USED]->(x)
  CALL (x) {
    MATCH (p:Person)-[:HAS_IDENTIFIER]->(x)
    RETURN p
    UNION
    MATCH (p:Person)-[:OFFENDER_IN]->(:Incident)-[:USED]->(x)
    RETURN p
  }
  RETURN p
}
RETURN collect(DISTINCT p.id) AS person_ids
