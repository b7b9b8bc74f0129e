// A page of alert subscriptions (contract section 6), live and deleted, in id order after $after,
// with every stored property (the secret too: graphsvc.repository.dump keeps it out of the dump)
// and the text of each zoned date-time.
MATCH (s:Subscription)
WHERE s.id > $after
WITH s ORDER BY s.id LIMIT $limit
RETURN properties(s) AS props,
       [k IN keys(s) WHERE valueType(s[k]) CONTAINS 'ZONED DATETIME' |
        [k, CASE WHEN valueType(s[k]) STARTS WITH 'LIST' THEN [x IN s[k] | toString(x)] ELSE [toString(s[k])] END]] AS zoned,
       labels(s) AS labels
