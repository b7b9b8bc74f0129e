"""The register's reads (contract section 7): the facts its flags rest on, one person's
registrations and notifications, and the overdue worklist; and the one write a person makes to
it directly, a transfer of the managing agency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from graphsvc.analysis.register import Periods
from graphsvc.graph.db import Database
from graphsvc.repository.ingest import refresh_due_in
from graphsvc.repository.rows import native

__all__ = ["register_facts", "register_person", "overdue_registrations", "transfer_registration",
           "registration_managed_by", "refresh_due"]


def register_facts(db: Database, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Per person record among ``person_ids``: ``{"id", "given_name", "family_name", "aliases",
    "address_keys", "registrations": [{"id", "basis", "start_on", "end_on", "managed_by",
    "manager", "due_duty", "due_on", "notifications": [{"id", "name_keys", "home_key"}]}]}``
    (``get_register_facts``, one round trip)."""
    ids = sorted(set(person_ids))
    return [native(row) for row in db.read("get_register_facts", ids=ids)] if ids else []


def register_person(db: Database, person_id: str) -> dict[str, Any] | None:
    """``{"id", "placeholder", "registrations": [{..., "order_id", "notifications": [...]}]}``,
    or ``None`` when no record or placeholder has this id (``get_register_person``)."""
    row = db.read_one("get_register_person", id=person_id)
    return native(row) if row is not None else None


def overdue_registrations(db: Database, today: dt.date, agency: str | None, after: tuple[dt.date, str] | None,
                          limit: int) -> list[dict[str, Any]]:
    """The overdue worklist's page after ``after`` (the last row's ``(due_on, registration_id)``),
    longest overdue first: ``[{"registration_id", "person_id", "duty", "due_on",
    "managing_agency"}]``; one agency's (``agency``) or the nation's."""
    params: dict[str, Any] = {"today": today, "limit": limit, "after_due": after[0] if after else None,
                              "after_id": after[1] if after else None}
    if agency is None:
        return [native(r) for r in db.read("find_overdue_registrations", **params)]
    return [native(r) for r in db.read("find_overdue_registrations_of", agency=agency, **params)]


def transfer_registration(db: Database, registration_id: str, managed_by: str | None, to: str, on: dt.date,
                          by: str, reason: str) -> dict[str, Any] | None:
    """Moves the registration from agency ``managed_by`` to ``to`` (``register_transfer``): its
    managing agency from now on, kept over later copies of its record. Returns ``{"id", "from",
    "to"}``, or ``None`` when there is no such registration or it is no longer ``managed_by``'s."""
    rows = db.write("register_transfer", id=registration_id, managed_by=managed_by, to=to, on=on, by=by,
                    reason=reason)
    return rows[0] if rows else None


def registration_managed_by(db: Database, registration_id: str) -> dict[str, Any] | None:
    """``{"id", "managed_by"}`` of the registration, or ``None`` when there is none
    (``get_registration_managed_by``)."""
    return db.read_one("get_registration_managed_by", id=registration_id)


def refresh_due(db: Database, periods: Periods, page: int = 2000) -> int:
    """Works out every registration's due duty again with ``periods`` and keeps it, a page of
    ``page`` registrations per transaction (after a period changed). How many."""
    after, done = None, 0
    while True:
        ids = [r["id"] for r in db.read("page_registration_ids", after=after, limit=page)]
        if not ids:
            return done
        db.write_tx(lambda tx, batch=ids: refresh_due_in(db, tx, batch, periods))
        done += len(ids)
        after = ids[-1]
