// Data migration for databases loaded before times were kept as recorded (contract section 9,
// 2026-12-03): the loader then stored every incident time in UTC, and a date-only occurred_at at
// UTC midnight. Rewrites those to what the loader stores now: a date-time with London's offset
// at that instant (the instant is unchanged), a date-only one at London's midnight of its day.
// Only values stored with offset +00:00 are touched; in winter London's offset is +00:00, so
// those come out as they were, and a second run changes nothing. A record that did give +00:00
// for a summer time is read as London's (the same instant): the old storage cannot tell them
// apart. It runs only on a graph wholly in the old form (no incident time with another offset):
// a graph loaded, even in part, by the current loader keeps what was recorded, so re-running it
// (its SchemaMigration node deleted) never rewrites a recorded `Z`. In transactions of 10,000
// (auto-commit: CALL ... IN TRANSACTIONS).
WITH NOT EXISTS {
  MATCH (j:Incident)
  WHERE j.occurred_at.offsetSeconds <> 0 OR j.reported_at.offsetSeconds <> 0
} AS old_form
MATCH (i:Incident)
WHERE old_form AND (i.occurred_at.offsetSeconds = 0 OR i.reported_at.offsetSeconds = 0)
CALL (i) {
  WITH i,
       CASE
         WHEN i.occurred_at IS NULL OR i.occurred_at.offsetSeconds <> 0 THEN i.occurred_at
         WHEN i.occurred_precision = 'date' THEN datetime({date: date(i.occurred_at), timezone: 'Europe/London'})
         ELSE datetime({datetime: i.occurred_at, timezone: 'Europe/London'})
       END AS occurred,
       CASE
         WHEN i.reported_at IS NULL OR i.reported_at.offsetSeconds <> 0 THEN i.reported_at
         ELSE datetime({datetime: i.reported_at, timezone: 'Europe/London'})
       END AS reported
  // a zoned value's text ends in [Europe/London]: keep the offset only, as the loader does
  SET i.occurred_at = CASE WHEN occurred IS NULL THEN NULL ELSE datetime(split(toString(occurred), '[')[0]) END,
      i.reported_at = CASE WHEN reported IS NULL THEN NULL ELSE datetime(split(toString(reported), '[')[0]) END
} IN TRANSACTIONS OF 10000 ROWS
