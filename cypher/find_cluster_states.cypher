// The unidentified-cluster states that hold any of the incidents $incident_ids, or are listed
// under one of them (a state whose first incident was deleted has lost that CLUSTER_OF link),
// with all the incidents they hold as they were written.
CALL () {
  UNWIND $incident_ids AS iid
  MATCH (:Incident {id: iid})<-[:CLUSTER_OF]-(c:ClusterState)
  RETURN c
  UNION
  UNWIND $incident_ids AS iid
  MATCH (c:ClusterState {cluster_id: iid})
  RETURN c
}
RETURN c.cluster_id AS cluster_id, c.incident_ids AS incident_ids
