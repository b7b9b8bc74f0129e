// The owning agency (source) of each of the given person records that has one: the audit
// append's disclosed_agencies, read for a whole batch of entries at once.
MATCH (p:Person)
WHERE p.id IN $ids AND p.source IS NOT NULL
RETURN p.id AS id, p.source AS source
