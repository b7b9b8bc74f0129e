"""The read quota's storage: ``(:KeyDay {id, key_id, day, count})`` and one
``(:KeyRead {id, key_id, day, person_id})`` per distinct person a key read that day (service
bookkeeping, not register data). The rule is :mod:`graphsvc.security.quota`'s.

A charge is made inside the audit append's own write transaction
(:func:`graphsvc.repository.audit.append_chained_batch` calls :func:`charge_in`), after the
audit head's lock: the answer's entry and its charge commit together or not at all, every
charge in every process is serialised by that one lock, and a batch of N audited reads costs
two more queries, not N transactions of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from neo4j import ManagedTransaction

from graphsvc.graph.db import Database

__all__ = ["STALE_SLICE", "Charge", "Charged", "charge_in"]

#: Stale bookkeeping nodes of other keys deleted when a key's new day opens (a bounded cost
#: inside that request's charge).
STALE_SLICE = 2000


@dataclass(frozen=True)
class Charge:
    """An answer's charge: ``key_id``'s ``day`` (``YYYY-MM-DD``) with the distinct
    ``person_ids`` it names, refused when the day's distinct count would pass ``quota``."""

    key_id: str
    day: str
    person_ids: tuple[str, ...]
    quota: int


@dataclass(frozen=True)
class Charged:
    """A charge's outcome: the day's distinct count after it (``accepted``), or the count it
    would have made (refused: nothing counted)."""

    count: int
    accepted: bool


def charge_in(db: Database, tx: ManagedTransaction, charges: Sequence[Charge | None]) -> list[Charged | None]:
    """In ``tx`` (holding the audit head's lock), make ``charges`` in order: each is accepted
    when the day's distinct count with its persons stays within its quota, and refused (nothing
    counted) otherwise. Returns each charge's :class:`Charged` (``None`` for no charge). A key's first
    charge of a day deletes its earlier days, and up to :data:`STALE_SLICE` stale nodes of keys
    that have not read since."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for c in charges:
        if c is not None:
            wanted.setdefault((c.key_id, c.day), set()).update(c.person_ids)
    if not wanted:
        return [None] * len(charges)
    rows = db.run_in(tx, "get_key_reads", keys=[{"key_id": k, "day": d, "ids": sorted(ids)}
                                                for (k, d), ids in wanted.items()])
    count = {(r["key_id"], r["day"]): int(r["count"]) for r in rows}
    read = {(r["key_id"], r["day"]): set(r["read"]) for r in rows}
    opened = {(r["key_id"], r["day"]) for r in rows if r["opened"]}
    new: dict[tuple[str, str], list[str]] = {}
    out: list[Charged | None] = []
    for c in charges:
        if c is None:
            out.append(None)
            continue
        day = (c.key_id, c.day)
        fresh = [i for i in dict.fromkeys(c.person_ids) if i not in read[day]]
        would_be = count[day] + len(fresh)
        if would_be > c.quota:
            out.append(Charged(would_be, accepted=False))
            continue
        count[day] = would_be
        read[day].update(fresh)
        new.setdefault(day, []).extend(fresh)
        out.append(Charged(would_be, accepted=True))
    if new:
        db.run_in(tx, "add_key_reads", days=[{"key_id": k, "day": d, "count": count[(k, d)], "new": ids}
                                             for (k, d), ids in new.items()])
    for key_id, day in sorted(opened & set(new)):
        db.run_in(tx, "delete_old_key_reads", key_id=key_id, day=day, slice=STALE_SLICE)
    return out
