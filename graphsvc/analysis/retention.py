"""Retention review (contract section 8, docs/retention.md): when each record is due for
review, and what still holds a record that a reviewer would dispose of. Pure rules over plain rows.

Every record gets a *scheduled* review date from the schedule (:class:`Schedule`, a CSV keyed on
the record's kind and, for an incident, its outcome; defaults in ``data/review_schedule.csv``
after the College of Policing's Management of Police Information, each row with its source):
its period in years counted from the record's *anchor*:

============== =================================================================================
kind           anchor
============== =================================================================================
person         the day the record was first written (a person record carries no date of its own)
incident       the day it occurred (Europe/London)
order          ``expires_on``, or ``issued_on`` for an order until further order
registration   ``end_on``, or ``start_on`` while indefinite
notification   ``notified_on``
============== =================================================================================

A ``retain`` decision sets the next review itself; the record's ``review_on`` is then that date
(a human decision outlives a rescheduling), else the scheduled one.

What holds a record (:func:`holds`) is what would make its disposal unlawful or unsafe today:
an order in force, a registration not ended, and a perpetrator with several victims (public
protection: MoPI's group 1 is held until reviewed as no longer needed, not disposed of by the
schedule). A held record is still listed when due (its review must be recorded), with its holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphsvc.analysis.fixation import order_active

__all__ = ["KINDS", "DEFAULT_SCHEDULE", "Period", "Schedule", "add_years", "anchor", "load_schedule", "holds",
           "MAX_RETAIN_YEARS"]

#: The record kinds a review decides on, as ``POST /review/{kind}/{id}`` spells them.
KINDS = ("person", "incident", "order", "registration", "notification")
DEFAULT_SCHEDULE = Path(__file__).with_name("data") / "review_schedule.csv"
#: A retain decision's next review is at most this far ahead (MoPI reviews group 1 every ten
#: years; twenty leaves room for a documented exception, never "for ever").
MAX_RETAIN_YEARS = 20
_OUTCOMES = ("convicted", "charged", "caution", "pending", "reported", "no_further_action", "acquitted")


@dataclass(frozen=True)
class Period:
    kind: str
    outcome: str  # an incident outcome, or "*" for any
    group: int  # the MoPI group (1 public protection, 2 serious, 3 other)
    years: int
    source: str


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` years on (29 February to the 28th in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Schedule:
    periods: tuple[Period, ...]

    def period(self, kind: str, outcome: str | None = None) -> Period:
        """The row for ``kind`` and ``outcome``: the exact outcome's, else the kind's ``*``."""
        exact = next((p for p in self.periods if p.kind == kind and p.outcome == outcome), None)
        if exact is not None:
            return exact
        return next(p for p in self.periods if p.kind == kind and p.outcome == "*")

    def scheduled(self, kind: str, facts: Mapping[str, Any]) -> dt.date:
        """The scheduled review of a ``kind`` record with these ``facts`` (:func:`anchor`'s, and
        an incident's ``outcome``)."""
        return add_years(anchor(kind, facts), self.period(kind, facts.get("outcome")).years)

    def as_rows(self) -> list[dict[str, Any]]:
        return [{"kind": p.kind, "outcome": p.outcome, "group": p.group, "years": p.years, "source": p.source}
                for p in self.periods]


def anchor(kind: str, facts: Mapping[str, Any]) -> dt.date:
    """The day a record's scheduled review is counted from (the module's table): ``facts`` has
    ``first_recorded_on`` (person), ``occurred_on`` (an incident's London day), ``issued_on``
    and ``expires_on`` (order), ``start_on`` and ``end_on`` (registration), ``notified_on``."""
    day = {
        "person": lambda: facts["first_recorded_on"],
        "incident": lambda: facts["occurred_on"],
        "order": lambda: facts.get("expires_on") or facts["issued_on"],
        "registration": lambda: facts.get("end_on") or facts["start_on"],
        "notification": lambda: facts["notified_on"],
    }[kind]()
    if not isinstance(day, dt.date):
        raise ValueError(f"a {kind} record needs its dates for a review date")
    return day


@functools.lru_cache(maxsize=8)
def load_schedule(path: Path = DEFAULT_SCHEDULE) -> Schedule:
    """The schedule in the CSV at ``path`` (columns ``kind,outcome,group,years,source``). Every
    kind needs a ``*`` row; :class:`ValueError` names the line and the field otherwise."""
    periods: list[Period] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            kind, outcome = (row.get("kind") or "").strip(), (row.get("outcome") or "").strip()
            if kind not in KINDS:
                raise ValueError(f"{path}:{line}: kind {kind!r} is not one of {', '.join(KINDS)}")
            if outcome != "*" and (kind != "incident" or outcome not in _OUTCOMES):
                raise ValueError(f"{path}:{line}: outcome {outcome!r}: '*', or an incident outcome for an incident")
            try:
                group, years = int(row.get("group") or ""), int(row.get("years") or "")
            except ValueError:
                raise ValueError(f"{path}:{line}: group and years must be whole numbers") from None
            if group not in (1, 2, 3) or not 1 <= years <= 100:
                raise ValueError(f"{path}:{line}: group is 1-3 and years 1-100")
            periods.append(Period(kind, outcome, group, years, (row.get("source") or "").strip()))
    missing = [k for k in KINDS if not any(p.kind == k and p.outcome == "*" for p in periods)]
    if missing:
        raise ValueError(f"{path}: no '*' row for {', '.join(missing)}")
    return Schedule(tuple(periods))


def holds(kind: str, facts: Mapping[str, Any], today: dt.date, several: int) -> list[dict[str, Any]]:
    """What holds this record today, each ``{"code", "message", "evidence" [record ids]}``.

    ``facts`` (the repository's ``get_review_subject``): ``orders`` [{id, issued_on,
    expires_on}] in force-or-not that need the record (an order's own facts for an order; the
    orders restraining or protecting a person; those an incident breached), ``registrations``
    [{id, start_on, end_on}] that need it, and for a person or an incident the ``victim_counts``
    [{person_id, victims}] of the perpetrators concerned (counted by identity group, as the
    serial ranking counts). ``several``: how many distinct victims make a perpetrator a public
    protection matter (the MULTIPLE_VICTIMS threshold)."""
    out: list[dict[str, Any]] = []
    in_force = [o for o in facts.get("orders") or [] if order_active(o, today)]
    if in_force:
        ids = sorted(o["id"] for o in in_force)
        what = "it is" if kind == "order" else "it is needed by"
        out.append({"code": "ORDER_IN_FORCE", "message": f"{what} an order in force ({', '.join(ids)})",
                    "evidence": ids})
    live = [r for r in facts.get("registrations") or [] if r.get("end_on") is None or r["end_on"] >= today]
    if live:
        ids = sorted(r["id"] for r in live)
        what = "it is" if kind == "registration" else "it is needed by"
        out.append({"code": "REGISTRATION", "message": f"{what} a registration not ended ({', '.join(ids)})",
                    "evidence": ids})
    serial = sorted((v for v in facts.get("victim_counts") or [] if int(v["victims"]) >= several),
                    key=lambda v: v["person_id"])
    if serial:
        ids = [v["person_id"] for v in serial]
        out.append({"code": "PUBLIC_PROTECTION",
                    "message": "a perpetrator with several victims (" + ", ".join(
                        f"{v['person_id']}: {v['victims']}" for v in serial) + "): MoPI group 1, retained while so",
                    "evidence": ids})
    return out

