// The serial states of $person_ids (representatives) as the alert rules compare them before an
// apply round replaces them: members, victims (with the records each victim's group holds).
UNWIND $person_ids AS pid
MATCH (s:SerialState {person_id: pid})
RETURN s.person_id AS person_id, s.victim_count AS victim_count, s.entry AS entry
