// A person's fields (and the day his record is due for retention review), identifiers, addresses, role labels and incident counts.
MATCH (p:Person {id: $id})
RETURN p.id AS id, p.source AS source, p.given_name AS given_name, p.family_name AS family_name,
       p.aliases AS aliases, p.dob AS dob, p.gender AS gender, p.placeholder AS placeholder,
       p.review_on AS review_on,
       [(p)-[:HAS_IDENTIFIER]->(x:Phone) | x.value] AS phones,
       [(p)-[:HAS_IDENTIFIER]->(x:Email) | x.value] AS emails,
       [(p)-[:HAS_IDENTIFIER]->(x:Handle) | x {.platform, .handle}] AS handles,
       [(p)-[:HAS_IDENTIFIER]->(x:Vehicle) | x.value] AS vehicles,
       [(p)-[:HAS_ADDRESS]->(a:Address) | a {.line1, .town, .postcode}] AS addresses,
       labels(p) AS labels,
       COUNT { (p)-[:OFFENDER_IN]->(:Incident) } AS offender_incidents,
       COUNT { (p)-[:VICTIM_IN]->(:Incident) } AS victim_incidents
