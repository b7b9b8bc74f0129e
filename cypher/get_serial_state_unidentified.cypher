// list_unidentified_victim_links for the persons $ids only, with no filter: the incidents with no
// identified offender that used an identifier of theirs (their own, or one used in incidents they
// offended in) while that identifier points at them alone, with the incidents' victims and the
// identifiers that bridge them. Keep the rule the same as list_unidentified_victim_links'.
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
WHERE p:Offender
CALL (p) {
  MATCH (p)-[:HAS_IDENTIFIER]->(x)
  RETURN x
  UNION
  MATCH (p)-[:OFFENDER_IN]->(:Incident)-[:USED]->(x)
  RETURN x
}
MATCH (x)<-[:USED]-(i:Unidentified)
WITH p, x, collect(i) AS incs
CALL (x) {
  CALL (x) {
    MATCH (q:Person)-[:HAS_IDENTIFIER]->(x)
    RETURN q
    UNION
    MATCH (q:Person)-[:OFFENDER_IN]->(:Incident)-[:USED]->(x)
    RETURN q
  }
  WITH q LIMIT 2
  RETURN count(q) AS holders
}
WITH p, x, incs
WHERE holders = 1
UNWIND incs AS i
WITH p, i, collect(x.value) AS bridges
WITH p, collect({incident_id: i.id, identifiers: bridges,
                 victim_ids: [(v:Person)-[:VICTIM_IN]->(i) | v.id]}) AS incidents
RETURN p.id AS person_id, incidents
