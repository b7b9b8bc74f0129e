"""Identity links' storage: ``POSSIBLY_SAME_AS`` links (stored once per pair, lower id to higher
id) and the persons the resolution reads, in the linkage's shape.

What is written, when a proposal is stale and who may decide are
:mod:`graphsvc.services.resolution`'s; here are only the queries, each one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository.state import note_change_in

__all__ = [
    "decide_link",
    "delete_stale_links",
    "get_link",
    "link_details",
    "link_pairs",
    "linkage_persons",
    "linkage_persons_after",
    "merge_links",
    "resolve_candidates",
]


# -- persons -----------------------------------------------------------------------------------
def linkage_persons_after(db: Database, after: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` loaded persons (placeholders left out) with ids above ``after``, in id
    order, in the linkage's shape (empty values as the database gives them)."""
    return db.read("list_linkage_persons", after=after, limit=limit)


def linkage_persons(db: Database, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The loaded persons among ``ids`` (placeholders left out), in the linkage's shape."""
    return db.read("get_linkage_persons", ids=ids)


def resolve_candidates(db: Database, rows: Sequence[dict[str, Any]], per_key: int) -> list[dict[str, Any]]:
    """For each ``{id, q}`` in ``rows`` (``q``: a Lucene name query or ``None``), the persons
    sharing a blocking key with it, at most ``per_key`` per key: ``[{id, candidate_ids}]``."""
    return db.read("find_resolve_candidates", rows=rows, per_key=per_key)


# -- links -------------------------------------------------------------------------------------
def merge_links(db: Database, rows: Sequence[dict[str, Any]], model: str, now: str) -> dict[str, int]:
    """Write proposals ``[{a, b, probability, match_weight, evidence}]`` (a decision is kept,
    only its probability and evidence refreshed): ``{"written": n, "changed": n}``."""
    def work(tx: Any) -> list[dict[str, Any]]:
        found = db.run_in(tx, "merge_identity_links", rows=rows, model=model, now=now)
        note_change_in(db, tx, person_ids=[p for r in rows for p in (r["a"], r["b"])])
        return found

    out = db.write_tx(work)
    if not out:
        return {"written": 0, "changed": 0}
    return {"written": int(out[0]["written"] or 0), "changed": int(out[0]["changed"] or 0)}


def link_pairs(db: Database, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """``[{a, b, status}]`` of every link (``ids`` None) or of the links touching ``ids``."""
    if ids is None:
        return db.read("list_identity_link_pairs")
    return db.read("find_identity_link_pairs", ids=list(ids)) if ids else []


def delete_stale_links(db: Database, pairs: Sequence[dict[str, str]]) -> int:
    """Delete the ``proposed`` links among ``pairs`` ``[{a, b}]`` (decided ones stay); how many."""
    def work(tx: Any) -> list[dict[str, Any]]:
        found = db.run_in(tx, "delete_stale_links", pairs=pairs)
        note_change_in(db, tx, person_ids=[p for r in pairs for p in (r["a"], r["b"])])
        return found

    out = db.write_tx(work)
    return int(out[0]["deleted"]) if out else 0


def get_link(db: Database, a: str, b: str) -> dict[str, Any]:
    """``{a_exists, b_exists, link_exists, link}`` for the pair ``a < b`` (``{}`` if no answer)."""
    return db.read_one("get_identity_link", a=a, b=b) or {}


def decide_link(db: Database, a: str, b: str, *, status: str, decided_by: str | None,
                decided_at: str | None, reason: str | None) -> dict[str, Any] | None:
    """Set a decision on the link ``a -> b``; the link's properties after, or ``None`` when no
    such link."""
    def work(tx: Any) -> list[dict[str, Any]]:
        found = db.run_in(tx, "decide_identity_link", a=a, b=b, status=status, decided_by=decided_by,
                          decided_at=decided_at, reason=reason)
        note_change_in(db, tx, person_ids=[a, b])
        return found

    row = db.write_tx(work)
    return row[0]["link"] if row else None


def link_details(db: Database, *, status: str | None, person_id: str | None, after_a: str, after_b: str,
                 limit: int) -> list[dict[str, Any]]:
    """Links ``[{a, b, link}]`` by ``status`` and ``person_id`` (``None``: any), after the pair
    ``(after_a, after_b)``, in (a, b) order, at most ``limit``."""
    return db.read("list_identity_link_details", status=status, person_id=person_id, after_a=after_a,
                   after_b=after_b, limit=limit)
