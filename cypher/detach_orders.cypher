// Remove what order records wrote before (respondent, protected people, agency).
UNWIND $ids AS oid
MATCH (o:Order {id: oid})-[r:RESTRAINS|PROTECTS|REPORTED_BY]->(x)
DELETE r
RETURN collect(DISTINCT elementId(x)) AS released, collect(DISTINCT x.id) AS person_ids
