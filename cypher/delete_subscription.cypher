// End a subscription: it is kept, marked deleted, with its alerts (their delivery stops); no row
// when it is unknown or deleted already.
MATCH (s:Subscription {id: $id})
WHERE s.deleted_at IS NULL
SET s.deleted_at = $at
RETURN s {.id, .key_id, .agency, .url, .rules, .person_ids, .min_victims, .created_at, .deleted_at} AS subscription
