"""The whole register back out as contract records (JSON Lines): ``graphsvc dump``.

Loading a dump into an empty database gives the same graph (tests/cli/test_dump.py compares
content fingerprints). Pages through each kind by id (keyset pagination on the unique
constraint's index), so memory stays flat whatever the register's size. Placeholders are not
records: the references that made them are in the dump, so loading recreates them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from graphsvc.graph.db import Database
from loaders.records import iso
from loaders.times import local_day

__all__ = ["dump_records", "write_dump"]

PAGE = 5000


def _occurred(value: Any, precision: str | None) -> str:
    """A stored incident time as the record had it: the date for a time known only to the day
    (its London day), else the date-time with the offset it was recorded with, which loading
    the dump stores again unchanged (contract section 9; the fingerprints compare offsets too)."""
    at = value.to_native() if hasattr(value, "to_native") else value
    if precision == "date":
        return local_day(at).isoformat()
    return str(at.isoformat())


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, [], {})}


def _pages(db: Database, query: str) -> Iterator[dict[str, Any]]:
    after = ""
    while True:
        rows = db.read(query, after=after, limit=PAGE)
        yield from rows
        if len(rows) < PAGE:
            return
        first = next(iter(rows[-1].values()))
        after = first["id"]


def dump_records(db: Database) -> Iterator[dict[str, Any]]:
    """Every loaded record: persons, orders, incidents, registrations, then notifications, each
    in id order."""
    for row in _pages(db, "dump_persons"):
        person = row["person"]
        yield _clean({
            "kind": "person", **person, "dob": iso(person.get("dob")),
            "phones": sorted(row["phones"]), "emails": sorted(row["emails"]),
            "handles": sorted(row["handles"], key=lambda h: (h["platform"], h["handle"])),
            "vehicles": sorted(row["vehicles"]),
            "addresses": [_clean(a) for a in sorted(row["addresses"], key=lambda a: json.dumps(a, sort_keys=True))],
        })
    for row in _pages(db, "dump_orders"):
        order = row["order"]
        yield _clean({
            "kind": "order", **order, "issued_on": iso(order["issued_on"]), "expires_on": iso(order.get("expires_on")),
            "respondent_id": row["respondent_id"], "protected_ids": sorted(row["protected_ids"]),
        })
    for row in _pages(db, "dump_incidents"):
        incident = dict(row["incident"])
        precision = incident.pop("occurred_precision", None)
        incident["occurred_at"] = _occurred(incident["occurred_at"], precision)
        if incident.get("reported_at") is not None:
            incident["reported_at"] = _occurred(incident["reported_at"], "datetime")
        used = _clean({
            "phones": sorted(row["phones"]), "emails": sorted(row["emails"]),
            "handles": sorted(row["handles"], key=lambda h: (h["platform"], h["handle"])),
            "vehicles": sorted(row["vehicles"]),
        })
        yield _clean({
            "kind": "incident", **incident, "offender_ids": sorted(row["offender_ids"]),
            "victim_ids": sorted(row["victim_ids"]), "breached_order_ids": sorted(row["breached_order_ids"]),
            "identifiers_used": used,
        })
    for row in _pages(db, "dump_registrations"):
        reg = row["registration"]
        yield _clean({
            "kind": "registration", **reg, "start_on": iso(reg["start_on"]), "end_on": iso(reg.get("end_on")),
            "person_id": row["person_id"], "order_id": row["order_id"],
        })
    for row in _pages(db, "dump_notifications"):
        note = dict(row["notification"])
        given, family = note.pop("given_names", None) or [], note.pop("family_names", None) or []
        home = _clean({"line1": note.pop("home_line1", None), "town": note.pop("home_town", None),
                       "postcode": note.pop("home_postcode", None)})
        yield _clean({
            "kind": "notification", **note, "notified_on": iso(note["notified_on"]),
            "changed_on": iso(note.get("changed_on")), "home_address": home,
            "names": [_clean({"given_name": g or None, "family_name": f or None}) for g, f in zip(given, family)],
            "person_id": row["person_id"], "registration_id": row["registration_id"],
        })


def write_dump(db: Database, out: IO[str]) -> int:
    count = 0
    for record in dump_records(db):
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
