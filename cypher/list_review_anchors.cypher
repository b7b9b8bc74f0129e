// A page of $kind records after $after in id order, with what their scheduled review is counted
// from (graphsvc.analysis.retention.anchor): for graphsvc review reschedule.
CALL () {
  WITH 1 AS one WHERE $kind = 'person'
  MATCH (n:Person) WHERE n.id > $after AND n.placeholder IS NULL
  WITH n ORDER BY n.id LIMIT $limit
  RETURN n
  UNION
  WITH 1 AS one WHERE $kind = 'incident'
  MATCH (n:Incident) WHERE n.id > $after AND n.placeholder IS NULL
  WITH n ORDER BY n.id LIMIT $limit
  RETURN n
  UNION
  WITH 1 AS one WHERE $kind = 'order'
  MATCH (n:Order) WHERE n.id > $after AND n.placeholder IS NULL
  WITH n ORDER BY n.id LIMIT $limit
  RETURN n
  UNION
  WITH 1 AS one WHERE $kind = 'registration'
  MATCH (n:Registration) WHERE n.id > $after AND n.placeholder IS NULL
  WITH n ORDER BY n.id LIMIT $limit
  RETURN n
  UNION
  WITH 1 AS one WHERE $kind = 'notification'
  MATCH (n:Notification) WHERE n.id > $after AND n.placeholder IS NULL
  WITH n ORDER BY n.id LIMIT $limit
  RETURN n
}
RETURN n.id AS id, n.first_recorded_on AS first_recorded_on, n.occurred_at AS occurred_at, n.outcome AS outcome,
       n.issued_on AS issued_on, n.expires_on AS expires_on, n.start_on AS start_on, n.end_on AS end_on,
       n.notified_on AS notified_on
ORDER BY id
