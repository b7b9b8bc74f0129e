// What the scorer needs of each candidate: names, dob, identifiers, namesakes, contact with the complainant.
// Namesakes are counted up to 64: the rarity bonus is 0 from 7 on, and counting every Smith of a
// 1M register (5,648) for each candidate made this query 70 ms instead of 9 ms.
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
RETURN p.id AS person_id, p.given_name AS given_name, p.family_name AS family_name, p.aliases AS aliases,
       p.dob AS dob, labels(p) AS labels,
       [(p)-[:HAS_IDENTIFIER]->(x:Phone) | x.value] AS phones,
       [(p)-[:HAS_IDENTIFIER]->(x:Email) | x.value] AS emails,
       [(p)-[:HAS_IDENTIFIER]->(x:Handle) | x.value] AS handles,
       [(p)-[:HAS_IDENTIFIER]->(x:Vehicle) | x.value] AS vehicles,
       CASE WHEN p.family_key IS NULL THEN 0
            ELSE COUNT { MATCH (q:Person {family_key: p.family_key}) RETURN q LIMIT 65 } - 1 END AS namesakes,
       CASE WHEN $complainant IS NULL THEN []
            ELSE [(p)-[:OFFENDER_IN]->(i:Incident)<-[:VICTIM_IN]-(:Person {id: $complainant}) | i.id]
               + [(o:Order)-[:RESTRAINS]->(p) WHERE (o)-[:PROTECTS]->(:Person {id: $complainant}) | o.id]
       END AS complainant_contact
