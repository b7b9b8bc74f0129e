// Register-wide: offenders whose identifiers (their own, or ones used in incidents they offended
// in) were used in incidents with no identified offender that pass the serial filters (agency =
// incident source, occurred in [$since, $until)), with those incidents, their victims and the
// identifiers that bridge them. Only identifiers that point at ONE person count: a phone a family
// shares, or that two named offenders both used, says nothing about which of them it was.
// The serial list counts these victims as possible victims, marked as such.
// Each identifier's people are looked up once, and only until a second one turns up.
MATCH (i:Unidentified)-[:USED]->(x)
WHERE ($agency IS NULL OR i.source = $agency)
  AND ($since IS NULL OR i.occurred_at >= $since)
  AND ($until IS NULL OR i.occurred_at < $until)
WITH x, collect(i) AS incs
CALL (x) {
  CALL (x) {
    MATCH (p:Person)-[:HAS_IDENTIFIER]->(x)
    RETURN p
    UNION
    MATCH (p:Person)-[:OFFENDER_IN]->(:Incident)-[:USED]->(x)
    RETURN p
  }
  WITH p LIMIT 2
  RETURN collect(p) AS persons
}
WITH x, incs, persons
WHERE size(persons) = 1 AND persons[0]:Offender
UNWIND incs AS i
WITH persons[0] AS p, i, collect(x.value) AS bridges
WITH p, collect({incident_id: i.id, identifiers: bridges,
                 victim_ids: [(v:Person)-[:VICTIM_IN]->(i) | v.id]}) AS incidents
RETURN p.id AS person_id, incidents
