// The nodes of a network export with what redaction needs to know: whether a victim holds
// an identifier or address, and whether it is also offender evidence (used in an incident,
// or held by someone who is not a victim).
UNWIND $eids AS eid
MATCH (n) WHERE elementId(n) = eid
RETURN eid,
       labels(n) AS labels,
       properties(n) AS props,
       EXISTS { (n)<-[:HAS_IDENTIFIER|HAS_ADDRESS]-(:Victim) } AS victim_held,
       EXISTS { (n)<-[:USED]-(:Incident) }
         OR EXISTS { (n)<-[:HAS_IDENTIFIER]-(q:Person) WHERE NOT q:Victim } AS offender_evidence
