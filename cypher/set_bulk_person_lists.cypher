// After a bulk import (graphsvc load --bulk): the list properties of person records the
// importer's CSV cannot hold (an empty list: an empty cell is no property), set as the
// transactional load sets them (load_persons). $rows: [{id, props}].
UNWIND $rows AS row
MATCH (n:Person {id: row.id})
SET n += row.props
RETURN count(n) AS updated
