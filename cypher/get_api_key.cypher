// One API key by its public id (the hash included: for verification only).
MATCH (k:ApiKey {key_id: $key_id})
RETURN k {.*} AS key
