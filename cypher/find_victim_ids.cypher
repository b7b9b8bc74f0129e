// Which of these person ids are victims (for redaction).
MATCH (p:Victim)
WHERE p.id IN $ids
RETURN collect(p.id) AS ids
