// Delete up to $limit unidentified-cluster states (a rebuild clears them page by page); how many went.
MATCH (c:ClusterState)
WITH c LIMIT $limit
DETACH DELETE c
RETURN count(*) AS deleted
