// Moves a registration's management to agency $to (POST /register/registrations/{id}/transfer):
// `transferred_to` outlives later copies of the record (load_registrations keeps it as
// `managed_by`), and each transfer is kept in the lists `transfers_*`, oldest first, for the
// dump and the register's history. $id, $managed_by (the managing agency the caller's check saw: no
// row when another transfer moved it since), $to, $on (date), $by (the key), $reason.
MATCH (r:Registration {id: $id})
WHERE r.placeholder IS NULL AND coalesce(r.managed_by, '') = coalesce($managed_by, '')
WITH r, r.managed_by AS before
SET r.transferred_to = $to, r.transferred_on = $on, r.managed_by = $to,
    r.transfers_from = coalesce(r.transfers_from, []) + [before],
    r.transfers_to = coalesce(r.transfers_to, []) + [$to],
    r.transfers_on = coalesce(r.transfers_on, []) + [$on],
    r.transfers_by = coalesce(r.transfers_by, []) + [$by],
    r.transfers_reason = coalesce(r.transfers_reason, []) + [$reason]
RETURN r.id AS id, before AS from, $to AS to
