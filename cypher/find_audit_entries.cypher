// Audit entries newest first, filtered; every filter is optional (null = any).
MATCH (e:AuditEntry)
WHERE ($before_seq IS NULL OR e.seq < $before_seq)
  AND ($actor IS NULL OR e.actor = $actor OR e.actor STARTS WITH $actor + '#')
  AND ($action IS NULL OR e.action = $action)
  AND ($person_id IS NULL OR $person_id IN e.person_ids)
  AND ($since IS NULL OR e.at >= $since)
  AND ($until IS NULL OR e.at < $until)
  AND ($actor_agency IS NULL OR e.actor_agency = $actor_agency)
  AND ($disclosed_agency IS NULL OR $disclosed_agency IN coalesce(e.disclosed_agencies, []))
  AND ($scope_agency IS NULL OR e.actor_agency = $scope_agency
       OR $scope_agency IN coalesce(e.disclosed_agencies, []))
RETURN e {.*} AS entry
ORDER BY e.seq DESC
LIMIT $limit
