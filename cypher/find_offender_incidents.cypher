// The incidents any of $ids offended in, with everyone they name and the orders they breached.
UNWIND $ids AS pid
MATCH (:Person {id: pid})-[:OFFENDER_IN]->(i:Incident)
WITH DISTINCT i
RETURN i.id AS id, i.occurred_at.epochMillis AS occurred_at_epoch_ms, i.reported_at.epochMillis AS reported_at_epoch_ms, i.type AS type,
       i.outcome AS outcome, i.source AS source,
       [(o:Person)-[:OFFENDER_IN]->(i) | o.id] AS offender_ids,
       [(v:Person)-[:VICTIM_IN]->(i) | v.id] AS victim_ids,
       [(i)-[:BREACHED]->(o:Order) | o.id] AS breached_order_ids
ORDER BY occurred_at_epoch_ms, id
