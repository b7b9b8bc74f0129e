// Cheap counts (from the count store) that change whenever incidents or their links do: the
// fingerprint of the cached unidentified-cluster job.
CALL () { MATCH (n:Incident) RETURN count(n) AS incidents }
CALL () { MATCH ()-[r:USED]->() RETURN count(r) AS used }
CALL () { MATCH ()-[r:OFFENDER_IN]->() RETURN count(r) AS offender_links }
CALL () { MATCH ()-[r:VICTIM_IN]->() RETURN count(r) AS victim_links }
RETURN incidents, used, offender_links, victim_links
