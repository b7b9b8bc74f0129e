// The owner of each person, incident, order, registration or notification record among $ids
// (contract sections 5 and 7; the register's records are owned by the managing agency): its kind,
// its source agency, and for a person whether she is recorded only as a victim.
MATCH (p:Person) WHERE p.id IN $ids
RETURN p.id AS id, 'person' AS kind, p.source AS source, (p:Victim AND NOT p:Offender) AS victim
UNION ALL
MATCH (i:Incident) WHERE i.id IN $ids
RETURN i.id AS id, 'incident' AS kind, i.source AS source, false AS victim
UNION ALL
MATCH (o:Order) WHERE o.id IN $ids
RETURN o.id AS id, 'order' AS kind, o.source AS source, false AS victim
UNION ALL
MATCH (r:Registration) WHERE r.id IN $ids
RETURN r.id AS id, 'registration' AS kind, coalesce(r.managed_by, r.source) AS source, false AS victim
UNION ALL
MATCH (n:Notification) WHERE n.id IN $ids
OPTIONAL MATCH (n)-[:NOTIFIES]->(r:Registration)
RETURN n.id AS id, 'notification' AS kind, coalesce(r.managed_by, n.source) AS source, false AS victim
