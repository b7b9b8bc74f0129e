"""The register's duties and flags (contract section 7), as pure rules over plain rows.

A registered person owes notifications; each duty has a last day (``due_on``) and is met by a
notification on or before it (``late`` after it) or not yet met (``overdue`` from the day after
it). The periods are :class:`Periods`, configurable (docs/register.md gives each legal source):

===================== ============================================================================
duty                  last day, and what meets it
===================== ============================================================================
``initial``           ``start_on`` + ``notify_days`` - 1 ("within the period of 3 days beginning
                      with the date of service of the order", Stalking Protection Act 2019
                      s.9(1); Sexual Offences Act 2003 s.83(1)); met by the first notification on
                      or after ``start_on`` that is not ``travel``
``name``, ``address`` ``changed_on`` + ``notify_days`` - 1 (SPA 2019 s.9(3)-(4); SOA 2003 s.84(1)),
                      for a name or address notification that says when the change happened;
                      met by that notification
``annual``            with ``basis: conviction``: the last notification (not ``travel``) +
                      ``annual_months`` - 1 day ("before the end of the period of one year
                      beginning with" it, SOA 2003 s.85(1)); met by the next one
===================== ============================================================================

No duty falls due after ``end_on``: the registration has ended. A registration's *due duty* is
its one duty not yet met (at most one: the initial, else the next annual), kept with the
register (``Registration.due_on``) so the overdue worklist is an indexed read; whether it is
overdue depends only on the day it is read.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders import normalise

__all__ = ["Periods", "DUTY_KINDS", "REGISTER_FLAGS", "duties", "due_duty", "in_force", "register_flags",
           "name_keys_of", "add_months", "load_areas", "postcode_area", "transfer_proposal"]

DUTY_KINDS = ("initial", "name", "address", "annual")
REGISTER_FLAGS = ("REGISTERED", "NOTIFICATION_OVERDUE", "UNNOTIFIED_ADDRESS")


@dataclass(frozen=True)
class Periods:
    """The notification periods (``GRAPHSVC_REGISTER_NOTIFY_DAYS``,
    ``GRAPHSVC_REGISTER_ANNUAL_MONTHS``): a period of ``notify_days`` days beginning with the
    day of service or change, and one of ``annual_months`` months beginning with the last
    notification."""

    notify_days: int = 3
    annual_months: int = 12


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` ``months`` later, on the month's last day where it is shorter (29 February plus
    a year is 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _last_day(first: dt.date, days: int) -> dt.date:
    return first + dt.timedelta(days=days - 1)


def in_force(registration: Mapping[str, Any], today: dt.date) -> bool:
    """Started on or before ``today`` and not ended before it."""
    start, end = registration.get("start_on"), registration.get("end_on")
    return start is not None and start <= today and (end is None or today <= end)


def _counting(notifications: Iterable[Mapping[str, Any]], start: dt.date) -> list[Mapping[str, Any]]:
    """The notifications that meet duties: on or after ``start_on``, not ``travel``, oldest first."""
    return sorted((n for n in notifications if n.get("type") != "travel" and n["notified_on"] >= start),
                  key=lambda n: (n["notified_on"], n["id"]))


def duties(registration: Mapping[str, Any], notifications: Sequence[Mapping[str, Any]], periods: Periods,
           today: dt.date) -> list[dict[str, Any]]:
    """Every duty of one registration, by last day: ``{"kind", "due_on", "met_on", "late",
    "overdue", "evidence"}`` (``evidence``: the notification that met it, else the
    registration). ``registration``: ``id``, ``basis``, ``start_on``, ``end_on`` (dates);
    ``notifications``: ``id``, ``type``, ``notified_on``, ``changed_on``. A placeholder (no
    ``start_on``) owes nothing yet."""
    start, end = registration.get("start_on"), registration.get("end_on")
    if start is None:
        return []
    out: list[dict[str, Any]] = []

    def owe(kind: str, due: dt.date, met: Mapping[str, Any] | None) -> None:
        if end is not None and due > end:
            return  # the registration ended before this duty fell due
        met_on = met["notified_on"] if met is not None else None
        out.append({"kind": kind, "due_on": due, "met_on": met_on,
                    "late": met_on is not None and met_on > due,
                    "overdue": met_on is None and today > due,
                    "evidence": [met["id"] if met is not None else registration["id"]]})

    counting = _counting(notifications, start)
    owe("initial", _last_day(start, periods.notify_days), counting[0] if counting else None)
    for note in counting:
        if note.get("type") in ("name", "address") and note.get("changed_on") is not None:
            owe(note["type"], _last_day(note["changed_on"], periods.notify_days), note)
    if registration.get("basis") == "conviction":
        for before, after in zip(counting, [*counting[1:], None]):
            owe("annual", add_months(before["notified_on"], periods.annual_months) - dt.timedelta(days=1), after)
    return sorted(out, key=lambda d: (d["due_on"], DUTY_KINDS.index(d["kind"])))


def due_duty(registration: Mapping[str, Any], notifications: Sequence[Mapping[str, Any]],
             periods: Periods) -> tuple[str, dt.date] | None:
    """The registration's one duty not yet met, ``(kind, due_on)``, whatever the day: what the
    register keeps (``Registration.due_duty``, ``due_on``) for the worklist."""
    open_ = [d for d in duties(registration, notifications, periods, dt.date.min) if d["met_on"] is None]
    return (open_[0]["kind"], open_[0]["due_on"]) if open_ else None


def name_keys_of(given: str | None, family: str | None, aliases: Iterable[str] = ()) -> list[str]:
    """The names a record gives, compared as :func:`loaders.normalise.name_key` keys: the full
    name and each alias."""
    full = " ".join(n for n in (given, family) if n)
    keys = [normalise.name_key(full)] if full else []
    keys += [normalise.name_key(a) for a in aliases if a]
    return [k for k in dict.fromkeys(keys) if k]


def _flag(code: str, message: str, evidence: Sequence[str]) -> dict[str, Any]:
    return {"code": code, "message": message, "evidence": list(dict.fromkeys(evidence))}


def register_flags(registrations: Sequence[Mapping[str, Any]], notifications: Sequence[Mapping[str, Any]],
                   records: Sequence[Mapping[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """The register's flags of one person (or identity group), in :data:`REGISTER_FLAGS` order.

    ``registrations``: the group's registrations (``id``, ``basis``, ``start_on``, ``end_on``,
    ``managed_by``, ``manager``, ``due_duty``, ``due_on``: the kept due duty). ``notifications``:
    theirs (``name_keys``, ``home_key``). ``records``: the group's person records (``id``,
    ``name_keys``, ``address_keys``).

    - ``REGISTERED``: a registration in force today (evidence: the registrations).
    - ``NOTIFICATION_OVERDUE``: one in force whose due duty's last day has passed (evidence:
      the registrations).
    - ``UNNOTIFIED_ADDRESS``: once he has notified anything, a record of the group gives a name
      or home address that none of his notifications holds (evidence: those records).
    """
    live = sorted((r for r in registrations if in_force(r, today)), key=lambda r: (r["start_on"], r["id"]))
    if not live:
        return []
    out = []
    managers = ", ".join(dict.fromkeys(
        f"{r['managed_by']}" + (f" ({r['manager']})" if r.get("manager") else "") for r in live if r.get("managed_by")))
    out.append(_flag("REGISTERED", f"registered since {live[0]['start_on'].isoformat()} "
                                   f"({', '.join(sorted({r['basis'] for r in live if r.get('basis')}))})"
                                   + (f", managed by {managers}" if managers else ""), [r["id"] for r in live]))
    overdue = [r for r in live if r.get("due_on") is not None and today > r["due_on"]]
    if overdue:
        first = min(overdue, key=lambda r: r["due_on"])
        days = (today - first["due_on"]).days
        out.append(_flag("NOTIFICATION_OVERDUE",
                         f"{first['due_duty']} notification due by {first['due_on'].isoformat()}, {days} day(s) overdue",
                         [r["id"] for r in sorted(overdue, key=lambda r: (r["due_on"], r["id"]))]))
    if notifications:
        names = {k for n in notifications for k in n.get("name_keys") or []}
        homes = {n["home_key"] for n in notifications if n.get("home_key")}
        unnamed = [r["id"] for r in records if any(k not in names for k in r.get("name_keys") or [])]
        unhoused = [r["id"] for r in records if any(k not in homes for k in r.get("address_keys") or [])]
        if unnamed or unhoused:
            parts = []
            if unhoused:
                parts.append(f"a home address he has not notified ({len(unhoused)} record(s))")
            if unnamed:
                parts.append(f"a name he has not notified ({len(unnamed)} record(s))")
            out.append(_flag("UNNOTIFIED_ADDRESS", "records give " + " and ".join(parts),
                             sorted(set(unhoused) | set(unnamed))))
    return out


# -- moving: the agency a notified home address belongs to ------------------------------------

#: The default postcode-area table: the synthetic register's forces (docs/register.md, "Moving").
DEFAULT_AREAS = Path(__file__).with_name("data") / "postcode_areas.csv"
_AREA = re.compile(r"^\s*([A-Za-z]{1,2})[0-9]")


@functools.lru_cache(maxsize=8)
def load_areas(path: Path | None = None) -> Mapping[str, str]:
    """``{postcode area: agency}`` from a CSV with columns ``area,agency`` (lines starting ``#``
    are comments). Raises :class:`ValueError` naming the line of a malformed or repeated area."""
    table: dict[str, str] = {}
    source = path or DEFAULT_AREAS
    with open(source, encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        for n, row in enumerate(rows, start=2):
            area, agency = (row.get("area") or "").strip().upper(), (row.get("agency") or "").strip()
            if not re.fullmatch(r"[A-Z]{1,2}", area) or not agency:
                raise ValueError(f"{source}: row {n}: needs a postcode area (one or two letters) and an agency")
            if area in table:
                raise ValueError(f"{source}: row {n}: area {area} is given twice")
            table[area] = agency
    return table


def postcode_area(postcode: str | None) -> str | None:
    """The postcode's area, its leading letters (``LS6 2QT`` -> ``LS``), else ``None``."""
    m = _AREA.match(postcode or "")
    return m.group(1).upper() if m else None


def transfer_proposal(managed_by: str | None, notification: Mapping[str, Any] | None,
                      areas: Mapping[str, str]) -> dict[str, Any] | None:
    """The agency a registration should move to: the one whose area holds the last notified home
    address (``notification``: ``id``, ``home_postcode``), when that is not ``managed_by``.
    ``{"notification_id", "to", "postcode_area", "evidence": [notification id]}``, else ``None``."""
    if notification is None:
        return None
    area = postcode_area(notification.get("home_postcode"))
    to = areas.get(area) if area else None
    if to is None or to == managed_by:
        return None
    # named by its notification: where he lives, read as the notification is (need-to-know)
    return {"notification_id": notification["id"], "to": to, "postcode_area": area, "evidence": [notification["id"]]}
