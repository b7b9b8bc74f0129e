// Every serial state with its members (graphsvc state verify), after $after in person id order.
MATCH (s:SerialState)
WHERE s.person_id > $after
WITH s ORDER BY s.person_id LIMIT $limit
RETURN s.person_id AS person_id, s.rank AS rank, s.as_of AS as_of, s.valid_until AS valid_until,
       s.entry AS entry, s.stats AS stats, s.orders AS orders, s.check AS check,
       [(s)-[:STATE_OF]->(m:Person) | m.id] AS member_ids
