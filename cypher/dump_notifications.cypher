// A page of loaded notification records, in id order after $after.
MATCH (n:Notification)
WHERE n.id > $after AND n.placeholder IS NULL
WITH n ORDER BY n.id LIMIT $limit
RETURN n {.id, .source, .type, .notified_on, .changed_on, .station, .reference, .given_names, .family_names,
          .home_line1, .home_town, .home_postcode} AS notification,
       [(n)-[:BY]->(p:Person) | p.id][0] AS person_id,
       [(n)-[:NOTIFIES]->(r:Registration) | r.id][0] AS registration_id
