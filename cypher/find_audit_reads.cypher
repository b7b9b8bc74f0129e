// The audit entries that read person data or were refused, at or after $since, in sequence
// order; $agency (null = any) keeps those of that agency's actors.
MATCH (e:AuditEntry)
WHERE e.at >= $since
  AND e.action IN ['consultation', 'disclosure', 'access_denied']
  AND ($agency IS NULL OR e.actor_agency = $agency)
RETURN e {.*} AS entry
ORDER BY e.seq
LIMIT $limit
