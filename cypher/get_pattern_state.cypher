// The pattern state's settings and ages (lock_pattern_state), and its outbox's backlog.
OPTIONAL MATCH (m:PatternState {name: 'serial'})
CALL () {
  MATCH (c:StateChange)
  RETURN count(c) AS pending, min(c.at) AS oldest
}
RETURN m {.*} AS meta, pending, oldest
