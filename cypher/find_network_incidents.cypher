// The nodes a cluster export starts from: incidents by id (unknown ids give no row).
UNWIND $incident_ids AS iid
MATCH (i:Incident {id: iid})
RETURN elementId(i) AS eid, i.id AS id
