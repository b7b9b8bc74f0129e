// The live subscriptions of the key $key_id, or (when $key_id is null) of every key acting for
// $agency, or (both null) every one; oldest first. Never the secret.
MATCH (s:Subscription)
WHERE s.deleted_at IS NULL
  AND ($key_id IS NULL OR s.key_id = $key_id)
  AND ($key_id IS NOT NULL OR $agency IS NULL OR s.agency = $agency)
OPTIONAL MATCH (k:ApiKey {key_id: s.key_id})
RETURN s {.id, .key_id, .agency, .url, .rules, .person_ids, .min_victims, .created_at,
          active: k IS NOT NULL AND k.revoked_at IS NULL} AS subscription
ORDER BY s.created_at, s.id
