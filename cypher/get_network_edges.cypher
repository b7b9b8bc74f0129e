// Outgoing relationships of the nodes of a network export (the caller keeps those whose far
// end is in the export) and each record's agency.
UNWIND $eids AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[r:OFFENDER_IN|VICTIM_IN|USED|BREACHED|RESTRAINS|PROTECTS|HAS_IDENTIFIER|HAS_ADDRESS|POSSIBLY_SAME_AS|REPORTED_BY]->(b)
RETURN eid AS source,
       elementId(b) AS target,
       elementId(r) AS rid,
       type(r) AS type,
       properties(r) AS props,
       CASE WHEN b:Agency THEN b.code END AS agency
