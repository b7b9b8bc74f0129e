// One person's place on the register (GET /register/persons/{id}): his registrations, each with
// its order and its notifications in full. $id: a person id.
MATCH (p:Person {id: $id})
RETURN p.id AS id, p.placeholder IS NOT NULL AS placeholder,
       [(r:Registration)-[:REGISTERS]->(p) WHERE r.placeholder IS NULL |
         r {.id, .source, .basis, .start_on, .end_on, .managing_agency, .managed_by, .manager,
            .due_duty, .due_on, .transferred_to, .transferred_on, .review_on,
            .transfers_from, .transfers_to, .transfers_on, .transfers_by, .transfers_reason,
            order_id: head([(r)-[:UNDER_ORDER]->(o:Order) | o.id]),
            notifications: [(n:Notification)-[:NOTIFIES]->(r) WHERE n.placeholder IS NULL |
                            n {.id, .source, .type, .notified_on, .changed_on, .station, .reference,
                               .given_names, .family_names, .home_line1, .home_town, .home_postcode, .review_on}]}]
         AS registrations
