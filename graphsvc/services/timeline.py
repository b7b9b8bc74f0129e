"""A perpetrator's timeline: one row per distinct victim, her incidents, his orders and the
breaches (the json answer of ``GET /persons/{id}/timeline``; /work/wt/notes/timeline-spec.md).

The rows are fixation's victims: the same read (:func:`graphsvc.repository.perpetrators.perpetrator_rows`)
and the same per-victim analysis (:meth:`_Perpetrator.report`, distinct victims of
:mod:`graphsvc.analysis.victims`), so the timeline, fixation and the profile count the same
victims and the same incidents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from graphsvc.analysis.fixation import order_ref
from graphsvc.analysis.flags import order_status
from graphsvc.analysis.severity import SEVERITY, severity
from graphsvc.analysis.victims import count_note
from graphsvc.graph.db import Database
from graphsvc.repository import perpetrators as perpetrator_reads
from graphsvc.repository import timeline as timeline_reads
from graphsvc.services.common import _no_person, _person_id, _today
from graphsvc.services.perpetrators import _perpetrators_from
from loaders.records import iso

__all__ = ["timeline", "TIMELINE_FORMATS"]

#: The formats of ``GET /persons/{id}/timeline``; only json is drawn here (svg and png: the exports).
TIMELINE_FORMATS = ("json", "svg", "png")


def _label(records: list[str], persons: Mapping[str, Mapping[str, Any]]) -> str:
    """The display name of a victim: the first of her records with a name, else her first id."""
    for rid in records:
        p = persons.get(rid) or {}
        name = " ".join(n for n in (p.get("given_name"), p.get("family_name")) if n)
        if name:
            return name
    for rid in records:
        aliases = (persons.get(rid) or {}).get("aliases") or []
        if aliases and aliases[0] != rid:
            return str(aliases[0])
    return records[0]


def _when(at: dt.datetime, dated: bool) -> str:
    """An incident's time as answers show it: a date when it was recorded with a date only."""
    return str(iso(at.date()) if dated else iso(at))


def timeline(db: Database, person_id: str) -> dict[str, Any]:
    """The timeline of ``person_id`` (and the records identity links count with him).

    Returns
    -------
    dict
        ``{"person_id", "identity", "range" {"start", "end"}, "rows" [{"victim_id", "record_ids",
        "proposed", "label", "source", "first_contact", "last_contact", "incidents" [{"id",
        "occurred_at", "occurred_precision", "type", "severity", "breach", "order_id"}]}],
        "orders", "breaches", "victim_count", "victim_count_note", "severity_scale"}``. Rows in
        order of first contact, then victim id; incidents in time order, then id.

    Raises
    ------
    NotFound
        When no person has this id.
    """
    _person_id(person_id)
    today = _today()
    rows = perpetrator_reads.perpetrator_rows(db, [person_id], db.settings.link_threshold, unidentified=False)
    if person_id not in rows["persons"]:
        raise _no_person(person_id)
    perp = _perpetrators_from(rows)[person_id]
    report = perp.report(today, db.settings.thresholds)
    incidents = {i["id"]: i for i in perp.incidents}
    victims = report["victims"]
    records = sorted({r for v in victims for r in v["record_ids"]})
    details = timeline_reads.timeline_details(db, records, sorted(incidents))
    dated = details["dated"]
    out_rows = []
    breaches: set[str] = set()
    for v in victims:
        # fixation's breaches of this victim: recorded against an order, or inferred (an incident
        # while an order protecting her was in force); an incident of type breach is one too
        breached: dict[str, str] = {}
        for b in v["breaches"]:
            breached.setdefault(b["incident_id"], b["order_id"])
        shown = []
        for iid in v["incident_ids"]:
            inc = incidents[iid]
            is_breach = iid in breached or inc.get("type") == "breach"
            if is_breach:
                breaches.add(iid)
            shown.append({"id": iid, "occurred_at": _when(inc["occurred_at"], iid in dated),
                          "occurred_precision": "date" if iid in dated else "datetime", "type": inc.get("type"),
                          "severity": severity(inc.get("type")), "breach": is_breach,
                          "order_id": breached.get(iid)})
        person = details["persons"].get(v["victim_id"]) or {}
        out_rows.append((incidents[v["incident_ids"][0]]["occurred_at"], {
            "victim_id": v["victim_id"], "record_ids": v["record_ids"], "proposed": v["proposed"],
            "label": _label(v["record_ids"], details["persons"]), "source": person.get("source"),
            "first_contact": v["first_contact"], "last_contact": v["last_contact"],
            "incident_count": v["incident_count"], "incidents": shown}))
    out_rows.sort(key=lambda r: (r[0], r[1]["victim_id"]))
    orders = [{**order_ref(o, today), "status": order_status(o, today), "respondent_id": o.get("respondent_id"),
               "protected_ids": o.get("protected_ids") or []} for o in perp.orders]
    # the axis spans the incidents and the orders' issue dates (not their expiry: an order runs
    # for years after the last incident, and the bands are drawn to the range's end)
    days = {incidents[i]["occurred_at"] for v in victims for i in v["incident_ids"]}
    shown_days = sorted([_when(t, False)[:10] for t in days] + [o["issued_on"] for o in orders if o["issued_on"]])
    return {
        "person_id": person_id,
        "identity": perp.group.as_dict(),
        "range": {"start": shown_days[0] if shown_days else None, "end": shown_days[-1] if shown_days else None},
        "rows": [r for _, r in out_rows],
        "orders": orders,
        "breaches": sorted(breaches),
        "victim_count": len(victims),
        "victim_count_note": count_note(victims),
        "severity_scale": dict(SEVERITY),
    }
