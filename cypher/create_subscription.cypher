// Store an alert subscription (contract section 6). $props: {id, key_id, agency, role, url, secret,
// rules, person_ids, min_victims, created_at}. The secret is the HMAC key the deliveries are
// signed with: stored for that and never read back by any other query.
CREATE (s:Subscription)
SET s = $props, s.delivered_seq = 0
RETURN s {.id, .key_id, .agency, .url, .rules, .person_ids, .min_victims, .created_at} AS subscription
