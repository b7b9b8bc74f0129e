"""The read quota's storage: ``(:KeyDay {id, key_id, day, count})`` and one
``(:KeyRead {id, key_id, day, person_id})`` per distinct person a key read that day (service
bookkeeping, not register data). The rule is :mod:`graphsvc.security.quota`'s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neo4j import ManagedTransaction

from graphsvc.graph.db import Database

__all__ = ["STALE_SLICE", "charge_reads"]

#: Stale bookkeeping nodes of other keys deleted when a key's new day opens (a bounded cost
#: inside that request's charge).
STALE_SLICE = 2000


def charge_reads(db: Database, key_id: str, day: str, person_ids: list[str],
                 check: Callable[[int], None]) -> int:
    """In one write transaction, add ``person_ids`` to ``key_id``'s reads of ``day`` and call
    ``check`` with the day's distinct count; ``check`` raising rolls the charge back (the
    answer is refused and not counted). A key's first charge of a day deletes its earlier days,
    and up to :data:`STALE_SLICE` stale nodes of keys that have not read since."""

    def work(tx: ManagedTransaction) -> int:
        row: dict[str, Any] = db.run_in(tx, "charge_key_reads", key_id=key_id, day=day, ids=person_ids)[0]
        check(int(row["count"]))
        if row["opened"]:
            db.run_in(tx, "delete_old_key_reads", key_id=key_id, day=day, slice=STALE_SLICE)
        return int(row["count"])

    return db.write_tx(work)
