// Which of these record ids are already loaded (not mere placeholders), and by which agency: a
// write replaces them, and only their owner (or a national key) may.
OPTIONAL MATCH (p:Person) WHERE p.id IN $person_ids AND NOT coalesce(properties(p)['placeholder'], false)
WITH collect({id: p.id, source: p.source}) AS persons
OPTIONAL MATCH (i:Incident) WHERE i.id IN $incident_ids AND NOT coalesce(properties(i)['placeholder'], false)
WITH persons, collect({id: i.id, source: i.source}) AS incidents
OPTIONAL MATCH (o:Order) WHERE o.id IN $order_ids AND NOT coalesce(properties(o)['placeholder'], false)
WITH persons, incidents, collect({id: o.id, source: o.source}) AS orders
OPTIONAL MATCH (r:Registration) WHERE r.id IN $registration_ids AND NOT coalesce(properties(r)['placeholder'], false)
WITH persons, incidents, orders, collect({id: r.id, source: r.source}) AS registrations
OPTIONAL MATCH (n:Notification) WHERE n.id IN $notification_ids
RETURN persons, incidents, orders, registrations, collect({id: n.id, source: n.source}) AS notifications
