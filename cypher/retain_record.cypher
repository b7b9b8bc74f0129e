// A retain decision on the record $kind $id (contract section 8): its next review is $next,
// kept as retained_until (a load of the record again keeps it: load_*), and the decision is
// added to the record's review history (parallel lists: on, by, reason, next review).
CALL () {
  WITH 1 AS one WHERE $kind = 'person'
  MATCH (n:Person {id: $id})
  RETURN n
  UNION
  WITH 1 AS one WHERE $kind = 'incident'
  MATCH (n:Incident {id: $id})
  RETURN n
  UNION
  WITH 1 AS one WHERE $kind = 'order'
  MATCH (n:Order {id: $id})
  RETURN n
  UNION
  WITH 1 AS one WHERE $kind = 'registration'
  MATCH (n:Registration {id: $id})
  RETURN n
  UNION
  WITH 1 AS one WHERE $kind = 'notification'
  MATCH (n:Notification {id: $id})
  RETURN n
}
WITH n WHERE n.placeholder IS NULL
SET n.retained_until = $next, n.review_on = $next,
    n.review_decided_on = coalesce(n.review_decided_on, []) + [$on],
    n.review_decided_by = coalesce(n.review_decided_by, []) + [$by],
    n.review_reasons = coalesce(n.review_reasons, []) + [$reason],
    n.review_next = coalesce(n.review_next, []) + [$next]
RETURN n.id AS id, n.source AS source, n.review_on AS review_on
