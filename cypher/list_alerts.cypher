// The alerts of the subscriptions $subscription_ids after seq $after, oldest first (GET /alerts),
// with their delivery and triage.
UNWIND $subscription_ids AS sid
MATCH (a:Alert {subscription_id: sid})
WHERE a.seq > $after
WITH a ORDER BY a.seq LIMIT $limit
RETURN a.seq AS seq, a.body AS body, a.delivered_at AS delivered_at, a.attempts AS attempts,
       a.failed_at AS failed_at, a.last_error AS last_error, a.acked_at AS acked_at, a.acked_by AS acked_by,
       a.ack_note AS ack_note
ORDER BY seq
