// Writes proposals $rows [{a, b, probability, match_weight, evidence}] as (a)-[:POSSIBLY_SAME_AS]->(b), a < b.
// New links are 'proposed'; a human decision (confirmed, rejected) is never overwritten, only its
// probability and evidence refreshed. updated_at moves only when a value changed (re-runs change nothing).
UNWIND $rows AS row
MATCH (a:Person {id: row.a}), (b:Person {id: row.b})
MERGE (a)-[r:POSSIBLY_SAME_AS]->(b)
  ON CREATE SET r.status = 'proposed', r.created_at = $now
WITH r, row,
     (r.probability IS NULL OR r.probability <> row.probability OR r.match_weight <> row.match_weight
      OR r.evidence <> row.evidence OR r.model <> $model) AS changed
SET r.probability = row.probability, r.match_weight = row.match_weight, r.evidence = row.evidence,
    r.model = $model, r.updated_at = CASE WHEN changed THEN $now ELSE r.updated_at END
RETURN count(r) AS written, sum(CASE WHEN changed THEN 1 ELSE 0 END) AS changed
