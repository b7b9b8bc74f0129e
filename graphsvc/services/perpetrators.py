"""Perpetrators seen through identity links: a person record with the records counted with it,
their incidents, orders and linked unidentified incidents, and the summary each answer lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from graphsvc.analysis.fixation import Thresholds, order_ref
from graphsvc.analysis.flags import flag_facts, flags_from
from graphsvc.analysis.identity import IdentityGroup, link_graph
from graphsvc.analysis.victims import Victim, count_note, victim_groups, victim_report
from graphsvc.graph.db import Database
from graphsvc.repository import perpetrators as perpetrator_reads
from loaders.records import iso


class _Perpetrator:
    """One person record and the records counted with it, their incidents and orders."""

    def __init__(self, group: IdentityGroup, incidents: list[dict[str, Any]], orders: list[dict[str, Any]],
                 by_offender: Mapping[str, list[int]] | None = None) -> None:
        """``by_offender``, when given, maps an offender id to the positions of their incidents in
        ``incidents`` (so a batch of perpetrators does not scan every incident once each)."""
        self.group = group
        members = set(group.members)
        if by_offender is not None:
            incidents = [incidents[k] for k in sorted({k for m in members for k in by_offender.get(m, ())})]
        self.incidents = []
        for i in incidents:
            offenders = i["offender_ids"]
            if members.issuperset(offenders):  # every offender named is one of them (the usual case)
                if offenders:
                    self.incidents.append(i)
                continue
            mine = [p for p in offenders if p in members]
            if mine:
                self.incidents.append({**i, "offender_ids": mine})
        self.orders = [o for o in orders if o.get("respondent_id") in members and o.get("issued_on") is not None]
        self.unidentified: list[dict[str, Any]] = []
        self.victims: dict[str, Victim] = {}  # victim record id -> the distinct victim (see _perpetrators_from)

    def report(self, today: dt.date, th: Thresholds) -> dict[str, Any]:
        """Fixation over distinct victims (:func:`graphsvc.analysis.victims.victim_report`)."""
        return victim_report(self.group.person_id, self.incidents, self.orders, self.group.members, self.victims,
                             today, th, self.group.unconfirmed)


def _perpetrators(db: Database, person_ids: Sequence[str], threshold: float) -> dict[str, _Perpetrator]:
    """Batch: each person's identity group, incidents, orders and linked unidentified incidents
    (one transaction)."""
    if not person_ids:
        return {}
    return _perpetrators_from(perpetrator_reads.perpetrator_rows(db, person_ids, threshold))


def _perpetrators_from(rows: Mapping[str, Any]) -> dict[str, _Perpetrator]:
    """:func:`_perpetrators` from rows already read (``perpetrator_reads.perpetrator_rows``: one per person
    id it was given)."""
    groups = rows["groups"]
    by_offender: dict[str, list[int]] = {}
    for k, incident in enumerate(rows["incidents"]):
        for o in incident["offender_ids"]:
            by_offender.setdefault(o, []).append(k)
    out = {p: _Perpetrator(g, rows["incidents"], rows["orders"], by_offender) for p, g in groups.items()}
    # the rows hold only the links that count at the read's threshold (rejected ones never come)
    graph = link_graph([*rows.get("links", []), *rows.get("victim_links", [])], 0.0)
    for perp in out.values():
        members = set(perp.group.members)
        perp.unidentified = [u for u in rows["unidentified"] if u["person_id"] in members]
        perp.victims = victim_groups(sorted({v for i in perp.incidents for v in i["victim_ids"]}), graph, members)
    return out


def _summary(db: Database, perps: Mapping[str, _Perpetrator], today: dt.date, th: Thresholds,
             complainant_id: str | None = None) -> dict[str, dict[str, Any]]:
    """victim_count, incident_count, orders, flags and identity of each perpetrator: through
    :func:`check_card`, so a summary read from the pattern state's card is the same answer."""
    return {pid: card_summary(check_card(perp, today, th), perp.group, today, complainant_id)
            for pid, perp in perps.items()}


def check_card(perp: _Perpetrator, today: dt.date, th: Thresholds) -> dict[str, Any]:
    """What a summary (:func:`card_summary`) needs of a perpetrator's records, none of it
    depending on the day (JSON-able): the incident count, the flags' facts
    (:func:`graphsvc.analysis.flags.flag_facts`) and the orders with their dates. The pattern
    state keeps one per identity group (``SerialState.check``), so the intake check reads it
    instead of the records (docs/pattern-state.md, "The intake check")."""
    report = perp.report(today, th)
    return {
        "incident_count": len(perp.incidents),
        "facts": flag_facts(perp.incidents, report["victims"], perp.unidentified),
        "orders": [{"id": o["id"], "type": o.get("type"), "issued_on": iso(o.get("issued_on")),
                    "expires_on": iso(o.get("expires_on")), "protected_ids": list(o.get("protected_ids") or [])}
                   for o in perp.orders],
    }


def card_summary(card: Mapping[str, Any], group: IdentityGroup, today: dt.date,
                 complainant_id: str | None = None) -> dict[str, Any]:
    """A perpetrator's summary on ``today`` from his :func:`check_card`, seen from ``group``."""
    victims = card["facts"]["victims"]
    orders = [{**o, "issued_on": _day(o["issued_on"]), "expires_on": _day(o["expires_on"])} for o in card["orders"]]
    return {
        "victim_count": len(victims),
        "victim_count_note": count_note(victims),
        "proposed_victim_ids": [v["victim_id"] for v in victims if v["proposed"]],
        "incident_count": card["incident_count"],
        "orders": [order_ref(o, today) for o in orders],
        "flags": flags_from(card["facts"], orders, today, complainant_id),
        "identity": group.as_dict(),
    }


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
