// Node state from a dump (graphsvc restore): each row's properties ({id, props}) set on the
// Registration node its record's load made, after the load (so the dumped value wins). A placeholder
// the records do not make again (it held only state or an identity link) is made here. Returns
// the ids applied; a row with no node (and no placeholder mark) returns nothing.
UNWIND $rows AS row
OPTIONAL MATCH (found:Registration {id: row.id})
WITH row, found
WHERE found IS NOT NULL OR row.props.placeholder = true
MERGE (n:Registration {id: row.id})
SET n += row.props
RETURN row.id AS id
