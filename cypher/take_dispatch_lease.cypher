// The alert dispatcher's lease: one holder per deployment (any number of workers and replicas try).
// The node's lock is taken first (SET), so two workers finding it expired at once queue here and
// the second reads what the first wrote. Taken when free, expired, or already $holder's; held
// for $lease_s seconds. Whether $holder holds it.
MERGE (d:Dispatcher {name: 'alerts'})
SET d.tried_at = datetime()
WITH d
WITH d, d.holder IS NULL OR d.holder = $holder OR d.until < datetime() AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET d.holder = $holder, d.until = datetime() + duration({seconds: $lease_s}))
RETURN free AS held, d.holder AS holder
