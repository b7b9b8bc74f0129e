// A key's read-quota bookkeeping from before $day (its new day has opened).
MATCH (n:KeyRead|KeyDay)
WHERE n.key_id = $key_id AND n.day < $day
DETACH DELETE n
