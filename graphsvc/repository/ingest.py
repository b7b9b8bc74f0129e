"""Writes validated records to Neo4j in batches.

One batch is one managed transaction, so a batch is all written or not at all, and the driver
retries it on transient errors. One statement per kind (``cypher/load_*.cypher``) takes each
record's node with MERGE (new, placeholder or loaded alike), deletes the links the record wrote
before and writes its values and links: every write replaces what the same record wrote before,
so a retried, repeated or interrupted-and-rerun load ends with exactly the graph an
uninterrupted load gives. Each batch also writes the pattern state's outbox entry
(:func:`graphsvc.repository.state.note_change_in`) in its transaction. Role labels are set as links are made; only people a replaced record
let go of are rechecked (update_roles), and only nodes let go of can become orphans. Within a
batch the last copy of a record wins, as it would across batches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction

from graphsvc.analysis.register import Periods, due_duty
from graphsvc.analysis.retention import Schedule
from graphsvc.graph.db import Database
from graphsvc.repository.rows import native
from graphsvc.repository.state import note_change_in
from loaders import normalise, times
from loaders.records import (
    AnyRecord,
    IncidentRecord,
    Identifiers,
    NotificationRecord,
    OrderRecord,
    PersonRecord,
    RegistrationRecord,
)

__all__ = [
    "BatchRows", "BatchWriter", "WriteCounts", "person_props", "incident_props", "incident_times", "order_props",
    "person_row", "order_row", "incident_row", "registration_row", "notification_row", "refresh_due_in",
    "stamp_review",
]


@dataclass
class WriteCounts:
    persons: int = 0
    incidents: int = 0
    orders: int = 0
    batches: int = 0
    registrations: int = 0
    notifications: int = 0

    @property
    def total(self) -> int:
        return self.persons + self.incidents + self.orders + self.registrations + self.notifications

    def add(self, other: WriteCounts) -> None:
        self.persons += other.persons
        self.incidents += other.incidents
        self.orders += other.orders
        self.batches += other.batches
        self.registrations += other.registrations
        self.notifications += other.notifications


def person_props(r: PersonRecord) -> dict[str, Any]:
    names = [n for n in (r.given_name, r.family_name) if n]
    return {
        "source": r.source,
        "given_name": r.given_name,
        "family_name": r.family_name,
        "aliases": list(r.aliases),
        "aliases_text": " | ".join(r.aliases) or None,
        "dob": r.dob,
        "gender": r.gender,
        "name_key": normalise.name_key(" ".join(names)) or None,
        "family_key": normalise.name_key(r.family_name) if r.family_name else None,
    }


def incident_props(r: IncidentRecord) -> dict[str, Any]:
    """The incident's properties except its two instants (see :func:`incident_times`)."""
    return {
        "source": r.source,
        "occurred_precision": r.occurred_precision,
        "type": r.type,
        "outcome": r.outcome,
        "description": r.description,
    }


def incident_times(r: IncidentRecord) -> tuple[str, str | None]:
    """``occurred_at`` and ``reported_at`` as ISO 8601 text with the offset they were recorded
    with (:func:`loaders.times.recorded`); the query stores ``datetime(text)``, keeping it.

    The same DateTime values the driver would send for the ``datetime`` objects, but the
    driver converts an aware ``datetime`` in pure Python (``neo4j.time``): in a cProfile of two
    2,000-record batches that was 0.9 s of the 1.7 s the client spent; the server parses text fast.
    """
    return r.occurred_at.isoformat(), r.reported_at.isoformat() if r.reported_at else None


def order_props(r: OrderRecord) -> dict[str, Any]:
    return {
        "source": r.source,
        "type": r.type,
        "issued_on": r.issued_on,
        "expires_on": r.expires_on,
        "conditions": r.conditions,
    }


def _identifier_fields(ids: Identifiers) -> dict[str, Any]:
    return {
        "phones": list(ids.phones),
        "emails": list(ids.emails),
        "handles": [{"value": h.key, "platform": h.platform, "handle": h.handle} for h in ids.handles],
        "vehicles": list(ids.vehicles),
    }


