// What the scorer needs of each candidate: names, dob, identifiers, namesakes, contact with the complainant.
// Namesakes are counted up to 64 (the rarity bonus is 0 from 7 on, and counting every holder of a
// common name was most of this query's time at 1M people: docs/analysis.md, "Measurements behind
// the code"), once per distinct family name among the candidates, not once per candidate: a name
// search brings many of one name.
// Identifiers are read in one expansion and sorted by kind here.
// The intake check reads the same details inside find_check_candidates (one round trip): change both.
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
WITH collect(p) AS people
CALL (people) {
  UNWIND people AS p
  WITH DISTINCT p.family_key AS key
  WHERE key IS NOT NULL
  RETURN collect({key: key, n: COUNT { MATCH (q:Person {family_key: key}) RETURN q LIMIT 65 } - 1}) AS counts
}
UNWIND people AS p
WITH p, counts, [(p)-[:HAS_IDENTIFIER]->(x) | {kind: head(labels(x)), value: x.value}] AS ids
RETURN p.id AS person_id, p.given_name AS given_name, p.family_name AS family_name, p.aliases AS aliases,
       p.dob AS dob, p.source AS source, labels(p) AS labels,
       [i IN ids WHERE i.kind = 'Phone' | i.value] AS phones,
       [i IN ids WHERE i.kind = 'Email' | i.value] AS emails,
       [i IN ids WHERE i.kind = 'Handle' | i.value] AS handles,
       [i IN ids WHERE i.kind = 'Vehicle' | i.value] AS vehicles,
       coalesce(head([c IN counts WHERE c.key = p.family_key | c.n]), 0) AS namesakes,
       CASE WHEN $complainant IS NULL THEN []
            ELSE [(p)-[:OFFENDER_IN]->(i:Incident)<-[:VICTIM_IN]-(:Person {id: $complainant}) | i.id]
               + [(o:Order)-[:RESTRAINS]->(p) WHERE (o)-[:PROTECTS]->(:Person {id: $complainant}) | o.id]
       END AS complainant_contact
