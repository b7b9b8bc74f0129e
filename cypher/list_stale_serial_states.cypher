// The serial states whose stored score does not hold on $today (an order came into force or
// expired since it was stored, or it was stored for a later day), with at least $min_victims
// victims or possible victims: their score is worked out from their stored orders at read time.
CALL () {
  MATCH (s:SerialState) WHERE s.valid_until <= $today
  RETURN s
  UNION
  MATCH (s:SerialState) WHERE s.as_of > $today
  RETURN s
}
WITH s
WHERE s.victim_count >= $min_victims OR s.victim_count + s.possible_victim_count >= $min_victims
RETURN s.rank AS rank, s.entry AS entry, s.stats AS stats, s.orders AS orders
