// The nodes of a network export with what redaction needs to know: whether a victim holds
// an identifier or address, and whether it is also offender evidence (used in an incident,
// or held by someone who is not a victim), and for need-to-know (contract section 5) the
// agencies whose victims (persons recorded only as victims) hold it.
UNWIND $eids AS eid
MATCH (n) WHERE elementId(n) = eid
RETURN eid,
       labels(n) AS labels,
       properties(n) AS props,
       EXISTS { (n)<-[:HAS_IDENTIFIER|HAS_ADDRESS]-(:Victim) } AS victim_held,
       EXISTS { (n)<-[:USED]-(:Incident) }
         OR EXISTS { (n)<-[:HAS_IDENTIFIER]-(q:Person) WHERE NOT q:Victim } AS offender_evidence,
       COLLECT { MATCH (n)<-[:HAS_IDENTIFIER|HAS_ADDRESS]-(v:Victim) WHERE NOT v:Offender
                 RETURN DISTINCT v.source } AS victim_owners
