"""Which records the register holds: the reads a write or a redaction asks before it acts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphsvc.graph.db import Database

__all__ = ["existing_records", "record_owners", "victim_ids"]


def existing_records(db: Database, *, person_ids: Sequence[str], incident_ids: Sequence[str],
                     order_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Which of these ids are already loaded (placeholders are not), each with its owning agency:
    ``{"persons": {id: source}, "incidents": {...}, "orders": {...}}``. Writing them again
    replaces them."""
    row = db.read_one("find_existing_records", person_ids=person_ids, incident_ids=incident_ids,
                      order_ids=order_ids) or {}
    return {
        kind: {m["id"]: m["source"] for m in row.get(kind, []) if m.get("id") is not None}
        for kind in ("persons", "incidents", "orders")
    }


def victim_ids(db: Database, ids: Sequence[str]) -> set[str]:
    """Which of these person ids are victims (``:Victim``)."""
    row = db.read_one("find_victim_ids", ids=ids)
    return set(row["ids"]) if row else set()


def record_owners(db: Database, ids: Sequence[str]) -> list[dict[str, Any]]:
    """``{id, kind, source, victim}`` for each id that names a person, incident or order record
    (``victim``: a person recorded only as a victim)."""
    return db.read("get_record_owners", ids=list(ids))
