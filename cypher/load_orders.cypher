// Writes a batch of order records, each replacing what the same record wrote before (see
// load_persons). The respondent is labelled Offender and the protected people Victim here;
// people an order let go of are returned so update_roles can recheck them at batch end.
// $rows: [{id, props, respondent_id, protected_ids}].
UNWIND $rows AS row
MERGE (o:Order {id: row.id})
WITH o, row
CALL (o) {
  MATCH (o)-[r:RESTRAINS|PROTECTS|REPORTED_BY]->(x)
  DELETE r
  RETURN collect(DISTINCT elementId(x)) AS released, collect(DISTINCT x.id) AS person_ids
}
SET o += row.props
REMOVE o.placeholder
SET o.review_on = coalesce(o.retained_until, o.review_scheduled)  // a retain decision's date outlives the schedule
WITH o, row, released, person_ids
MERGE (a:Agency {code: row.props.source})
CREATE (o)-[:REPORTED_BY]->(a)
WITH o, row, released, person_ids
MERGE (resp:Person {id: row.respondent_id})
  ON CREATE SET resp.placeholder = true
SET resp:Offender
CREATE (o)-[:RESTRAINS {source: row.props.source}]->(resp)
WITH o, row, released, person_ids
CALL (o, row) {
  UNWIND row.protected_ids AS pid
  MERGE (p:Person {id: pid})
    ON CREATE SET p.placeholder = true
  SET p:Victim
  CREATE (o)-[:PROTECTS {source: row.props.source}]->(p)
}
RETURN collect(released) AS released, collect(person_ids) AS person_ids
