// A person's role labels follow from the incidents and orders that name them.
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
WITH p,
     EXISTS { (p)-[:OFFENDER_IN]->(:Incident) } OR EXISTS { (:Order)-[:RESTRAINS]->(p) } AS offender,
     EXISTS { (p)-[:VICTIM_IN]->(:Incident) } OR EXISTS { (:Order)-[:PROTECTS]->(p) } AS victim
FOREACH (_ IN CASE WHEN offender THEN [1] ELSE [] END | SET p:Offender)
FOREACH (_ IN CASE WHEN offender THEN [] ELSE [1] END | REMOVE p:Offender)
FOREACH (_ IN CASE WHEN victim THEN [1] ELSE [] END | SET p:Victim)
FOREACH (_ IN CASE WHEN victim THEN [] ELSE [1] END | REMOVE p:Victim)
RETURN count(p) AS updated
