// The alerts' counter from a dump (graphsvc restore): $rows [{id, props}]; a counter already
// here keeps the higher seq (a seq is never given twice).
UNWIND $rows AS row
MERGE (h:AlertHead {id: row.id})
WITH h, row, h.seq AS had
SET h = row.props
SET h.seq = CASE WHEN had IS NOT NULL AND had > row.props.seq THEN had ELSE row.props.seq END
RETURN row.id AS id
