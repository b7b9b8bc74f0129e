// Register-wide: (incident, identifier) pairs of incidents with no identified offender, for identifiers
// that at least two such incidents used (only those can join incidents into a cluster).
MATCH (i:Unidentified)-[:USED]->(x)
WITH x, collect(i.id) AS incidents
WHERE size(incidents) >= 2
UNWIND incidents AS incident_id
RETURN incident_id, labels(x)[0] AS kind, x.value AS value
