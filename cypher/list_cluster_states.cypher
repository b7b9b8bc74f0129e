// A page of the unidentified clusters from the maintained state, largest first (ties: first
// incident id), after the rank $after (rank: size desc and first incident id as one string).
// Index-backed: the walk in rank order stops after $limit rows.
MATCH (c:ClusterState)
USING INDEX c:ClusterState(rank)
WHERE c.rank > $after
RETURN c.cluster_id AS cluster_id, c.incident_ids AS incident_ids, c.identifiers AS identifiers,
       c.bridging_identifiers AS bridging_identifiers, c.shared_identifiers AS shared_identifiers
ORDER BY c.rank
LIMIT $limit
