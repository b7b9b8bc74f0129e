// Outgoing relationships (of the types in $types, the caller's allow-list) of the nodes of a
// network export; the caller keeps those whose far end is in the export, and each record's
// agency (REPORTED_BY).
UNWIND $eids AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[r]->(b)
WHERE type(r) IN $types
RETURN eid AS source,
       elementId(b) AS target,
       elementId(r) AS rid,
       type(r) AS type,
       properties(r) AS props,
       CASE WHEN b:Agency THEN b.code END AS agency
