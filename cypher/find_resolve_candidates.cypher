// Candidates of each person in $rows [{id, q}] by blocking keys: a shared identifier, the same dob
// (or day and month transposed), the same folded family name with the same birth year or initial,
// and the full-text name index ($rows.q, a Lucene query, may be null). At most $per_key per key.
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
CALL (p) {
  MATCH (p)-[:HAS_IDENTIFIER]->(x)<-[:HAS_IDENTIFIER]-(c:Person)
  WHERE c <> p AND c.placeholder IS NULL
  RETURN DISTINCT c LIMIT $per_key
  UNION
  MATCH (c:Person)
  WHERE p.dob IS NOT NULL AND c.dob IN [p.dob] + CASE WHEN p.dob.day <= 12 AND p.dob.day <> p.dob.month
        THEN [date({year: p.dob.year, month: p.dob.day, day: p.dob.month})] ELSE [] END
    AND c <> p AND c.placeholder IS NULL
  RETURN c LIMIT $per_key
  UNION
  MATCH (c:Person {family_key: p.family_key})
  WHERE c <> p AND c.placeholder IS NULL
    AND (c.dob.year = p.dob.year OR left(c.name_key, 1) = left(p.name_key, 1))
  RETURN c LIMIT $per_key
}
WITH row, p, collect(c.id) AS ids
CALL (row, p) {
  WITH row, p WHERE row.q IS NOT NULL
  CALL db.index.fulltext.queryNodes('person_names', row.q, {limit: $per_key}) YIELD node
  WITH p, node WHERE node <> p AND node.placeholder IS NULL
  RETURN collect(node.id) AS named
  UNION
  WITH row WHERE row.q IS NULL
  RETURN [] AS named
}
RETURN row.id AS id, ids + named AS candidate_ids
