"""Retention review's reads and writes (contract section 8, docs/retention.md): the due
worklist by the ``review_on`` indexes, what may hold a record, a retain decision, and the
erasure of one record with everything only it created, in one transaction with the pattern
state's outbox entry, the role labels, the registrations' due duties and the register's mark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from neo4j import ManagedTransaction

from graphsvc.analysis.register import Periods
from graphsvc.analysis.retention import KINDS, Schedule
from graphsvc.graph.db import Database
from graphsvc.repository.ingest import refresh_due_in
from graphsvc.repository.rows import native
from graphsvc.repository.state import note_change_in
from loaders.times import local_day

__all__ = ["due_page", "subjects", "retain", "erase", "erase_in", "reschedule"]

_FIRST = dt.date(1, 1, 1)


def due_page(db: Database, before: dt.date, agency: str | None, after: tuple[dt.date, str, str] | None,
             limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` records due for review on or before ``before``, in (review_on, kind, id)
    order after ``after``; each ``{kind, id, source, review_on, review_scheduled,
    retained_until, decided_on, decided_by, reasons, what}``."""
    on, kind, rid = after or (_FIRST, "", "")
    return native(db.read("list_review_due", before=before, agency=agency, after_on=on, after_kind=kind,
                          after_id=rid, limit=limit))


def subjects(db: Database, items: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """For each (kind, id) that exists: its source, review dates and the facts that may hold it
    (``get_review_subjects``); a placeholder comes back with ``found`` false, a missing id not at all."""
    if not items:
        return []
    return native(db.read("get_review_subjects", items=[{"kind": k, "id": i} for k, i in items]))


def retain(db: Database, kind: str, record_id: str, next_on: dt.date, on: dt.date, by: str,
           reason: str) -> dict[str, Any] | None:
    """Keep the record, to be reviewed again on ``next_on``; ``None`` when it is not there."""
    rows = db.write("retain_record", kind=kind, id=record_id, next=next_on, on=on, by=by, reason=reason)
    return native(rows[0]) if rows else None


def erase(db: Database, kind: str, record_id: str, periods: Periods,
          check: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
    """Erase the record ``kind`` ``record_id`` and what only it created, in one transaction:
    ``{source, placeholder, persons, identity_links, released}``; ``None`` when it is not there.
    ``check`` sees the record's facts (``get_review_subjects``) read in that transaction and
    raises to refuse, so nothing that arrives after the decision's first read can be missed."""
    return db.write_tx(erase_in, db, kind, record_id, periods, check)


def erase_in(tx: ManagedTransaction, db: Database, kind: str, record_id: str, periods: Periods,
             check: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
    """:func:`erase` in the caller's transaction ``tx`` (the erasure's audit entry's own)."""
    run = db.run_in
    facts = [native(r) for r in run(tx, "get_review_subjects", items=[{"kind": kind, "id": record_id}])]
    if not facts or not facts[0]["found"]:
        return None
    check(facts[0])
    rows = run(tx, f"erase_{kind}", id=record_id)
    if not rows:
        return None
    out = rows[0]
    released, persons = list(out["released"]), sorted(set(out["person_ids"]))
    linked = sorted(set(out["linked"]))
    if persons:
        run(tx, "update_roles", ids=persons)
    refresh_due_in(db, tx, out["registration_ids"], periods)
    # the pattern state forgets it in the next apply (the caller settles it before answering)
    note_change_in(db, tx, person_ids=[*persons, *linked, *([record_id] if kind == "person" else [])],
                   record_ids=[record_id] if kind == "person" else [],
                   incident_ids=[i for i in out["cluster_incident_ids"] if i != record_id],
                   released=released, order_ids=[record_id] if kind == "order" else [])
    deleted = run(tx, "delete_orphans", element_ids=sorted(set(released)))[0]["deleted"] if released else 0
    run(tx, "bump_register_version")
    return {"source": out["source"], "placeholder": bool(out["placeholder"]), "persons": persons,
            "identity_links": len(linked), "released": int(deleted)}


def reschedule(db: Database, schedule: Schedule, today: dt.date, page: int = 5000) -> dict[str, int]:
    """Work every record's scheduled review out again with ``schedule`` (after changing it, or
    for records written before reviews were kept: a person with no ``first_recorded_on`` is
    counted from ``today``), page by page in id order, one transaction a page; a retain
    decision's date stands. ``{kind: records}``."""
    done: dict[str, int] = {}
    for kind in KINDS:
        after, n = "", 0
        while True:
            rows = native(db.read("list_review_anchors", kind=kind, after=after, limit=page))
            if not rows:
                break
            out = []
            for r in rows:
                facts = {**r, "first_recorded_on": r["first_recorded_on"] or today}
                if r["occurred_at"] is not None:
                    facts["occurred_on"] = local_day(r["occurred_at"])
                out.append({"id": r["id"], "scheduled": schedule.scheduled(kind, facts),
                            "first_recorded_on": facts["first_recorded_on"]})
            db.write("set_review_scheduled", kind=kind, rows=out)
            n += len(rows)
            after = rows[-1]["id"]
        done[kind] = n
    return done
