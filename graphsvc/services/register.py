"""The register's use cases (contract section 7, docs/register.md): one person's place on it,
the overdue worklist, the flags ``/check`` and the profile add, and the transfer of a
registration to the agency his notified home address belongs to.

The duties are worked out by :mod:`graphsvc.analysis.register` as records arrive and kept on
each registration (``due_duty``, ``due_on``): the worklist and the flags read them, and only
whether a kept duty is overdue depends on the day it is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphsvc.analysis.register import (
    duties,
    in_force,
    load_areas,
    name_keys_of,
    register_flags,
    transfer_proposal,
)
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.graph.db import Database
from graphsvc.repository import register as store
from graphsvc.services.common import LIMIT_CAP, _decode_cursor, _encode_cursor, _limit, _no_person, _person_id, _today
from loaders.records import RECORD_ID, iso

__all__ = ["flags_for_groups", "register_person", "overdue", "transfer", "registration_of", "refresh"]


def _facts_of(rows: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                         list[dict[str, Any]]]:
    """The registrations, notifications and person records that the flags of one group rest on,
    each once however many of the group's records name it."""
    registrations: dict[str, dict[str, Any]] = {}
    notifications: dict[str, dict[str, Any]] = {}
    records = []
    for row in rows:
        records.append({"id": row["id"], "address_keys": row.get("address_keys") or [],
                        "name_keys": name_keys_of(row.get("given_name"), row.get("family_name"),
                                                  row.get("aliases") or [])})
        for reg in row.get("registrations") or []:
            registrations.setdefault(reg["id"], reg)
            for note in reg.get("notifications") or []:
                notifications.setdefault(note["id"], note)
    return list(registrations.values()), list(notifications.values()), records


def flags_for_groups(db: Database, groups: Mapping[str, Sequence[str]], today: dt.date | None = None
                     ) -> dict[str, list[dict[str, Any]]]:
    """The register's flags (``REGISTERED``, ``NOTIFICATION_OVERDUE``, ``UNNOTIFIED_ADDRESS``)
    of each identity group: ``{person_id: flags}`` for ``{person_id: the group's record ids}``
    (its own, confirmed links and proposed ones at the threshold: the records the other flags
    count). One read for all of them."""
    today = today or _today()
    rows = {r["id"]: r for r in store.register_facts(db, [m for members in groups.values() for m in members])}
    out = {}
    for pid, members in groups.items():
        regs, notes, records = _facts_of(rows[m] for m in dict.fromkeys(members) if m in rows)
        out[pid] = register_flags(regs, notes, records, today) if regs else []
    return out


def _name(person_id: str, given: str | None, family: str | None) -> dict[str, str | None]:
    # whose name it is, for the need-to-know rule: a registered man's names cross as his
    # identity does, a victim's are withheld (contract section 5)
    return {"person_id": person_id, "given_name": given or None, "family_name": family or None}


def _notification(note: Mapping[str, Any], registration_id: str, person_id: str) -> dict[str, Any]:
    home = ({"line1": note.get("home_line1"), "town": note.get("home_town"), "postcode": note.get("home_postcode")}
            if any(note.get(k) for k in ("home_line1", "home_town", "home_postcode")) else None)
    names = [_name(person_id, g, f) for g, f in zip(note.get("given_names") or [], note.get("family_names") or [])]
    return {"notification_id": note["id"], "registration_id": registration_id, "type": note.get("type"),
            "notified_on": iso(note["notified_on"]), "changed_on": iso(note.get("changed_on")),
            "names": names, "home_address": home, "station": note.get("station"),
            "reference": note.get("reference"), "source": note.get("source"), "review_on": iso(note.get("review_on"))}


