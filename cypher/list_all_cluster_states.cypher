// Every unidentified-cluster state (graphsvc state verify), after $after in cluster id order.
MATCH (c:ClusterState)
WHERE c.cluster_id > $after
WITH c ORDER BY c.cluster_id LIMIT $limit
RETURN c.cluster_id AS cluster_id, c.rank AS rank, c.incident_ids AS incident_ids, c.identifiers AS identifiers,
       c.bridging_identifiers AS bridging_identifiers, c.shared_identifiers AS shared_identifiers,
       [(c)-[:CLUSTER_OF]->(i:Incident) | i.id] AS linked_ids
