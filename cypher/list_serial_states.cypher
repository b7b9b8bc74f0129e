// A page of the serial ranking from the maintained state: the states after $after in rank order
// (rank: risk score desc, victim count desc, person id, as one string) whose stored score holds on
// $today (as_of <= $today < valid_until), with at least $min_victims victims or possible victims.
// Index-backed: the walk in rank order stops after $limit rows.
MATCH (s:SerialState)
USING INDEX s:SerialState(rank)
WHERE s.rank > $after
  AND s.as_of <= $today AND s.valid_until > $today
  AND (s.victim_count >= $min_victims OR s.victim_count + s.possible_victim_count >= $min_victims)
RETURN s.rank AS rank, s.entry AS entry, s.stats AS stats, s.orders AS orders
ORDER BY s.rank
LIMIT $limit
