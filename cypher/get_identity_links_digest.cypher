// What says whether any POSSIBLY_SAME_AS link changed, without reading the links: how many there
// are (the count store), the latest change of a proposal (merge_identity_links moves updated_at
// when a value changes), the latest human decision, and how many links stand confirmed and
// rejected (an undo clears decided_at, so the counts catch it). Each part is answered by an index
// (identity_link_updated_at, identity_link_decided_at, identity_link_status: the latest value
// through the index's order, the statuses by seek), so it costs milliseconds at any size. The
// serial ranking caches on this; its key used to be the whole link list, read on every request
// (seconds and a key of a hundred megabytes at 1M people: docs/analysis.md).
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
RETURN links, updated_at, decided_at, confirmed, rejected