def person_row(p: PersonRecord) -> dict[str, Any]:
    return {
        "id": p.id,
        "props": person_props(p),
        "addresses": [
            {"key": a.key, "line1": a.line1, "town": a.town, "postcode": a.postcode} for a in p.addresses
        ],
        **_identifier_fields(p),
    }


def order_row(o: OrderRecord) -> dict[str, Any]:
    return {
        "id": o.id,
        "props": order_props(o),
        "respondent_id": o.respondent_id,
        "protected_ids": list(o.protected_ids),
    }


def incident_row(i: IncidentRecord) -> dict[str, Any]:
    occurred_at, reported_at = incident_times(i)
    return {
        "id": i.id,
        "props": incident_props(i),
        "occurred_at": occurred_at,
        "reported_at": reported_at,
        "offender_ids": list(i.offender_ids),
        "victim_ids": list(i.victim_ids),
        "breached_order_ids": list(i.breached_order_ids),
        **_identifier_fields(i.identifiers_used),
    }


def registration_row(r: RegistrationRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "props": {"source": r.source, "basis": r.basis, "start_on": r.start_on, "end_on": r.end_on,
                  "managing_agency": r.managing_agency, "manager": r.manager},
        "person_id": r.person_id,
        "order_id": r.order_id,
    }


def notification_row(n: NotificationRecord) -> dict[str, Any]:
    """A notification's names as two parallel lists (a property holds no maps) with their
    comparison keys, and its home address as ``home_*`` with its key (contract section 7's
    UNNOTIFIED_ADDRESS compares keys: :func:`graphsvc.analysis.register.register_flags`)."""
    home = n.home_address
    return {
        "id": n.id,
        "props": {
            "source": n.source, "type": n.type, "notified_on": n.notified_on, "changed_on": n.changed_on,
            "station": n.station, "reference": n.reference,
            "given_names": [m.given_name or "" for m in n.names],
            "family_names": [m.family_name or "" for m in n.names],
            "name_keys": [m.key for m in n.names],
            "home_line1": home.line1 if home else None, "home_town": home.town if home else None,
            "home_postcode": home.postcode if home else None, "home_key": home.key if home else None,
        },
        "person_id": n.person_id,
        "registration_id": n.registration_id,
    }


def refresh_due_in(db: Database, tx: ManagedTransaction, registration_ids: Iterable[str], periods: Periods) -> None:
    """Work out again the due duty of these registrations and keep it on them, in ``tx``."""
    ids = sorted(set(registration_ids))
    if not ids:
        return
    rows = []
    for reg in native(db.run_in(tx, "get_registration_notes", ids=ids)):
        due = due_duty(reg, reg["notifications"], periods)
        rows.append({"id": reg["id"], "due_duty": due[0] if due else None, "due_on": due[1] if due else None})
    db.run_in(tx, "set_registration_due", rows=rows)


def stamp_review(rows: BatchRows, schedule: Schedule, today: dt.date) -> None:
    """Each row's scheduled review (contract section 8; :mod:`graphsvc.analysis.retention`):
    ``props.review_scheduled`` from the record's own dates and outcome; a person's is counted
    from the day his record is first written (``recorded_on``: the load keeps the first one, so
    loading him again does not move it)."""
    years = schedule.period("person").years
    for row in rows.persons:
        row["recorded_on"], row["review_years"] = today, years
    for row in rows.incidents:
        props = row["props"]
        day = times.local_day(dt.datetime.fromisoformat(row["occurred_at"]))
        props["review_scheduled"] = schedule.scheduled("incident", {"occurred_on": day, "outcome": props["outcome"]})
    for kind, part in (("order", rows.orders), ("registration", rows.registrations),
                       ("notification", rows.notifications)):
        for row in part:
            row["props"]["review_scheduled"] = schedule.scheduled(kind, row["props"])


def _flatten(parts: Iterable[Iterable[Any]]) -> set[Any]:
    return {item for part in parts for item in part if item is not None}


