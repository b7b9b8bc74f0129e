// The intake check's candidates in ONE round trip: persons whose identifiers (their own, or used
// in incidents they offended in) are among the subject's, persons found by the full-text name index
// ($s.q, a Lucene query; null for none), persons born on any of $s.dobs (with a name initial among
// $s.initials, unless null); then, for each, in the order
// first found (identifier hits, names, dates of birth), what the scorer needs (as
// get_match_candidates, which search uses: change both) and the identifier hits that brought them. One query instead of four:
// each round trip costs the check driver work, and the lists come back as one row per candidate
// instead of one per hit (docs/analysis.md, "The intake check"). Each candidate's identity links that
// count ($threshold) come with it: the first hop of the link search, which then needs a round trip
// only for the persons those links reach.
// The subject's values come in ONE map, $s ({phones, emails, handles, vehicles, q, dobs, initials,
// complainant}): Neo4j caches a plan per query text AND parameter types, and a null, an empty list
// and a list of strings are three types, so separate parameters made some 50 plans of this query
// in 400 checks, each planned on its first sight (most of a second) after every restart; a map is
// one type (docs/pattern-state.md, "The check's plans").
CALL () {
  CALL () {
    UNWIND $s.phones AS v MATCH (x:Phone {value: v}) RETURN x, 'phones' AS field
    UNION ALL
    UNWIND $s.emails AS v MATCH (x:Email {value: v}) RETURN x, 'emails' AS field
    UNION ALL
    UNWIND $s.handles AS v MATCH (x:Handle {value: v}) RETURN x, 'handles' AS field
    UNION ALL
    UNWIND $s.vehicles AS v MATCH (x:Vehicle {value: v}) RETURN x, 'vehicles' AS field
  }
  CALL (x) {
    MATCH (p:Person)-[:HAS_IDENTIFIER]->(x)
    RETURN p, 'own' AS how, null AS incident_id
    UNION
    MATCH (p:Person)-[:OFFENDER_IN]->(i:Incident)-[:USED]->(x)
    RETURN p, 'used' AS how, i.id AS incident_id
  }
  WITH p, field, x, how, collect(incident_id) AS incident_ids
  LIMIT $limit
  RETURN collect({p: p, field: field, value: x.value, how: how, incident_ids: incident_ids[..10]}) AS hits
}
CALL () {
  WITH $s.q AS q
  WHERE q IS NOT NULL
  CALL db.index.fulltext.queryNodes('person_names', q, {limit: $name_limit}) YIELD node
  RETURN collect(node) AS by_name
}
CALL () {
  // born that day and, when the subject is named, sharing the initial of a given or family name:
  // the linkage model's own blocking rule (date of birth and the soundex of either name, whose
  // first character is the initial), so persons who share only a birthday are left out
  UNWIND $s.dobs AS d
  MATCH (p:Person {dob: d})
  WHERE $s.initials IS NULL OR left(p.name_key, 1) IN $s.initials OR left(p.family_key, 1) IN $s.initials
  WITH p
  LIMIT $dob_limit
  RETURN collect(p) AS by_dob
}
// who already offended against the complainant (incidents) or is restrained from them (orders):
// read once from the complainant's side, not from each candidate's (an offender's every incident)
CALL () {
  OPTIONAL MATCH (c:Person {id: $s.complainant})-[:VICTIM_IN]->(i:Incident)<-[:OFFENDER_IN]-(o:Person)
  WITH o, i.id AS id ORDER BY id
  WITH o, collect(id) AS ids WHERE o IS NOT NULL
  RETURN collect({o: o, ids: ids}) AS against
}
CALL () {
  OPTIONAL MATCH (c:Person {id: $s.complainant})<-[:PROTECTS]-(r:Order)-[:RESTRAINS]->(o:Person)
  WITH o, r.id AS id ORDER BY id
  WITH o, collect(id) AS ids WHERE o IS NOT NULL
  RETURN collect({o: o, ids: ids}) AS restrained
}
WITH hits, [h IN hits | h.p] + by_name + by_dob AS found, against, restrained
CALL (found) {
  UNWIND range(0, size(found) - 1) AS k
  WITH found[k] AS p, min(k) AS first
  ORDER BY first
  RETURN collect(p) AS people
}
CALL (people) {
  UNWIND people AS p
  WITH DISTINCT p.family_key AS key
  WHERE key IS NOT NULL
  RETURN collect({key: key, n: COUNT { MATCH (q:Person {family_key: key}) RETURN q LIMIT 65 } - 1}) AS counts
}
UNWIND range(0, size(people) - 1) AS rank
WITH people[rank] AS p, rank, counts, hits, against, restrained
WITH p, rank, counts, hits, against, restrained,
     [(p)-[:HAS_IDENTIFIER]->(x) | {kind: head(labels(x)), value: x.value}] AS ids
RETURN p.id AS person_id, p.given_name AS given_name, p.family_name AS family_name, p.aliases AS aliases,
       p.dob AS dob, labels(p) AS labels, p.source AS source,
       [i IN ids WHERE i.kind = 'Phone' | i.value] AS phones,
       [i IN ids WHERE i.kind = 'Email' | i.value] AS emails,
       [i IN ids WHERE i.kind = 'Handle' | i.value] AS handles,
       [i IN ids WHERE i.kind = 'Vehicle' | i.value] AS vehicles,
       coalesce(head([c IN counts WHERE c.key = p.family_key | c.n]), 0) AS namesakes,
       coalesce(head([a IN against WHERE a.o = p | a.ids]), [])
         + coalesce(head([r IN restrained WHERE r.o = p | r.ids]), []) AS complainant_contact,
       [h IN hits WHERE h.p = p | {field: h.field, value: h.value, how: h.how, incident_ids: h.incident_ids}]
         AS identifier_hits,
       // the first hop of the identity-link search (find_identity_links' rows: change both), so the
       // check reads links again only from the persons these reach
       [(p)-[r:POSSIBLY_SAME_AS]-(:Person)
          WHERE r.status = 'confirmed' OR (r.status = 'proposed' AND r.probability >= $threshold)
        | {a: startNode(r).id, b: endNode(r).id, status: r.status, probability: r.probability,
           decided_by: r.decided_by}] AS identity_links
ORDER BY rank
