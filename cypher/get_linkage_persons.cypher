// Loaded persons by id (placeholders left out) in the linkage's shape.
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
WHERE p.placeholder IS NULL
RETURN p.id AS id, p.source AS source, p.given_name AS given_name, p.family_name AS family_name,
       p.aliases AS aliases, toString(p.dob) AS dob, p.gender AS gender,
       [(p)-[:HAS_IDENTIFIER]->(x:Phone) | x.value] AS phones,
       [(p)-[:HAS_IDENTIFIER]->(x:Email) | x.value] AS emails,
       [(p)-[:HAS_IDENTIFIER]->(x:Handle) | x.value] AS handles,
       [(p)-[:HAS_IDENTIFIER]->(x:Vehicle) | x.value] AS vehicles,
       [(p)-[:HAS_ADDRESS]->(a:Address) WHERE a.postcode IS NOT NULL | a.postcode] AS postcodes
