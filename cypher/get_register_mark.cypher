// What says whether the register changed, in ONE round trip, and what the pattern state holds of
// it: every reader of "has anything changed?" asks this one query.
// `counts`: cheap counts (from the count store) that change whenever incidents, orders or their
//   links do, and the register's write counter (bump_register_version), which changes with every
//   write of records even when no count does: the fingerprint of the cached register-wide
//   pattern jobs, and half the pattern state's mark.
// `links`: whether any POSSIBLY_SAME_AS link changed, without reading the links: how many there
//   are (the count store), the latest change of a proposal (merge_identity_links moves
//   updated_at when a value changes), the latest human decision, and how many links stand
//   confirmed and rejected (an undo clears decided_at, so the counts catch it). Each part is
//   answered by an index (identity_link_updated_at, identity_link_decided_at,
//   identity_link_status), so it costs milliseconds at any size; its key used to be the whole
//   link list, read on every request (seconds and a key of a hundred megabytes at 1M people).
// `meta`, `pending`: the pattern state's settings and mark, and its outbox's backlog.
// `cards`: the check card of the identity group of each of the persons $ids that has a pattern
//   state (graphsvc.services.perpetrators.check_card, JSON text): the intake check reads them,
//   the mark and the backlog in its own transaction, in this one round trip ($ids empty for the
//   other readers).
CALL () { MATCH (n:Incident) RETURN count(n) AS incidents }
CALL () { MATCH (n:Order) RETURN count(n) AS orders }
CALL () { MATCH (n:Person) RETURN count(n) AS persons }
CALL () { MATCH ()-[r:USED]->() RETURN count(r) AS used }
CALL () { MATCH ()-[r:OFFENDER_IN]->() RETURN count(r) AS offender_links }
CALL () { MATCH ()-[r:VICTIM_IN]->() RETURN count(r) AS victim_links }
CALL () { MATCH ()-[r:BREACHED]->() RETURN count(r) AS breached }
CALL () { MATCH ()-[r:RESTRAINS|PROTECTS]->() RETURN count(r) AS order_links }
CALL () { MATCH ()-[r:HAS_IDENTIFIER]->() RETURN count(r) AS identifiers }
CALL () { OPTIONAL MATCH (v:RegisterVersion {id: 'register'}) RETURN coalesce(v.n, 0) AS version }
CALL () {
  MATCH ()-[r:POSSIBLY_SAME_AS]->()
  RETURN count(r) AS links
}
CALL () {
  MATCH ()-[r:POSSIBLY_SAME_AS]->()
  WHERE r.updated_at IS NOT NULL
  WITH r.updated_at AS at
  ORDER BY at DESC
  LIMIT 1
  RETURN max(at) AS updated_at
}
CALL () {
  MATCH ()-[r:POSSIBLY_SAME_AS]->()
  WHERE r.decided_at IS NOT NULL
  WITH r.decided_at AS at
  ORDER BY at DESC
  LIMIT 1
  RETURN max(at) AS decided_at
}
CALL () {
  MATCH ()-[r:POSSIBLY_SAME_AS]->()
  WHERE r.status = 'confirmed'
  RETURN count(r) AS confirmed
}
CALL () {
  MATCH ()-[r:POSSIBLY_SAME_AS]->()
  WHERE r.status = 'rejected'
  RETURN count(r) AS rejected
}
CALL () {
  OPTIONAL MATCH (m:PatternState {name: 'serial'})
  RETURN m {.ready, .threshold, .thresholds, .mark} AS meta
}
CALL () {
  MATCH (c:StateChange)
  RETURN count(c) AS pending
}
CALL () {
  UNWIND $ids AS pid
  MATCH (:Person {id: pid})<-[:STATE_OF]-(s:SerialState)
  RETURN collect([pid, s.check]) AS cards
}
RETURN {incidents: incidents, orders: orders, persons: persons, used: used, offender_links: offender_links,
        victim_links: victim_links, breached: breached, order_links: order_links, identifiers: identifiers,
        version: version} AS counts,
       {links: links, updated_at: updated_at, decided_at: decided_at, confirmed: confirmed, rejected: rejected}
         AS links,
       meta, pending, cards
