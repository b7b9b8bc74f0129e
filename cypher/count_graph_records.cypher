// Cheap counts (from the count store) that change whenever incidents, orders or their links do,
// and the register's write counter (bump_register_version), which changes with every write of
// records even when no count does: the fingerprint of the cached register-wide pattern jobs
// (serial ranking, unidentified clusters).
CALL () { MATCH (n:Incident) RETURN count(n) AS incidents }
CALL () { MATCH (n:Order) RETURN count(n) AS orders }
CALL () { MATCH (n:Person) RETURN count(n) AS persons }
CALL () { MATCH ()-[r:USED]->() RETURN count(r) AS used }
CALL () { MATCH ()-[r:OFFENDER_IN]->() RETURN count(r) AS offender_links }
CALL () { MATCH ()-[r:VICTIM_IN]->() RETURN count(r) AS victim_links }
CALL () { MATCH ()-[r:BREACHED]->() RETURN count(r) AS breached }
CALL () { MATCH ()-[r:RESTRAINS|PROTECTS]->() RETURN count(r) AS order_links }
CALL () { MATCH ()-[r:HAS_IDENTIFIER]->() RETURN count(r) AS identifiers }
CALL () { OPTIONAL MATCH (v:RegisterVersion {id: 'register'}) RETURN coalesce(v.n, 0) AS version }
RETURN incidents, orders, persons, used, offender_links, victim_links, breached, order_links, identifiers, version
