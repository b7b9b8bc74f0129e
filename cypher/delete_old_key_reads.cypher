// When a key's new day opens: its read-quota bookkeeping from before $day, and a bounded slice
// ($slice nodes) of any other key's from before $day, so a key no longer used does not keep its
// last day's list of persons read for ever (the audit log is the record of reads; this is only
// the count's working state). Each day's first charges drain the backlog slice by slice.
CALL () {
  MATCH (n:KeyRead|KeyDay)
  WHERE n.key_id = $key_id AND n.day < $day
  DETACH DELETE n
}
CALL () {
  MATCH (r:KeyRead)
  WHERE r.day < $day
  WITH r LIMIT $slice
  DETACH DELETE r
}
CALL () {
  MATCH (d:KeyDay)
  WHERE d.day < $day AND NOT EXISTS { MATCH (r:KeyRead {key_id: d.key_id, day: d.day}) }
  WITH d LIMIT $slice
  DETACH DELETE d
}
