// What the timeline shows of its victims and incidents that the perpetrator read leaves out:
// each person's names and source (the row's label), and which of the incidents $incident_ids were
// recorded with a date only (occurred_precision 'date': shown as dates, contract section 9).
CALL () {
  UNWIND $person_ids AS pid
  MATCH (p:Person {id: pid})
  RETURN collect({id: p.id, given_name: p.given_name, family_name: p.family_name, aliases: p.aliases,
                  source: p.source}) AS persons
}
CALL () {
  UNWIND $incident_ids AS iid
  MATCH (i:Incident {id: iid})
  WHERE i.occurred_precision = 'date'
  RETURN collect(i.id) AS dated
}
RETURN persons, dated
