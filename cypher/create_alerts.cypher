// Record alerts in the caller's transaction (the apply round of the write's outbox entry): take
// the alerts' head (its lock orders every alert: seq), then create each, due for delivery now.
// $rows: [{id, key, rule, subscription_id, created_at, person_ids, evidence, body}].
MERGE (h:AlertHead {id: 'alerts'})
  ON CREATE SET h.seq = 0
SET h.seq = h.seq + size($rows)
WITH h, h.seq - size($rows) AS base
UNWIND range(0, size($rows) - 1) AS n
WITH base, n, $rows[n] AS row
CREATE (a:Alert {id: row.id, key: row.key, rule: row.rule, subscription_id: row.subscription_id,
                 seq: base + n + 1, created_at: datetime(row.created_at), person_ids: row.person_ids,
                 evidence: row.evidence, body: row.body, attempts: 0, next_attempt_at: datetime()})
RETURN count(a) AS created
