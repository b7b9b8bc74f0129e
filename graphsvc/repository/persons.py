"""Reads of person records: a profile, orders, persons by identifier or by name, and what the
intake check's scorer needs of each candidate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository.rows import plain_rows, identifier_params, native

__all__ = ["count_persons", "person_profile", "person_orders", "persons_by_identifiers", "persons_by_names", "match_candidates"]


CANDIDATE_LIMIT = 200


def count_persons(db: Database) -> int:
    """How many person nodes the register holds (the count store: no scan)."""
    row = db.read_one("count_persons")
    return int(row["persons"]) if row else 0


def person_profile(db: Database, person_id: str) -> dict[str, Any] | None:
    row = db.read_one("get_person_profile", id=person_id)
    return native(row) if row else None


def person_orders(db: Database, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Orders restraining or protecting any of ``person_ids`` (placeholders included)."""
    return plain_rows(db.read("find_person_orders", ids=list(person_ids)))


def persons_by_identifiers(db: Database, values: Mapping[str, Sequence[str]],
                           limit: int = CANDIDATE_LIMIT) -> list[dict[str, Any]]:
    params = identifier_params(values)
    if not any(params.values()):
        return []
    return db.read("find_persons_by_identifiers", limit=limit, **params)


def persons_by_names(db: Database, lucene: str | None, limit: int = CANDIDATE_LIMIT) -> list[dict[str, Any]]:
    if not lucene:
        return []
    return db.read("find_persons_by_names", q=lucene, limit=limit)


def match_candidates(db: Database, person_ids: Sequence[str], complainant_id: str | None) -> list[dict[str, Any]]:
    if not person_ids:
        return []
    return plain_rows(db.read("get_match_candidates", ids=list(person_ids), complainant=complainant_id))
