// Removes proposals $pairs [{a, b}] the model no longer makes; decided links (confirmed, rejected) stay.
UNWIND $pairs AS pair
MATCH (:Person {id: pair.a})-[r:POSSIBLY_SAME_AS {status: 'proposed'}]->(:Person {id: pair.b})
DELETE r
RETURN count(*) AS deleted