def _last_copy_wins(records: Iterable[AnyRecord]) -> list[AnyRecord]:
    latest: dict[tuple[str, str], AnyRecord] = {}
    for record in records:
        key = (record.kind, record.id)
        latest.pop(key, None)  # keep the position of the last copy
        latest[key] = record
    return list(latest.values())


@dataclass
class BatchRows:
    """One batch as the parameters of the load statements (plain lists and dicts: cheap to
    pickle, so a batch can be validated in another process and written in this one)."""

    persons: list[dict[str, Any]]
    incidents: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    registrations: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, records: Iterable[AnyRecord]) -> BatchRows:
        """The rows of a batch of records; within a batch the last copy of a record wins."""
        latest = _last_copy_wins(records)
        return cls([person_row(r) for r in latest if isinstance(r, PersonRecord)],
                   [incident_row(r) for r in latest if isinstance(r, IncidentRecord)],
                   [order_row(r) for r in latest if isinstance(r, OrderRecord)],
                   [registration_row(r) for r in latest if isinstance(r, RegistrationRecord)],
                   [notification_row(r) for r in latest if isinstance(r, NotificationRecord)])

    @property
    def counts(self) -> WriteCounts:
        return WriteCounts(len(self.persons), len(self.incidents), len(self.orders), 1,
                           len(self.registrations), len(self.notifications))


class BatchWriter:
    """Writes batches of validated records; one batch per managed transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def write(self, records: list[AnyRecord]) -> WriteCounts:
        return self.write_rows(BatchRows.of(records))

    def write_rows(self, rows: BatchRows) -> WriteCounts:
        self.db.write_tx(self._write_batch, rows)
        return rows.counts

    def write_all(self, records: list[AnyRecord]) -> WriteCounts:
        """All the records in one transaction (the all-or-nothing HTTP endpoint)."""
        return self.write(records)

    def _write_batch(self, tx: ManagedTransaction, rows: BatchRows) -> None:
        # One statement per kind writes the records with their links and role labels; only
        # when a record replaced an earlier version (something was let go of) do the people it
        # no longer names get their roles rechecked and the nodes nothing holds any more go.
        run = self.db.run_in
        stamp_review(rows, self.db.settings.review_schedule, times.today())
        released: set[str] = set()
        touched: set[str] = set()
        if rows.persons:
            for row in run(tx, "load_persons", rows=rows.persons):
                released |= _flatten(row["released"])
        if rows.orders:
            for row in run(tx, "load_orders", rows=rows.orders):
                released |= _flatten(row["released"])
                touched |= _flatten(row["person_ids"])
        if rows.incidents:
            for row in run(tx, "load_incidents", rows=rows.incidents):
                released |= _flatten(row["released"])
                touched |= _flatten(row["person_ids"])
        due: set[str] = set()
        if rows.registrations:
            for row in run(tx, "load_registrations", rows=rows.registrations):
                released |= _flatten(row["released"])
            due |= {r["id"] for r in rows.registrations}
        if rows.notifications:
            for row in run(tx, "load_notifications", rows=rows.notifications):
                released |= _flatten(row["released"])
                due |= _flatten(row["registration_ids"])
            due |= {r["registration_id"] for r in rows.notifications}
        refresh_due_in(self.db, tx, due, self.db.settings.register_periods)
        if touched:
            run(tx, "update_roles", ids=sorted(touched))
        # the pattern state's outbox entry, in this transaction (before the orphans go)
        named = [p for r in rows.orders for p in (r["respondent_id"], *r["protected_ids"])]
        named += [p for r in rows.incidents for p in (*r["offender_ids"], *r["victim_ids"])]
        note_change_in(self.db, tx, person_ids=[*named, *touched], record_ids=[r["id"] for r in rows.persons],
                       incident_ids=[r["id"] for r in rows.incidents], released=released,
                       order_ids=[r["id"] for r in rows.orders],
                       register_ids=[r["id"] for r in (*rows.registrations, *rows.notifications)])
        if released:
            run(tx, "delete_orphans", element_ids=sorted(released))
        # last, so the counter's lock is held only until the commit: concurrent writers queue there
        run(tx, "bump_register_version")
