"""The timeline's reads beyond the perpetrator's records: its victims' names and which of its
incidents were recorded with a date only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphsvc.graph.db import Database

__all__ = ["timeline_details"]


def timeline_details(db: Database, person_ids: Sequence[str], incident_ids: Sequence[str]) -> dict[str, Any]:
    """``{"persons": {id: {"given_name", "family_name", "aliases", "source"}}, "dated": set of
    incident ids recorded with a date only}`` (``get_timeline_details``, one round trip)."""
    row = db.read_one("get_timeline_details", person_ids=list(person_ids), incident_ids=list(incident_ids)) or {}
    return {"persons": {p["id"]: dict(p) for p in row.get("persons") or []}, "dated": set(row.get("dated") or [])}
