// The incidents $ids as the alert rules read them (graphsvc.services.alerts): owner, time, the
// offenders and victims named, and each identifier the perpetrator used with the persons holding it.
UNWIND $ids AS iid
MATCH (i:Incident {id: iid})
WHERE i.placeholder IS NULL
RETURN i.id AS id, i.source AS source, i.occurred_at AS occurred_at,
       [(p:Person)-[:OFFENDER_IN]->(i) | p.id] AS offender_ids,
       [(v:Person)-[:VICTIM_IN]->(i) | v.id] AS victim_ids,
       [(i)-[:USED]->(x) | {kind: head(labels(x)), value: x.value,
                            holder_ids: [(h:Person)-[:HAS_IDENTIFIER]->(x) | h.id]}] AS used
ORDER BY id
