// Replace the serial states of some identity groups: delete the states of $delete_ids (their
// representatives' person ids), then write $rows [{person_id, member_ids, rank, as_of,
// valid_until, victim_count, possible_victim_count, entry, stats, orders, check}], each linked STATE_OF
// to every person record of its group.
CALL () {
  UNWIND $delete_ids AS pid
  MATCH (s:SerialState {person_id: pid})
  DETACH DELETE s
}
CALL () {
  UNWIND $rows AS row
  CREATE (s:SerialState {person_id: row.person_id})
  SET s.rank = row.rank, s.as_of = date(row.as_of), s.valid_until = date(row.valid_until),
      s.victim_count = row.victim_count, s.possible_victim_count = row.possible_victim_count,
      s.entry = row.entry, s.stats = row.stats, s.orders = row.orders, s.check = row.check,
      s.updated_at = datetime()
  WITH s, row
  UNWIND row.member_ids AS mid
  MATCH (m:Person {id: mid})
  CREATE (s)-[:STATE_OF]->(m)
}
RETURN size($rows) AS written
