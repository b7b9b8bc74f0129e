// The owner of each person, incident or order record among $ids (contract section 5): its kind,
// its source agency, and for a person whether she is recorded only as a victim.
MATCH (p:Person) WHERE p.id IN $ids
RETURN p.id AS id, 'person' AS kind, p.source AS source, (p:Victim AND NOT p:Offender) AS victim
UNION ALL
MATCH (i:Incident) WHERE i.id IN $ids
RETURN i.id AS id, 'incident' AS kind, i.source AS source, false AS victim
UNION ALL
MATCH (o:Order) WHERE o.id IN $ids
RETURN o.id AS id, 'order' AS kind, o.source AS source, false AS victim
