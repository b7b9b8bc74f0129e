// The read quota's state for the charges of one audit append (run under the audit head's lock,
// which every charge takes first): per key and day, the day's distinct count so far and which
// of the asked person ids it has already read (those cost nothing again).
UNWIND $keys AS k
OPTIONAL MATCH (d:KeyDay {id: k.key_id + '|' + k.day})
CALL (k) {
  UNWIND k.ids AS pid
  MATCH (r:KeyRead {id: k.key_id + '|' + k.day + '|' + pid})
  RETURN collect(pid) AS read
}
RETURN k.key_id AS key_id, k.day AS day, coalesce(d.count, 0) AS count, d IS NULL AS opened, read
