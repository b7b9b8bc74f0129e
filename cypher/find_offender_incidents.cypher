// The incidents in which any of $ids is an offender, oldest first, as ONE row holding a table:
// `incidents` is a list of [id, occurred_at (epoch ms), reported_at (epoch ms), type, outcome,
// source, offender_ids, victim_ids, breached_order_ids]. One record of lists instead of one record
// per incident: the Python driver's per-record cost dominated for prolific offenders (5,000
// incidents: about 3x faster, docs/analysis.md). graphsvc.repo.analysis.incident_table reads it.
UNWIND $ids AS pid
MATCH (:Person {id: pid})-[:OFFENDER_IN]->(i:Incident)
WITH DISTINCT i
ORDER BY i.occurred_at, i.id
RETURN collect([i.id, i.occurred_at.epochMillis, i.reported_at.epochMillis, i.type, i.outcome, i.source,
                [(o:Person)-[:OFFENDER_IN]->(i) | o.id],
                [(v:Person)-[:VICTIM_IN]->(i) | v.id],
                [(i)-[:BREACHED]->(o:Order) | o.id]]) AS incidents
