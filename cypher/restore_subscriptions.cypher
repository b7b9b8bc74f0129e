// Alert subscriptions from a dump (graphsvc restore): $rows [{id, props}], each stored with
// exactly the dumped properties (the secret only when the operator supplied it). Returns the ids.
UNWIND $rows AS row
MERGE (s:Subscription {id: row.id})
SET s = row.props
RETURN row.id AS id
