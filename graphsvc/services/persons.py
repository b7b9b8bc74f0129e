"""One person's answers: the profile, fixation and linked victims."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from graphsvc.analysis.fixation import order_ref
from graphsvc.analysis.flags import order_status
from graphsvc.analysis.identity import IdentityGroup, link_graph
from graphsvc.analysis.severity import SEVERITY
from graphsvc.analysis.victims import count_note, victim_groups
from graphsvc.graph.db import Database
from graphsvc.repository import identity as identity_reads
from graphsvc.repository import incidents as incident_reads
from graphsvc.repository import perpetrators as perpetrator_reads
from graphsvc.repository import persons as person_reads
from graphsvc.security.visibility import Owner
from graphsvc.services.common import _FIELD, _KIND, _no_person, _person_id, _today
from graphsvc.services.register import flags_for_groups
from graphsvc.services.perpetrators import _perpetrators, _perpetrators_from, _summary
from loaders.records import iso

__all__ = ["person_profile", "fixation", "linked_victims"]


# -- profile -----------------------------------------------------------------------------------
def person_profile(db: Database, person_id: str, *, owners: dict[str, Owner] | None = None) -> dict:
    """A person's fields (unredacted), ``roles``, ``counts``, ``orders`` (as respondent or
    protected, each with ``active`` and ``role``), ``flags`` and ``identity``. ``owners``, when
    given, gets the person's owner as read with her fields (contract section 5), for the
    need-to-know rule to use rather than look up.

    Raises
    ------
    NotFound
        When no person has this id.
    """
    _person_id(person_id)
    row = person_reads.person_profile(db, person_id)
    if row is None:
        raise _no_person(person_id)
    today = _today()
    th = db.settings.thresholds
    perp = _perpetrators(db, [person_id], db.settings.link_threshold)[person_id]
    summary = _summary(db, {person_id: perp}, today, th)[person_id]
    group_orders = person_reads.person_orders(db, perp.group.members)
    all_orders = [o for o in group_orders
                  if o.get("respondent_id") == person_id or person_id in (o.get("protected_ids") or [])]
    roles = [r for r, label in (("offender", "Offender"), ("victim", "Victim")) if label in (row["labels"] or [])]
    if owners is not None:
        owners[person_id] = Owner.of_node("person", row.get("source"), row["labels"] or [])
    return {
        "person_id": person_id,
        "id": person_id,
        "given_name": row.get("given_name"),
        "family_name": row.get("family_name"),
        "aliases": row.get("aliases") or [],
        "dob": iso(row.get("dob")),
        "gender": row.get("gender"),
        "source": row.get("source"),
        "placeholder": bool(row.get("placeholder")),
        "review_on": iso(row.get("review_on")),  # retention review (contract section 8)
        "phones": row["phones"], "emails": row["emails"], "handles": row["handles"],
        "vehicles": row["vehicles"], "addresses": row["addresses"],
        "roles": roles,
        "counts": {
            "incidents_as_offender": row["offender_incidents"],
            "incidents_as_victim": row["victim_incidents"],
            # distinct victims, the one count (graphsvc.analysis.victims): as fixation and the flags
            "victims": summary["victim_count"],
            "incidents_with_identity_links": summary["incident_count"],
            "orders_as_respondent": sum(1 for o in all_orders if o.get("respondent_id") == person_id),
            "orders_protecting": sum(1 for o in all_orders if person_id in (o.get("protected_ids") or [])),
        },
        "victim_count_note": summary["victim_count_note"],
        "orders": _profile_orders(group_orders, perp.group, perp.incidents, today),
        "flags": [*summary["flags"], *flags_for_groups(db, {person_id: perp.group.members}, today)[person_id]],
        "identity": summary["identity"],
    }


def _profile_orders(orders: list[dict[str, Any]], group: IdentityGroup, incidents: list[dict[str, Any]],
                    today: dt.date) -> list[dict[str, Any]]:
    """Every order the flags can name, and every order against or protecting a record of the
    person's identity group: ACTIVE_ORDER and PRIOR_ORDER judge the group's orders, ORDER_BREACH
    names the orders its incidents were recorded as breaching (an order known only from such a
    record has no issue date: ``status: issue_date_unknown``, ``breached_in``). Each says the
    record it belongs to (``record_id``), whether that record is counted with the person only
    through a proposed link (``proposed``), its ``status``
    (:func:`graphsvc.analysis.flags.order_status`) and the person's ``role``."""
    members = group.members
    breached: dict[str, list[str]] = {}
    offender_of: dict[str, str] = {}
    for i in incidents:
        for oid in i.get("breached_order_ids") or []:
            breached.setdefault(oid, []).append(i["id"])
            offender_of.setdefault(oid, i["offender_ids"][0])
    known = {o["id"] for o in orders}
    orders = [*orders, *({"id": oid, "respondent_id": None, "protected_ids": [], "placeholder": True}
                         for oid in sorted(breached) if oid not in known)]
    out = []
    for o in orders:
        protected = o.get("protected_ids") or []
        respondent = o.get("respondent_id") in members
        record_id = o.get("respondent_id") if respondent else next((p for p in protected if p in members), None)
        if record_id is None and o["id"] in breached:  # known from a breach by the group's record
            respondent, record_id = True, offender_of[o["id"]]
        extra = {"breached_in": breached[o["id"]]} if o["id"] in breached else {}
        out.append({**order_ref(o, today), "status": order_status(o, today), **extra,
                    "role": "respondent" if respondent else "protected",
                    "record_id": record_id, "own_record": record_id == group.person_id,
                    "proposed": record_id in group.unconfirmed,
                    "respondent_id": o.get("respondent_id"), "protected_ids": protected,
                    "review_on": iso(o.get("review_on"))})
    return out


