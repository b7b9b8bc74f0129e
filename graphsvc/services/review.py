"""Retention review and erasure (contract section 8, docs/retention.md): the worklist of
records due for review, and the decision on one: ``retain`` (with a reason and the next review)
or ``dispose`` (the record and whatever only it created are erased, unless something holds it).

The schedule and the holds are :mod:`graphsvc.analysis.retention`'s; the reads and the erasure
are :mod:`graphsvc.repository.review`'s. An erasure brings the pattern state up to date before
it returns, so every answer after it (the serial ranking and the intake check included) has
forgotten the record. The audit entry (``erasure``, never the content) is the caller's: the
API's route preamble and the CLI write it with the kind, id, source and reason this returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from graphsvc.analysis.retention import KINDS, MAX_RETAIN_YEARS, add_years, holds
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.graph.db import Database
from graphsvc.repository import review as store
from graphsvc.services import state as pattern_state
from graphsvc.services.common import LIMIT_CAP, _decode_cursor, _encode_cursor, _limit, _today
from loaders.records import RECORD_ID, iso

__all__ = ["DECISIONS", "Logged", "due", "decide", "subject", "reschedule"]

DECISIONS = ("retain", "dispose")
#: Writes an audit entry in one transaction with the work it is given (a function of the transaction).
Logged = Callable[[Callable[[Any], None]], Any]


def _erased_in(tx: Any, db: Database, kind: str, record_id: str, periods: Any,
               check: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    out = store.erase_in(tx, db, kind, record_id, periods, check)
    if out is None:  # gone since it was read: nothing erased, so no erasure entry either
        raise NotFound(f"no {kind} record with this id", {"kind": kind, "id": record_id})
    return out


def _kind(kind: Any) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", {"field": "kind"})
    return str(kind)


def _record_id(record_id: Any) -> str:
    if not isinstance(record_id, str) or not RECORD_ID.match(record_id):
        raise InvalidInput("not a valid record id", {"field": "id"})
    return record_id


def _holds_of(db: Database, row: Mapping[str, Any], today: dt.date) -> list[dict[str, Any]]:
    return holds(row["kind"], row, today, db.settings.thresholds.serial_min_victims)


def _last(values: Any) -> Any:
    return values[-1] if values else None


def _item(db: Database, row: Mapping[str, Any], facts: Mapping[str, Any] | None, today: dt.date) -> dict[str, Any]:
    what = {k: iso(v, row["what"].get("precision")) if k == "occurred_at" else iso(v)
            for k, v in row["what"].items() if k != "precision"}
    return {
        "kind": row["kind"], "id": row["id"], "source": row["source"], "review_on": iso(row["review_on"]),
        "review_scheduled": iso(row["review_scheduled"]), "retained_until": iso(row["retained_until"]),
        "last_decision": ({"on": iso(_last(row["decided_on"])), "by": _last(row["decided_by"]),
                           "reason": _last(row["reasons"])} if row["decided_on"] else None),
        "what": what,
        "holds": _holds_of(db, facts, today) if facts else [],
    }


def due(db: Database, before: dt.date | None = None, agency: str | None = None, *, cursor: str | None = None,
        limit: int = 50, today: dt.date | None = None) -> dict[str, Any]:
    """The records due for review on or before ``before`` (default today), earliest first:
    ``{"records": [{kind, id, source, review_on, review_scheduled, retained_until,
    last_decision, what, holds}], "next_cursor", "before", "agency", "as_of"}``. ``agency``:
    only the records that agency owns (``source``). A page reads each kind's ``review_on``
    index in order and the holds of its records in one query."""
    limit = _limit(limit, LIMIT_CAP)
    today = today or _today()
    before = before or today
    key = _decode_cursor(cursor, [str, str, str])
    after = None
    if key is not None:
        try:
            after = (dt.date.fromisoformat(key[0]), _kind(key[1]), _record_id(key[2]))
        except (ValueError, InvalidInput):
            raise InvalidInput("cursor is not one this service issued", {"field": "cursor"}) from None
    rows = store.due_page(db, before, agency, after, limit + 1)
    page = rows[:limit]
    facts = {(f["kind"], f["id"]): f for f in store.subjects(db, [(r["kind"], r["id"]) for r in page])}
    records = [_item(db, r, facts.get((r["kind"], r["id"])), today) for r in page]
    last = page[-1] if page else None
    next_cursor = (_encode_cursor([iso(last["review_on"]), last["kind"], last["id"]])
                   if last is not None and len(rows) > limit else None)
    return {"records": records, "next_cursor": next_cursor, "before": before.isoformat(), "agency": agency,
            "as_of": today.isoformat()}


def subject(db: Database, kind: str, record_id: str) -> dict[str, Any]:
    """``{"kind", "id", "source", "review_on", ...facts}`` of one record, for the decision's
    agency check; :class:`NotFound` when there is no such record (a placeholder is none)."""
    kind, record_id = _kind(kind), _record_id(record_id)
    rows = [r for r in store.subjects(db, [(kind, record_id)]) if r["found"]]
    if not rows:
        raise NotFound(f"no {kind} record with this id", {"kind": kind, "id": record_id})
    return rows[0]


def decide(db: Database, kind: str, record_id: str, decision: str, reason: str, by: str, *,
           next_review_on: dt.date | None = None, today: dt.date | None = None,
           held: Mapping[str, Any] | None = None, log: Logged | None = None) -> dict[str, Any]:
    """Record the review decision on one record. ``held``: :func:`subject`'s answer, when the
    caller read it for its agency check (read here otherwise). ``log``: writes the erasure's
    audit entry in one transaction with the work it is given (the API's
    :func:`~graphsvc.api.access.audited_with`, the CLI's append), so a disposal and its log
    entry are both written or neither; without it the erasure has a transaction of its own.

    ``retain``: kept, to be reviewed again on ``next_review_on`` (after today, at most
    :data:`MAX_RETAIN_YEARS` years on); the decision joins the record's review history.
    ``dispose``: erased with whatever only it created (docs/retention.md, "What goes"), the
    pattern state brought up to date before this returns.

    Answers ``{"kind", "id", "source", "decision", "reason", "by", "on", ...}``: for retain
    ``review_on``; for dispose ``placeholder`` (another record still names it, so its id stays
    as theirs would make it), ``persons`` (whose roles and counts may have changed),
    ``identity_links`` (removed) and ``released`` (identifiers, addresses and placeholders
    that went with it).

    Raises
    ------
    InvalidInput
        An unknown kind or decision, a bad id, a reason that is empty or over 500 characters, or
        a retain without a valid ``next_review_on``.
    NotFound
        No such record.
    Conflict
        ``dispose`` of a record that something holds (an order in force, a registration not
        ended, a perpetrator with several victims): the holds are in the details.
    """
    kind, record_id = _kind(kind), _record_id(record_id)
    if decision not in DECISIONS:
        raise InvalidInput("decision must be retain or dispose", {"field": "decision"})
    if not isinstance(reason, str) or not 1 <= len(reason.strip()) <= 500:
        raise InvalidInput("reason must be 1-500 characters", {"field": "reason"})
    reason = reason.strip()
    today = today or _today()
    facts = held if held is not None else subject(db, kind, record_id)
    base = {"kind": kind, "id": record_id, "source": facts["source"], "decision": decision, "reason": reason,
            "by": by, "on": today.isoformat()}
    if decision == "retain":
        if not isinstance(next_review_on, dt.date) or isinstance(next_review_on, dt.datetime):
            raise InvalidInput("a retain decision needs next_review_on (a date)", {"field": "next_review_on"})
        latest = add_years(today, MAX_RETAIN_YEARS)
        if not today < next_review_on <= latest:
            raise InvalidInput(f"next_review_on must be after today and at most {MAX_RETAIN_YEARS} years on "
                               f"({latest.isoformat()})", {"field": "next_review_on"})
        kept = store.retain(db, kind, record_id, next_review_on, today, by, reason)
        if kept is None:
            raise NotFound(f"no {kind} record with this id", {"kind": kind, "id": record_id})
        return {**base, "review_on": iso(kept["review_on"])}
    if next_review_on is not None:
        raise InvalidInput("next_review_on goes with retain only", {"field": "next_review_on"})

    def refuse_if_held(now: Mapping[str, Any]) -> None:
        found = _holds_of(db, now, today)
        if found:
            raise Conflict(f"{kind} {record_id} is not disposed of: " + "; ".join(h["message"] for h in found),
                           {"kind": kind, "id": record_id, "holds": found})

    refuse_if_held(facts)  # the caller's read first; the erasure checks again in its transaction
    periods = db.settings.register_periods
    if log is None:
        erased = store.erase(db, kind, record_id, periods, refuse_if_held)
    else:
        done: list[dict[str, Any] | None] = []
        log(lambda tx: done.append(_erased_in(tx, db, kind, record_id, periods, refuse_if_held)))
        erased = done[-1]  # the driver may have run the transaction more than once: the last committed
    if erased is None:
        raise NotFound(f"no {kind} record with this id", {"kind": kind, "id": record_id})
    pattern_state.settle(db)
    return {**base, "placeholder": erased["placeholder"], "persons": erased["persons"],
            "identity_links": erased["identity_links"], "released": erased["released"]}


def reschedule(db: Database, today: dt.date | None = None) -> dict[str, Any]:
    """Every record's scheduled review worked out again with the configured schedule
    (``GRAPHSVC_REVIEW_SCHEDULE``): run after changing it, and once on a register written before
    reviews were kept. Retain decisions stand. ``{"records": {kind: n}, "schedule": rows}``."""
    schedule = db.settings.review_schedule
    return {"records": store.reschedule(db, schedule, today or _today()), "schedule": schedule.as_rows()}
