// One live subscription by id, never the secret (no row: unknown or deleted).
MATCH (s:Subscription {id: $id})
WHERE s.deleted_at IS NULL
OPTIONAL MATCH (k:ApiKey {key_id: s.key_id})
RETURN s {.id, .key_id, .agency, .url, .rules, .person_ids, .min_victims, .created_at,
          active: k IS NOT NULL AND k.revoked_at IS NULL} AS subscription
