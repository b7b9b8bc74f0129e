// Delete up to $limit serial states (a rebuild clears the state page by page); how many went.
MATCH (s:SerialState)
WITH s LIMIT $limit
DETACH DELETE s
RETURN count(*) AS deleted
