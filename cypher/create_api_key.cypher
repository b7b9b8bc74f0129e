// Create an API key unless an active key already has that name; returns the clash count.
OPTIONAL MATCH (x:ApiKey {name: $props.name})
WHERE x.revoked_at IS NULL
WITH count(x) AS clashes
FOREACH (_ IN CASE WHEN clashes = 0 THEN [1] ELSE [] END | CREATE (k:ApiKey) SET k = $props)
RETURN clashes
