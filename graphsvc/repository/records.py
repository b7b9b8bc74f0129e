"""Which records the register holds: the reads a write or a redaction asks before it acts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphsvc.graph.db import Database

__all__ = ["existing_records", "record_owners", "victim_ids"]


KINDS = ("persons", "incidents", "orders", "registrations", "notifications")


def existing_records(db: Database, **ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Which of these ids are already loaded (placeholders are not), each with its owning agency:
    ``{"persons": {id: source}, "incidents": {...}, "orders": {...}, "registrations": {...},
    "notifications": {...}}`` from ``person_ids=``, ``incident_ids=``, ... (a kind left out:
    none). Writing them again replaces them."""
    params = {f"{kind[:-1]}_ids": list(ids.get(f"{kind[:-1]}_ids", ())) for kind in KINDS}
    row = db.read_one("find_existing_records", **params) or {}
    return {
        kind: {m["id"]: m["source"] for m in row.get(kind, []) if m.get("id") is not None}
        for kind in KINDS
    }


def victim_ids(db: Database, ids: Sequence[str]) -> set[str]:
    """Which of these person ids are victims (``:Victim``)."""
    row = db.read_one("find_victim_ids", ids=ids)
    return set(row["ids"]) if row else set()


def record_owners(db: Database, ids: Sequence[str]) -> list[dict[str, Any]]:
    """``{id, kind, source, victim}`` for each id that names a person, incident or order record
    (``victim``: a person recorded only as a victim)."""
    return db.read("get_record_owners", ids=list(ids))
