// Alerts from a dump (graphsvc restore): $rows [{id, props}], each with its delivery and triage
// state as dumped (an alert not yet delivered is delivered by the dispatcher as usual). Returns the ids.
UNWIND $rows AS row
MERGE (a:Alert {id: row.id})
SET a = row.props
RETURN row.id AS id
