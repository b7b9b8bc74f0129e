// Which of these record ids are already loaded (not mere placeholders): a write replaces them.
OPTIONAL MATCH (p:Person) WHERE p.id IN $person_ids AND NOT coalesce(properties(p)['placeholder'], false)
WITH collect(p.id) AS persons
OPTIONAL MATCH (i:Incident) WHERE i.id IN $incident_ids AND NOT coalesce(properties(i)['placeholder'], false)
WITH persons, collect(i.id) AS incidents
OPTIONAL MATCH (o:Order) WHERE o.id IN $order_ids AND NOT coalesce(properties(o)['placeholder'], false)
RETURN persons, incidents, collect(o.id) AS orders
