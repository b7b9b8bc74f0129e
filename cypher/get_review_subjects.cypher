// What a review needs of each record $items [{kind, id}] (contract section 8): its source and
// review dates, and the facts that may hold it (graphsvc.analysis.retention.holds): the orders
// it is or that need it (an order's own; the orders restraining or protecting a person; those an
// incident breached or a registration is under), the registrations it is or that need it (a
// person's; an order's; a notification's), and the perpetrators concerned (a person who is
// one, an incident's offenders) with their distinct victims, counted by identity group where
// the pattern state holds the group (as the serial ranking counts), else their own. A record
// that is not there (or only a placeholder) comes back with found false.
UNWIND $items AS it
CALL (it) {
  WITH it WHERE it.kind = 'person'
  MATCH (n:Person {id: it.id})
  RETURN n,
         [(o:Order)-[:RESTRAINS|PROTECTS]->(n) | o] AS orders,
         [(r:Registration)-[:REGISTERS]->(n) | r] AS registrations,
         CASE WHEN n:Offender THEN [n] ELSE [] END AS perpetrators
  UNION
  WITH it WHERE it.kind = 'incident'
  MATCH (n:Incident {id: it.id})
  RETURN n, [(n)-[:BREACHED]->(o:Order) | o] AS orders, [] AS registrations,
         [(p:Person)-[:OFFENDER_IN]->(n) | p] AS perpetrators
  UNION
  WITH it WHERE it.kind = 'order'
  MATCH (n:Order {id: it.id})
  RETURN n, [n] AS orders, [(r:Registration)-[:UNDER_ORDER]->(n) | r] AS registrations, [] AS perpetrators
  UNION
  WITH it WHERE it.kind = 'registration'
  MATCH (n:Registration {id: it.id})
  RETURN n, [(n)-[:UNDER_ORDER]->(o:Order) | o] AS orders, [n] AS registrations, [] AS perpetrators
  UNION
  WITH it WHERE it.kind = 'notification'
  MATCH (n:Notification {id: it.id})
  RETURN n, [] AS orders, [(n)-[:NOTIFIES]->(r:Registration) | r] AS registrations, [] AS perpetrators
}
RETURN it.kind AS kind, it.id AS id, n.placeholder IS NULL AS found, n.source AS source,
       n.review_on AS review_on, n.review_scheduled AS review_scheduled, n.retained_until AS retained_until,
       [o IN orders WHERE o.placeholder IS NULL | {id: o.id, issued_on: o.issued_on, expires_on: o.expires_on}] AS orders,
       [r IN registrations WHERE r.placeholder IS NULL | {id: r.id, start_on: r.start_on, end_on: r.end_on}] AS registrations,
       [p IN perpetrators | {person_id: p.id,
          victims: coalesce([(s:SerialState)-[:STATE_OF]->(p) | s.victim_count][0],
                            size(COLLECT { MATCH (p)-[:OFFENDER_IN]->(:Incident)<-[:VICTIM_IN]-(v:Person) RETURN DISTINCT v.id }))}] AS victim_counts
