// What the register's flags of these person records rest on (graphsvc.analysis.register.
// register_flags): each record's names and home-address keys, and the registrations that
// name it as their person, with the keys of each one's notifications. Placeholders (a
// registration or notification whose record has not arrived) are left out. $ids: person ids.
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
WHERE p.placeholder IS NULL
RETURN p.id AS id, p.given_name AS given_name, p.family_name AS family_name, p.aliases AS aliases,
       [(p)-[:HAS_ADDRESS]->(a:Address) | a.key] AS address_keys,
       [(r:Registration)-[:REGISTERS]->(p) WHERE r.placeholder IS NULL |
         r {.id, .basis, .start_on, .end_on, .managed_by, .manager, .due_duty, .due_on,
            notifications: [(n:Notification)-[:NOTIFIES]->(r) WHERE n.placeholder IS NULL |
                            n {.id, .name_keys, .home_key}]}] AS registrations
