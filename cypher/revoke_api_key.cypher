// Revoke an active API key; returns it (no row when unknown or already revoked).
MATCH (k:ApiKey {key_id: $key_id})
WHERE k.revoked_at IS NULL
SET k.revoked_at = $at
RETURN k {.key_id, .name, .role, .agency, .created_at, .revoked_at} AS key
