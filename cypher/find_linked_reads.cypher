// Whether any person of $a is within two person-steps (through an incident, an order or an
// identity link) of any person of $b.
RETURN EXISTS {
  MATCH (p:Person)-[:OFFENDER_IN|VICTIM_IN|RESTRAINS|PROTECTS|POSSIBLY_SAME_AS*1..4]-(q:Person)
  WHERE p.id IN $a AND q.id IN $b
} AS linked
