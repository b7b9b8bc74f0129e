// The pattern state's outbox (docs/pattern-state.md): one entry per transaction that changed
// something the serial state is built from, written IN that transaction, so a change is never
// committed without its entry (graphsvc.services.state applies and deletes the entries).
// $person_ids: the persons the transaction wrote or named; $record_ids: those of them whose person
// records it wrote (their identifiers may have changed); $incident_ids: the incidents it wrote;
// $order_ids: the orders it wrote (the alert rules read them, graphsvc.services.alerts);
// $register_ids: the registrations and notifications it wrote (only the watched_person rule reads them);
// $released: element ids of the nodes it let go of (run before delete_orphans): a released person
// is a seed, and so is everyone still holding a released identifier (whom it may now point at alone).
CALL () {
  UNWIND $released AS eid
  MATCH (x) WHERE elementId(x) = eid
  CALL (x) {
    WITH x WHERE x:Person
    RETURN x.id AS pid
    UNION
    MATCH (p:Person)-[:HAS_IDENTIFIER]->(x)
    RETURN p.id AS pid
    UNION
    MATCH (p:Person)-[:OFFENDER_IN]->(:Incident)-[:USED]->(x)
    RETURN p.id AS pid
  }
  RETURN collect(DISTINCT pid) AS extra
}
CREATE (c:StateChange {at: datetime(), person_ids: $person_ids + [x IN extra WHERE NOT x IN $person_ids],
                       record_ids: $record_ids, incident_ids: $incident_ids, order_ids: $order_ids,
                       register_ids: $register_ids})
RETURN elementId(c) AS change_id
