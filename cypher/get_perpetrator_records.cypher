// What the perpetrator analyses read of the persons $ids (a person record and the records its
// identity links count with), as ONE row, in one round trip instead of three:
// `incidents`: the incidents in which any of $ids is an offender, as a table: a list of [id,
//   occurred_at (epoch ms), reported_at (epoch ms), type, outcome, occurred_precision (a time
//   known only to the day is shown as its date)]; not the source, which no
//   analysis reads (each property read costs Neo4j time per incident: docs/analysis.md, session 7).
//   A table of lists, not a record per incident: the Python driver's per-record cost dominated
//   for prolific offenders (docs/analysis.md). In no particular order:
//   graphsvc.repository.incidents.incident_table sorts it, oldest first.
// `parties`: who and what those incidents name, grouped by the party: a list of [party id,
//   relationship type (OFFENDER_IN, VICTIM_IN or BREACHED), positions in `incidents`].
//   Grouped by party, not listed per incident, so each party's id is read once, not once per
//   incident it is named in, and the offender's id is not sent once per incident (measured in
//   docs/analysis.md, session 7). incident_table puts them back.
// `orders`: orders restraining or protecting any of $ids, with the respondent and the protected.
// `unidentified`: incidents with no identified offender that used an identifier of $ids (their
//   own, or one used in incidents they offended in); empty unless $unidentified.
// `persons`: those of $ids that are on the register (fixation's 404, without a read of its own).
// `evidence`: the stored evidence of the POSSIBLY_SAME_AS links that count between the pairs of
//   person ids $pairs (the links that bring unconfirmed members into a group; the hop-by-hop link
//   reads leave the evidence out).
CALL () {
  UNWIND $ids AS pid
  MATCH (:Person {id: pid})-[:OFFENDER_IN]->(i:Incident)
  WITH DISTINCT i
  WITH collect(i) AS found
  CALL (found) {
    UNWIND range(0, size(found) - 1) AS k
    WITH k, found[k] AS i
    MATCH (i)-[r:OFFENDER_IN|VICTIM_IN|BREACHED]-(n)
    WITH n, type(r) AS kind, collect(k) AS at
    RETURN collect([n.id, kind, at]) AS parties
  }
  // a list comprehension keeps found's order, which the positions in `parties` refer to
  RETURN [i IN found | [i.id, i.occurred_at.epochMillis, i.reported_at.epochMillis, i.type,
                        i.outcome, i.occurred_precision]] AS incidents, parties
}
CALL () {
  UNWIND $ids AS pid
  MATCH (o:Order)-[:RESTRAINS|PROTECTS]->(:Person {id: pid})
  WITH DISTINCT o
  ORDER BY o.issued_on, o.id
  RETURN collect({id: o.id, type: o.type, issued_on: o.issued_on, expires_on: o.expires_on,
                  placeholder: o.placeholder, respondent_id: head([(o)-[:RESTRAINS]->(r:Person) | r.id]),
                  protected_ids: [(o)-[:PROTECTS]->(p:Person) | p.id]}) AS orders
}
CALL () {
  // not read when $unidentified is false (fixation shows none of it, and walking a prolific
  // offender's USED identifiers costs Neo4j time: docs/analysis.md, session 7)
  UNWIND CASE WHEN $unidentified THEN $ids ELSE [] END AS pid
  MATCH (p:Person {id: pid})
  CALL (p) {
    MATCH (p)-[:HAS_IDENTIFIER]->(x)
    RETURN x
    UNION
    MATCH (p)-[:OFFENDER_IN]->(:Incident)-[:USED]->(x)
    RETURN x
  }
  MATCH (x)<-[:USED]-(i:Unidentified)
  WITH DISTINCT p.id AS person_id, i.id AS incident_id, x.value AS identifier
  ORDER BY person_id, incident_id, identifier
  RETURN collect({person_id: person_id, incident_id: incident_id, identifier: identifier}) AS unidentified
}
CALL () {
  UNWIND $pairs AS pair
  MATCH (:Person {id: pair[0]})-[r:POSSIBLY_SAME_AS]-(:Person {id: pair[1]})
  WHERE r.status = 'confirmed' OR (r.status = 'proposed' AND r.probability >= $threshold)
  RETURN collect({a: pair[0], b: pair[1], evidence: r.evidence}) AS evidence
}
CALL () {
  UNWIND $ids AS pid
  MATCH (p:Person {id: pid})
  RETURN collect(p.id) AS persons
}
RETURN incidents, parties, orders, unidentified, evidence, persons
