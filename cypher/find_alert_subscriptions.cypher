// The subscriptions the alert rules are evaluated for: live, of a key not revoked, with the role
// and agency the key acts with (a subscription acts with its key's). Never the secret.
MATCH (s:Subscription)
WHERE s.deleted_at IS NULL
MATCH (k:ApiKey {key_id: s.key_id})
WHERE k.revoked_at IS NULL
RETURN s.id AS id, s.key_id AS key_id, k.role AS role, k.agency AS agency, s.rules AS rules,
       s.person_ids AS person_ids, s.min_victims AS min_victims
ORDER BY s.id
