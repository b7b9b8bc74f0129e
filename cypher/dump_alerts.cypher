// A page of alerts with their delivery and triage state, in id order after $after, with every
// stored property and the text of each zoned date-time.
MATCH (a:Alert)
WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $limit
RETURN properties(a) AS props,
       [k IN keys(a) WHERE valueType(a[k]) CONTAINS 'ZONED DATETIME' |
        [k, CASE WHEN valueType(a[k]) STARTS WITH 'LIST' THEN [x IN a[k] | toString(x)] ELSE [toString(a[k])] END]] AS zoned,
       labels(a) AS labels
