// After a bulk import (graphsvc load --bulk): the list properties of notification records the
// importer's CSV cannot hold (an empty list, or one empty name: an empty cell is no property),
// set as the transactional load sets them (load_notifications). $rows: [{id, props}].
UNWIND $rows AS row
MATCH (n:Notification {id: row.id})
SET n += row.props
RETURN count(n) AS updated
