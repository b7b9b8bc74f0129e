// Erases a registration: its person and order (contract section 8, "dispose"): the links the record wrote go, as a load of
// it would replace them, and the record becomes what a reference to it is (a placeholder with
// its id only) while another record still names it, else it goes. Returns the element ids of
// the nodes it let go of (delete_orphans removes those nothing else holds), the persons whose
// roles and pattern state may change, and what else the caller must bring up to date.
MATCH (n:Registration {id: $id}) WHERE n.placeholder IS NULL
WITH n, n.source AS source
CALL (n) {
  OPTIONAL MATCH (n)-[r:REGISTERS|UNDER_ORDER|REPORTED_BY]->(x)
  DELETE r
  RETURN collect(DISTINCT elementId(x)) AS out_released, [y IN collect(DISTINCT x) WHERE y:Person | y.id] AS out_people,
         [y IN collect(DISTINCT x) WHERE y:Registration | y.id] AS registration_ids
}
WITH n, source, out_released, out_people, registration_ids, [] AS in_released, [] AS in_people
WITH n, source, out_released, out_people, registration_ids, in_released, in_people, [] AS linked
WITH n, source, out_released, out_people, registration_ids, in_released, in_people, linked, [] AS clustered
WITH n, source, out_released + in_released AS released, out_people + in_people AS person_ids,
     registration_ids, linked, reduce(acc = [], ids IN clustered | acc + ids) AS cluster_incident_ids,
     EXISTS { (n)-[r]-() WHERE NOT type(r) IN ['STATE_OF', 'CLUSTER_OF'] } AS referenced
FOREACH (_ IN CASE WHEN referenced THEN [1] ELSE [] END | SET n = {id: $id, placeholder: true})
WITH n, source, released, person_ids, registration_ids, linked, cluster_incident_ids, referenced
CALL (n, referenced) {
  WITH n WHERE NOT referenced
  DETACH DELETE n
}
RETURN source, released, person_ids, registration_ids, linked, cluster_incident_ids, referenced AS placeholder
