// A page of the records due for review on or before $before (contract section 8), in
// (review_on, kind, id) order after the cursor ($after_on, $after_kind, $after_id; the first
// page passes the earliest date and empty strings); $agency: only that agency's records, or null.
// Each kind is read through its review_on index in order and cut at $limit; the union is sorted
// and cut again, so a page reads at most 5 x $limit records.
CALL () {
  MATCH (n:Person)
  WHERE n.review_on >= $after_on AND n.review_on <= $before AND ($agency IS NULL OR n.source = $agency)
    AND (n.review_on > $after_on OR 'person' > $after_kind OR ('person' = $after_kind AND n.id > $after_id))
  WITH n ORDER BY n.review_on, n.id LIMIT $limit
  RETURN 'person' AS kind, n
  UNION ALL
  MATCH (n:Incident)
  WHERE n.review_on >= $after_on AND n.review_on <= $before AND ($agency IS NULL OR n.source = $agency)
    AND (n.review_on > $after_on OR 'incident' > $after_kind OR ('incident' = $after_kind AND n.id > $after_id))
  WITH n ORDER BY n.review_on, n.id LIMIT $limit
  RETURN 'incident' AS kind, n
  UNION ALL
  MATCH (n:Order)
  WHERE n.review_on >= $after_on AND n.review_on <= $before AND ($agency IS NULL OR n.source = $agency)
    AND (n.review_on > $after_on OR 'order' > $after_kind OR ('order' = $after_kind AND n.id > $after_id))
  WITH n ORDER BY n.review_on, n.id LIMIT $limit
  RETURN 'order' AS kind, n
  UNION ALL
  MATCH (n:Registration)
  WHERE n.review_on >= $after_on AND n.review_on <= $before AND ($agency IS NULL OR n.source = $agency)
    AND (n.review_on > $after_on OR 'registration' > $after_kind OR ('registration' = $after_kind AND n.id > $after_id))
  WITH n ORDER BY n.review_on, n.id LIMIT $limit
  RETURN 'registration' AS kind, n
  UNION ALL
  MATCH (n:Notification)
  WHERE n.review_on >= $after_on AND n.review_on <= $before AND ($agency IS NULL OR n.source = $agency)
    AND (n.review_on > $after_on OR 'notification' > $after_kind OR ('notification' = $after_kind AND n.id > $after_id))
  WITH n ORDER BY n.review_on, n.id LIMIT $limit
  RETURN 'notification' AS kind, n
}
WITH kind, n ORDER BY n.review_on, kind, n.id LIMIT $limit
RETURN kind, n.id AS id, n.source AS source, n.review_on AS review_on, n.review_scheduled AS review_scheduled,
       n.retained_until AS retained_until, n.review_decided_on AS decided_on, n.review_decided_by AS decided_by,
       n.review_reasons AS reasons,
       CASE kind
         WHEN 'incident' THEN {type: n.type, outcome: n.outcome, occurred_at: n.occurred_at, precision: n.occurred_precision}
         WHEN 'order' THEN {type: n.type, issued_on: n.issued_on, expires_on: n.expires_on}
         WHEN 'registration' THEN {basis: n.basis, start_on: n.start_on, end_on: n.end_on}
         WHEN 'notification' THEN {type: n.type, notified_on: n.notified_on}
         ELSE {offender: n:Offender, victim: n:Victim, first_recorded_on: n.first_recorded_on}
       END AS what
