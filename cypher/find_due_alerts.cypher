// For each live subscription of a key not revoked (and not in $busy; only $only when given), its
// oldest alert not yet delivered nor given up, when due: one per subscription, so each is
// delivered in order.
MATCH (s:Subscription)
WHERE s.deleted_at IS NULL AND NOT s.id IN $busy AND ($only IS NULL OR s.id = $only)
MATCH (k:ApiKey {key_id: s.key_id})
WHERE k.revoked_at IS NULL
CALL (s) {
  MATCH (a:Alert {subscription_id: s.id})
  WHERE a.seq > s.delivered_seq AND a.delivered_at IS NULL AND a.failed_at IS NULL
  RETURN a ORDER BY a.seq LIMIT 1
}
WITH s, k, a
WHERE a.next_attempt_at <= datetime()
RETURN a.id AS id, a.seq AS seq, a.body AS body, a.attempts AS attempts, a.created_at AS created_at,
       s.id AS subscription_id, s.url AS url, s.secret AS secret,
       k.key_id AS key_id, k.name AS key_name, k.role AS role, k.agency AS agency
ORDER BY a.seq
LIMIT $limit
