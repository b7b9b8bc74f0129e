// Charge a key's reads of the day (the read quota): one KeyRead per distinct person it read that
// day, counted on the key's KeyDay; returns the day's count after this answer's persons.
MERGE (d:KeyDay {id: $key_id + '|' + $day})
  ON CREATE SET d.key_id = $key_id, d.day = $day, d.count = 0, d.opened = true
  ON MATCH SET d.opened = false
WITH d
CALL (d) {
  UNWIND $ids AS pid
  MERGE (r:KeyRead {id: $key_id + '|' + $day + '|' + pid})
    ON CREATE SET r.key_id = $key_id, r.day = $day, r.person_id = pid, d.count = d.count + 1
  RETURN count(*) AS charged
}
RETURN d.count AS count, d.opened AS opened
