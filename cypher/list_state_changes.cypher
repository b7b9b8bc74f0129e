// The oldest $limit entries of the pattern state's outbox (create_state_change), oldest first.
MATCH (c:StateChange)
WHERE c.at IS NOT NULL
RETURN elementId(c) AS change_id, c.at AS at, c.person_ids AS person_ids,
       c.record_ids AS record_ids, c.incident_ids AS incident_ids,
       coalesce(c.order_ids, []) AS order_ids, coalesce(c.register_ids, []) AS register_ids
ORDER BY c.at
LIMIT $limit
