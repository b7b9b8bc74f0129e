// The alerts' counter (AlertHead: the last alert's seq; its lock orders the alerts), with every
// stored property and the text of each zoned date-time.
MATCH (h:AlertHead)
RETURN properties(h) AS props,
       [k IN keys(h) WHERE valueType(h[k]) CONTAINS 'ZONED DATETIME' |
        [k, CASE WHEN valueType(h[k]) STARTS WITH 'LIST' THEN [x IN h[k] | toString(x)] ELSE [toString(h[k])] END]] AS zoned,
       labels(h) AS labels
ORDER BY h.id