def register_person(db: Database, person_id: str, today: dt.date | None = None) -> dict[str, Any]:
    """One person's place on the register: ``{"person_id", "registrations", "notifications",
    "last_notified", "duties", "flags"}`` (contract section 7; docs/register.md).

    ``registrations``: each with its ``in_force``, kept ``due`` duty, its transfers, and the
    agency proposed for it (``transfer_proposed``: the one the last notified home address belongs
    to, when that is not the managing agency). ``notifications``: every one, newest first.
    ``last_notified``: the names and home address notified last (``evidence``: the
    notifications). ``duties``: every duty of every registration, by last day, with the
    notification that met it or the registration (``evidence``). ``flags``: as ``/check`` gives
    them, for this record alone (the profile gives them for his identity group).

    Raises
    ------
    NotFound
        When no record or placeholder has this id.
    """
    _person_id(person_id)
    today = today or _today()
    row = store.register_person(db, person_id)
    if row is None:
        raise _no_person(person_id)
    areas = load_areas(db.settings.register_areas)
    periods = db.settings.register_periods
    registrations, notifications, all_duties = [], [], []
    for reg in sorted(row["registrations"], key=lambda r: (r["start_on"], r["id"])):
        notes = sorted(reg["notifications"], key=lambda n: (n["notified_on"], n["id"]))
        shown = [_notification(n, reg["id"], person_id) for n in notes]
        notifications += shown
        homes = [n for n in notes if n.get("home_postcode")]
        proposal = transfer_proposal(reg.get("managed_by"), homes[-1] if homes else None, areas)
        kept = ({"duty": reg["due_duty"], "due_on": iso(reg["due_on"]),
                 "overdue": in_force(reg, today) and today > reg["due_on"]} if reg.get("due_on") else None)
        registrations.append({
            "registration_id": reg["id"], "basis": reg.get("basis"), "order_id": reg.get("order_id"),
            "start_on": iso(reg["start_on"]), "end_on": iso(reg.get("end_on")),
            "managing_agency": reg.get("managing_agency"), "managed_by": reg.get("managed_by"),
            "manager": reg.get("manager"), "source": reg.get("source"), "in_force": in_force(reg, today),
            "due": kept, "transfer_proposed": proposal, "transfers": _transfers(reg),
            "review_on": iso(reg.get("review_on"))})
        for duty in duties(reg, notes, periods, today):
            all_duties.append({"registration_id": reg["id"], "kind": duty["kind"], "due_on": iso(duty["due_on"]),
                               "met_on": iso(duty["met_on"]), "late": duty["late"],
                               "overdue": duty["overdue"] and in_force(reg, today), "evidence": duty["evidence"]})
    notifications.sort(key=lambda n: (n["notified_on"], n["notification_id"]), reverse=True)
    flags = flags_for_groups(db, {person_id: [person_id]}, today)[person_id]
    return {"person_id": person_id, "placeholder": bool(row.get("placeholder")), "registrations": registrations,
            "notifications": notifications, "last_notified": _last_notified(notifications),
            "duties": sorted(all_duties, key=lambda d: (d["due_on"], d["registration_id"], d["kind"])),
            "flags": flags, "as_of": today.isoformat()}


def _transfers(reg: Mapping[str, Any]) -> list[dict[str, Any]]:
    cols = [reg.get(f"transfers_{k}") or [] for k in ("from", "to", "on", "by", "reason")]
    # each names its registration: its reason is read as the registration is (need-to-know)
    return [{"registration_id": reg["id"], "from": f, "to": t, "on": iso(o), "by": b, "reason": r}
            for f, t, o, b, r in zip(*cols)]


