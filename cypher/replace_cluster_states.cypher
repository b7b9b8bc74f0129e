// Replace some unidentified-cluster states: delete the states $delete_ids (cluster ids: each
// cluster's first incident id), then write $rows [{cluster_id, rank, size, incident_ids,
// identifiers, bridging_identifiers, shared_identifiers}], each linked CLUSTER_OF to its incidents.
CALL () {
  UNWIND $delete_ids AS cid
  MATCH (c:ClusterState {cluster_id: cid})
  DETACH DELETE c
}
CALL () {
  UNWIND $rows AS row
  CREATE (c:ClusterState {cluster_id: row.cluster_id})
  SET c.rank = row.rank, c.size = row.size, c.incident_ids = row.incident_ids, c.identifiers = row.identifiers,
      c.bridging_identifiers = row.bridging_identifiers, c.shared_identifiers = row.shared_identifiers,
      c.updated_at = datetime()
  WITH c, row
  UNWIND row.incident_ids AS iid
  MATCH (i:Incident {id: iid})
  CREATE (c)-[:CLUSTER_OF]->(i)
}
RETURN size($rows) AS written
