// Every API key without its hash, oldest first.
MATCH (k:ApiKey)
RETURN k {.key_id, .name, .role, .agency, .created_at, .revoked_at} AS key
ORDER BY k.created_at, k.key_id
