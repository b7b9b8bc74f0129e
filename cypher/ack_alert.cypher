// Acknowledge an alert of one of $subscription_ids with a note; no row when it is not theirs.
MATCH (a:Alert {id: $id})
WHERE a.subscription_id IN $subscription_ids
SET a.acked_at = datetime($at), a.acked_by = $actor, a.ack_note = $note
RETURN a.seq AS seq, a.body AS body, a.delivered_at AS delivered_at, a.attempts AS attempts,
       a.failed_at AS failed_at, a.last_error AS last_error, a.acked_at AS acked_at, a.acked_by AS acked_by,
       a.ack_note AS ack_note
