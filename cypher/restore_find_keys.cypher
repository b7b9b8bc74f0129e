// Which of $key_ids name an API key here that is not revoked (graphsvc restore: a subscription
// restored without its secret must not belong to a live key, which would have it delivered).
UNWIND $key_ids AS kid
MATCH (k:ApiKey {key_id: kid})
WHERE k.revoked_at IS NULL
RETURN k.key_id AS key_id
