// Whose serial state a change may have altered (graphsvc.services.state), from the persons it
// named ($person_ids, already widened to their identity-link components), the persons whose
// records it wrote ($record_ids) and the incidents it wrote ($incident_ids): those persons; the
// offenders of incidents they are victims in (their distinct victims are counted through the
// victims' links); the offenders of those incidents; and everyone holding an identifier that an
// incident with no identified offender used, when the change may have changed who holds it (a
// possible victim counts only while the identifier points at ONE person): an identifier of a
// person record written, or one an incident written used (its offenders hold it through it).
// Identifiers a write let go of are in $person_ids already (create_state_change).
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
  CALL () {
    UNWIND $record_ids AS pid
    MATCH (:Person {id: pid})-[:HAS_IDENTIFIER]->(x)
    RETURN x
    UNION
    UNWIND $incident_ids AS iid
    MATCH (:Incident {id: iid})-[:USED]->(x)
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
}
RETURN collect(DISTINCT p.id) AS person_ids
