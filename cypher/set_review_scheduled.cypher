// Sets each $kind record's scheduled review ($rows [{id, scheduled, first_recorded_on}]) and its
// review_on (a retain decision's date stands); a person's first_recorded_on is kept where it is set.
UNWIND $rows AS row
CALL (row) {
  WITH row WHERE $kind = 'person'
  MATCH (n:Person {id: row.id})
  RETURN n
  UNION
  WITH row WHERE $kind = 'incident'
  MATCH (n:Incident {id: row.id})
  RETURN n
  UNION
  WITH row WHERE $kind = 'order'
  MATCH (n:Order {id: row.id})
  RETURN n
  UNION
  WITH row WHERE $kind = 'registration'
  MATCH (n:Registration {id: row.id})
  RETURN n
  UNION
  WITH row WHERE $kind = 'notification'
  MATCH (n:Notification {id: row.id})
  RETURN n
}
SET n.review_scheduled = row.scheduled, n.review_on = coalesce(n.retained_until, row.scheduled)
FOREACH (_ IN CASE WHEN $kind = 'person' THEN [1] ELSE [] END |
  SET n.first_recorded_on = coalesce(n.first_recorded_on, row.first_recorded_on))
RETURN count(n) AS updated
