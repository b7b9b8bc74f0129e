// The outcome of one delivery attempt: delivered ($delivered: the subscription moves past it),
// retried at $next_attempt_at, or given up ($failed: kept for pull, the next one goes).
MATCH (a:Alert {id: $id})
MATCH (s:Subscription {id: a.subscription_id})
SET a.attempts = a.attempts + 1, a.last_attempt_at = datetime(), a.last_error = $error,
    a.next_attempt_at = CASE WHEN $next_attempt_at IS NULL THEN a.next_attempt_at ELSE datetime($next_attempt_at) END
FOREACH (_ IN CASE WHEN $delivered THEN [1] ELSE [] END | SET a.delivered_at = datetime())
FOREACH (_ IN CASE WHEN $failed THEN [1] ELSE [] END | SET a.failed_at = datetime())
FOREACH (_ IN CASE WHEN ($delivered OR $failed) AND a.seq > s.delivered_seq THEN [1] ELSE [] END |
  SET s.delivered_seq = a.seq)
RETURN a.attempts AS attempts
