// The intake check's read of the pattern state, in the check's own transaction: the state's node
// and outbox backlog (get_pattern_state's, without the oldest entry's age), and the check card of
// the identity group of each of the persons $ids that has a state (graphsvc.services.perpetrators
// .check_card, as JSON text). A person with no state has no card: the check reads his records.
OPTIONAL MATCH (m:PatternState {name: 'serial'})
CALL () {
  MATCH (c:StateChange)
  RETURN count(c) AS pending
}
CALL () {
  UNWIND $ids AS pid
  MATCH (:Person {id: pid})<-[:STATE_OF]-(s:SerialState)
  RETURN collect([pid, s.check]) AS cards
}
RETURN m {.ready, .threshold, .thresholds, .mark} AS meta, pending, cards