def _last_notified(notifications: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The names and the home address as last notified (``notifications`` newest first), each
    from the newest notification that gives it (a travel notification gives neither)."""
    counting = [n for n in notifications if n["type"] != "travel"]
    if not counting:
        return None
    named = next((n for n in counting if n["names"]), None)
    housed = next((n for n in counting if n["home_address"]), None)
    # named by the notification whose home address it shows: what the need-to-know rule judges
    return {"notification_id": (housed or counting[0])["notification_id"],
            "names": named["names"] if named else [], "home_address": housed["home_address"] if housed else None,
            "notified_on": counting[0]["notified_on"],
            "evidence": list(dict.fromkeys(n["notification_id"] for n in (named, housed, counting[0]) if n))}


def overdue(db: Database, agency: str | None = None, *, cursor: str | None = None, limit: int = 50,
            today: dt.date | None = None) -> dict[str, Any]:
    """The overdue worklist, longest overdue first (contract section 7): registrations in force
    whose due duty's last day has passed, one agency's (``agency``: the managing agency) or the
    nation's. ``{"persons": [{"person_id", "given_name", "family_name", "registration_id",
    "duty", "due_on", "managing_agency", "days_overdue"}], "next_cursor", "as_of"}`` (the names
    are his record's, shown like any person's: need-to-know applies); pass ``next_cursor`` back
    for the next page. An indexed read (``registration_due_on``): the page costs its rows."""
    limit = _limit(limit, LIMIT_CAP)
    if agency is not None:
        _agency(agency, "agency")
    today = today or _today()
    key = _decode_cursor(cursor, [str, str])
    after = None
    if key is not None:
        try:
            after = (dt.date.fromisoformat(key[0]), key[1])
        except ValueError:
            raise InvalidInput("cursor is not one this service issued", {"field": "cursor"}) from None
    rows = store.overdue_registrations(db, today, agency, after, limit + 1)
    page = rows[:limit]
    persons = [{"person_id": r["person_id"], "given_name": r.get("given_name"), "family_name": r.get("family_name"),
                "registration_id": r["registration_id"], "duty": r["duty"],
                "due_on": iso(r["due_on"]), "managing_agency": r["managing_agency"],
                "days_overdue": (today - r["due_on"]).days} for r in page]
    next_cursor = (_encode_cursor([iso(page[-1]["due_on"]), page[-1]["registration_id"]])
                   if len(rows) > limit else None)
    return {"persons": persons, "next_cursor": next_cursor, "agency": agency, "as_of": today.isoformat()}


def _agency(value: Any, field: str) -> str:
    # heavy: argon2 (the key ring's module hashes a dummy key as it loads)
    from graphsvc.security.keys import AGENCY_PATTERN

    if not isinstance(value, str) or not AGENCY_PATTERN.match(value):
        raise InvalidInput(f"{field} must be an agency code (1-32 letters, digits or . _ -)", {"field": field})
    return value


def registration_of(db: Database, registration_id: str) -> dict[str, Any]:
    """``{"id", "managed_by", "person_id"}``: who manages the registration now, for the
    transfer's agency check. :class:`NotFound` when there is no such registration."""
    if not isinstance(registration_id, str) or not RECORD_ID.match(registration_id):
        raise InvalidInput("not a valid record id", {"field": "registration_id"})
    row = store.registration_managed_by(db, registration_id)
    if row is None:
        raise NotFound("no registration with this id", {"registration_id": registration_id})
    return dict(row)


def transfer(db: Database, registration_id: str, to: str, reason: str, by: str,
             today: dt.date | None = None, *, held: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Moves the registration's management to agency ``to`` (docs/register.md, "Moving"), and
    keeps the transfer with it: ``{"registration_id", "from", "to", "on", "by", "reason"}``.
    ``held``: :func:`registration_of`'s answer, when the caller read it for its agency check
    (read here otherwise); the move is made only if it is still the managing agency then.

    Raises
    ------
    InvalidInput
        ``to`` is not an agency code, or ``reason`` is empty or longer than 500 characters.
    NotFound
        No registration has this id.
    Conflict
        The registration is managed by ``to`` already, or another transfer moved it since
        ``held`` was read.
    """
    _agency(to, "to")
    if not isinstance(reason, str) or not 1 <= len(reason.strip()) <= 500:
        raise InvalidInput("reason must be 1-500 characters", {"field": "reason"})
    current = (held if held is not None else registration_of(db, registration_id))["managed_by"]
    if current == to:
        raise Conflict(f"registration {registration_id} is managed by {to} already",
                       {"registration_id": registration_id, "field": "to"})
    on = today or _today()
    out = store.transfer_registration(db, registration_id, current, to, on, by, reason.strip())
    if out is None:
        raise Conflict(f"registration {registration_id} was transferred meanwhile: read it again",
                       {"registration_id": registration_id})
    return {"registration_id": registration_id, "from": out["from"], "to": out["to"], "on": on.isoformat(),
            "by": by, "reason": reason.strip()}


def refresh(db: Database) -> dict[str, Any]:
    """Works out every registration's due duty again with the configured periods
    (``GRAPHSVC_REGISTER_NOTIFY_DAYS``, ``GRAPHSVC_REGISTER_ANNUAL_MONTHS``): run after changing
    one, as the kept duties were worked out with the periods of their writes."""
    periods = db.settings.register_periods
    n = store.refresh_due(db, periods)
    return {"registrations": n, "notify_days": periods.notify_days, "annual_months": periods.annual_months}