def _require_person(db: Database, person_id: str) -> None:
    _person_id(person_id)
    if person_reads.person_profile(db, person_id) is None:
        raise _no_person(person_id)


# -- fixation ----------------------------------------------------------------------------------
def fixation(db: Database, person_id: str) -> dict:
    """Per-victim fixation and the cross-victim pattern of ``person_id`` (and the records
    identity links count with them).

    Returns
    -------
    dict
        ``{"person_id", "victims": [...], "pattern": {...}, "identity", "thresholds",
        "severity_scale"}``; see :func:`graphsvc.analysis.fixation.fixation_report`.
    """
    _person_id(person_id)
    th = db.settings.thresholds
    # the 404 comes from the records read (its `persons`), not from a profile read of its own:
    # that read counted the person's incidents, 5 ms for a 5,000-incident offender
    rows = perpetrator_reads.perpetrator_rows(db, [person_id], db.settings.link_threshold, unidentified=False)
    if person_id not in rows["persons"]:
        raise _no_person(person_id)
    perp = _perpetrators_from(rows)[person_id]
    out = perp.report(_today(), th)
    out["victim_count_note"] = count_note(out["victims"])
    out["identity"] = perp.group.as_dict()
    out["thresholds"] = asdict(th)
    out["severity_scale"] = dict(SEVERITY)
    return out


# -- linked victims ----------------------------------------------------------------------------
def linked_victims(db: Database, person_id: str) -> dict:
    """Victims linked to ``person_id``'s victimisation: other victims of the same
    perpetrator(s) (through identity links too), and victims of incidents that used the same
    identifiers (``unidentified`` marks incidents with no identified perpetrator).

    Returns
    -------
    dict
        ``{"person_id", "victims": [{"victim_id", "via": [evidence...]}], "perpetrators"}``.
    """
    _require_person(db, person_id)
    own = incident_reads.victim_incidents(db, person_id)
    own_ids = {i["id"] for i in own}
    offenders = sorted({o for i in own for o in i["offender_ids"]})
    perps = _perpetrators(db, offenders, db.settings.link_threshold)
    linked: dict[str, list[dict[str, Any]]] = {}
    excluded = {person_id} | {m for p in perps.values() for m in p.group.members}
    for oid, perp in perps.items():
        mine = sorted(i["id"] for i in own if oid in i["offender_ids"])
        per_victim: dict[str, list[str]] = {}
        for inc in perp.incidents:
            if inc["id"] in own_ids:
                continue
            for v in inc["victim_ids"]:
                if v not in excluded:
                    per_victim.setdefault(v, []).append(inc["id"])
        for v, incs in per_victim.items():
            who = sorted({o for inc in perp.incidents if inc["id"] in incs for o in inc["offender_ids"]})
            unconfirmed = [{"person_id": p, **perp.group.unconfirmed[p]} for p in who if p in perp.group.unconfirmed]
            entry: dict[str, Any] = {"kind": "same_offender", "offender_id": oid, "offender_records": who,
                                     "incident_ids": mine, "linked_incident_ids": sorted(incs),
                                     "confirmed": not unconfirmed or any(p in perp.group.confirmed for p in who)}
            if unconfirmed:
                entry["unconfirmed_links"] = unconfirmed
            linked.setdefault(v, []).append(entry)
    values: dict[str, list[str]] = {k: [] for k in _FIELD.values()}
    used_by: dict[str, list[str]] = {}
    for inc in own:
        for ident in inc["identifiers"]:
            kind = _KIND.get(ident["kind"])
            if kind:
                values[_FIELD[kind]].append(ident["value"])
                used_by.setdefault(ident["value"], []).append(inc["id"])
    shared: dict[tuple[str, str], dict[str, Any]] = {}
    for row in incident_reads.incidents_by_identifiers(db, {k: sorted(set(v)) for k, v in values.items()}):
        if row["incident_id"] in own_ids:
            continue
        for v in row["victim_ids"]:
            if v in excluded:
                continue
            e = shared.setdefault((v, row["identifier"]), {
                "kind": "shared_identifier", "identifier": row["identifier"],
                "incident_ids": sorted(set(used_by.get(row["identifier"], []))),
                "linked_incident_ids": [], "unidentified_incident_ids": [], "offender_ids": []})
            e["linked_incident_ids"].append(row["incident_id"])
            if not row["offender_ids"]:
                e["unidentified_incident_ids"].append(row["incident_id"])
            e["offender_ids"] = sorted(set(e["offender_ids"]) | set(row["offender_ids"]))
    for (v, _), e in sorted(shared.items()):
        e["unidentified"] = bool(e["unidentified_incident_ids"])
        linked.setdefault(v, []).append(e)
    # distinct victims (graphsvc.analysis.victims): her own other records are not other victims,
    # and two records of another woman are one entry with both record ids
    threshold = db.settings.link_threshold
    links = identity_reads.identity_links_around(db, sorted({person_id, *linked}), threshold)
    groups = victim_groups(sorted({person_id, *linked}), link_graph(links, threshold), excluded - {person_id})
    hers = groups[person_id].record_ids
    merged: dict[str, dict[str, Any]] = {}
    for v, via in sorted(linked.items()):
        if v in hers:
            continue
        entry = merged.setdefault(groups[v].victim_id, {**groups[v].as_dict(), "via": []})
        entry["via"] += [{**e, "record_id": v} if v != groups[v].victim_id else e for e in via]
    return {
        "person_id": person_id,
        "victims": [merged[v] for v in sorted(merged)],
        "perpetrators": [{"person_id": o, **p.group.as_dict()} for o, p in sorted(perps.items())],
    }
