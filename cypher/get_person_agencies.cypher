// The owning agencies (source) of the given person records, each once, sorted.
MATCH (p:Person)
WHERE p.id IN $ids AND p.source IS NOT NULL
WITH DISTINCT p.source AS agency
ORDER BY agency
RETURN collect(agency) AS agencies
