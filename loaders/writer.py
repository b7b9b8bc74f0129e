"""Writes validated records to Neo4j in batches.

One batch is one managed transaction, so a batch is all written or not at all, and the driver
retries it on transient errors; every statement is MERGE-based and replaces what the same
records wrote before, so a retried, repeated or interrupted-and-rerun load ends with exactly the
graph an uninterrupted load gives. Within a batch the last copy of a record wins, as it would
across batches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction

from graphsvc.db import Database
from loaders import normalise
from loaders.records import IncidentRecord, Identifiers, OrderRecord, PersonRecord

__all__ = ["BatchWriter", "WriteCounts", "person_props", "incident_props", "order_props"]

AnyRecord = PersonRecord | IncidentRecord | OrderRecord


@dataclass
class WriteCounts:
    persons: int = 0
    incidents: int = 0
    orders: int = 0
    batches: int = 0

    @property
    def total(self) -> int:
        return self.persons + self.incidents + self.orders

    def add(self, other: WriteCounts) -> None:
        self.persons += other.persons
        self.incidents += other.incidents
        self.orders += other.orders
        self.batches += other.batches


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
    return {
        "source": r.source,
        "occurred_at": r.occurred_at,
        "occurred_precision": r.occurred_precision,
        "reported_at": r.reported_at,
        "type": r.type,
        "outcome": r.outcome,
        "description": r.description,
    }


def order_props(r: OrderRecord) -> dict[str, Any]:
    return {
        "source": r.source,
        "type": r.type,
        "issued_on": r.issued_on,
        "expires_on": r.expires_on,
        "conditions": r.conditions,
    }


@dataclass
class _Links:
    phones: list[dict[str, str]] = field(default_factory=list)
    emails: list[dict[str, str]] = field(default_factory=list)
    handles: list[dict[str, str]] = field(default_factory=list)
    vehicles: list[dict[str, str]] = field(default_factory=list)

    def add(self, owner_id: str, source: str, ids: Identifiers) -> None:
        self.phones += [{"id": owner_id, "value": v, "source": source} for v in ids.phones]
        self.emails += [{"id": owner_id, "value": v, "source": source} for v in ids.emails]
        self.vehicles += [{"id": owner_id, "value": v, "source": source} for v in ids.vehicles]
        self.handles += [
            {"id": owner_id, "value": h.key, "platform": h.platform, "handle": h.handle, "source": source}
            for h in ids.handles
        ]

    def params(self) -> dict[str, list[dict[str, str]]]:
        return {"phones": self.phones, "emails": self.emails, "handles": self.handles, "vehicles": self.vehicles}

    def __bool__(self) -> bool:
        return bool(self.phones or self.emails or self.handles or self.vehicles)


def _last_copy_wins(records: Iterable[AnyRecord]) -> tuple[list[PersonRecord], list[IncidentRecord], list[OrderRecord]]:
    latest: dict[tuple[str, str], AnyRecord] = {}
    for record in records:
        key = (record.kind, record.id)
        latest.pop(key, None)  # keep the position of the last copy
        latest[key] = record
    persons = [r for r in latest.values() if isinstance(r, PersonRecord)]
    incidents = [r for r in latest.values() if isinstance(r, IncidentRecord)]
    orders = [r for r in latest.values() if isinstance(r, OrderRecord)]
    return persons, incidents, orders


class BatchWriter:
    """Writes batches of validated records; one batch per managed transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def write(self, records: list[AnyRecord]) -> WriteCounts:
        persons, incidents, orders = _last_copy_wins(records)
        self.db.write_tx(self._write_batch, persons, incidents, orders)
        return WriteCounts(len(persons), len(incidents), len(orders), 1)

    def write_all(self, records: list[AnyRecord]) -> WriteCounts:
        """All the records in one transaction (the all-or-nothing HTTP endpoint)."""
        return self.write(records)

    def _write_batch(
        self,
        tx: ManagedTransaction,
        persons: list[PersonRecord],
        incidents: list[IncidentRecord],
        orders: list[OrderRecord],
    ) -> None:
        run = self.db.run_in
        released: set[str] = set()
        touched: set[str] = set()

        if persons:
            ids = [p.id for p in persons]
            for row in run(tx, "detach_persons", ids=ids):
                released.update(row["released"])
            rows = [
                {
                    "id": p.id,
                    "props": person_props(p),
                    "addresses": [
                        {"key": a.key, "line1": a.line1, "town": a.town, "postcode": a.postcode}
                        for a in p.addresses
                    ],
                }
                for p in persons
            ]
            run(tx, "merge_persons", rows=rows)
            links = _Links()
            for p in persons:
                links.add(p.id, p.source, p)
            if links:
                run(tx, "link_person_identifiers", **links.params())

        if orders:
            for row in run(tx, "detach_orders", ids=[o.id for o in orders]):
                released.update(row["released"])
                touched.update(i for i in row["person_ids"] if i is not None)
            rows = [
                {
                    "id": o.id,
                    "props": order_props(o),
                    "respondent_id": o.respondent_id,
                    "protected_ids": list(o.protected_ids),
                }
                for o in orders
            ]
            run(tx, "merge_orders", rows=rows)
            for o in orders:
                touched.add(o.respondent_id)
                touched.update(o.protected_ids)

        if incidents:
            for row in run(tx, "detach_incidents", ids=[i.id for i in incidents]):
                for part in row["released"]:
                    released.update(part)
                for part in row["person_ids"]:
                    touched.update(part)
            rows = [
                {
                    "id": i.id,
                    "props": incident_props(i),
                    "offender_ids": list(i.offender_ids),
                    "victim_ids": list(i.victim_ids),
                    "breached_order_ids": list(i.breached_order_ids),
                }
                for i in incidents
            ]
            run(tx, "merge_incidents", rows=rows)
            links = _Links()
            for i in incidents:
                links.add(i.id, i.source, i.identifiers_used)
                touched.update(i.offender_ids)
                touched.update(i.victim_ids)
            if links:
                run(tx, "link_incident_identifiers", **links.params())

        if touched:
            run(tx, "update_roles", ids=sorted(touched))
        if released:
            run(tx, "delete_orphans", element_ids=sorted(released))
