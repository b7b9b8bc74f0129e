// Store the charges an audit append accepted (the read quota): per key and day its new distinct
// count and one KeyRead per person read for the first time that day.
UNWIND $days AS k
MERGE (d:KeyDay {id: k.key_id + '|' + k.day})
  ON CREATE SET d.key_id = k.key_id, d.day = k.day
SET d.count = k.count
WITH k
CALL (k) {
  UNWIND k.new AS pid
  MERGE (r:KeyRead {id: k.key_id + '|' + k.day + '|' + pid})
    ON CREATE SET r.key_id = k.key_id, r.day = k.day, r.person_id = pid
  RETURN count(*) AS added
}
RETURN count(*) AS days
