"""How one identity group's entry in the serial ranking is built: shared by the register-wide
computation (:func:`serial_groups`, behind ``graphsvc state verify`` and the filtered rankings)
and the maintained pattern state (:mod:`graphsvc.services.state`), so both give the same entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import networkx as nx

from graphsvc.analysis.fixation import Thresholds, cross_victim_pattern, escalation, order_active
from graphsvc.analysis.identity import IdentityGroup, identity_group, identity_groups, link_graph
from graphsvc.analysis.risk import risk_score
from graphsvc.analysis.victims import canonical_orders, count_note, victim_groups, victims_of
from graphsvc.graph.db import Database
from graphsvc.repository import patterns as pattern_reads
from loaders.records import iso

__all__ = ["serial_groups", "serial_parts", "scored", "listed", "serial_order", "representative", "group_inputs"]


def serial_parts(rep: str, group: IdentityGroup, incidents: list[dict[str, Any]], orders: list[dict[str, Any]],
                  th: Thresholds, graph: nx.Graph, unidentified: Sequence[Mapping[str, Any]] = (),
                  ) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """One identity group's serial entry without what depends on today (``entry``), the risk
    score's inputs but the orders in force (``stats``), and the orders' dates, from which
    :func:`scored` works out the orders in force and the score on a given day. The
    register-wide ranking and the maintained state (:mod:`graphsvc.services.state`) both build
    their entries here."""
    members = set(group.members)
    # distinct victims (graphsvc.analysis.victims): victims' records joined by identity links are
    # one victim, counted once, under her first record id; as the profile, fixation and the check
    named = sorted({v for i in incidents for v in i["victim_ids"]} | {v for u in unidentified for v in u["victim_ids"]})
    groups = victim_groups(named, graph, members)
    by_victim = {v: list(rows) for v, rows in victims_of(incidents, groups, members).items()}
    # victims of incidents with no identified offender that used one of their identifiers:
    # possible victims, listed apart with the incidents and identifiers that link them
    possible: dict[str, list[str]] = {}
    bridges: set[str] = set()
    for u in unidentified:
        for v in dict.fromkeys(groups[v].victim_id for v in u["victim_ids"] if v not in members):
            if v not in by_victim:
                possible.setdefault(v, []).append(u["incident_id"])
                bridges.update(u["identifiers"])
    light = []
    for v, rows in by_victim.items():
        rows.sort(key=lambda r: (r["occurred_at"], r["id"]))
        light.append({"victim_id": v, "first_contact": iso(rows[0]["occurred_at"]),
                      "last_contact": iso(rows[-1]["occurred_at"]), "incident_ids": [r["id"] for r in rows]})
    pattern = cross_victim_pattern(light, canonical_orders(orders, groups), th)
    esc = escalation(incidents, th.trend_alpha)
    def of(kind: str) -> list[str]:
        return [i["id"] for i in incidents if i.get("type") == kind]
    stats = {
        "victim_count": len(by_victim),
        "breach_incident_ids": sorted({i["id"] for i in incidents if i.get("breached_order_ids")}),
        "assault_incident_ids": of("assault"), "threat_incident_ids": of("threat"),
        "damage_incident_ids": of("damage"), "escalation_trend": esc["trend"],
        "new_fixation_order_ids": sorted({a["order_id"] for a in pattern["new_fixation_after_order"]}),
    }
    ordered = sorted(incidents, key=lambda r: (r["occurred_at"], r["id"]))
    entry = {
        "person_id": rep,
        "person_ids": group.members,
        "victim_count": len(by_victim),
        "possible_victim_count": len(possible),
        "possible_victims": [{"victim_id": v, "incident_ids": sorted(ids)} for v, ids in sorted(possible.items())],
        "possible_victims_via": sorted(bridges),
        "incident_count": len(incidents),
        "victim_ids": pattern["sequence"],
        "victim_record_ids": {v: list(groups[v].record_ids) for v in pattern["sequence"] if len(groups[v].record_ids) > 1},
        "proposed_victim_ids": [v for v in pattern["sequence"] if groups[v].proposed],
        "victim_count_note": count_note([groups[v].as_dict() for v in pattern["sequence"]]),
        "max_concurrent_victims": pattern["max_concurrent_victims"],
        "first_incident": iso(ordered[0]["occurred_at"]) if ordered else None,
        "last_incident": iso(ordered[-1]["occurred_at"]) if ordered else None,
        "identity": group.as_dict(),
    }
    dates = [{"id": o["id"], "issued_on": o.get("issued_on"), "expires_on": o.get("expires_on")} for o in orders]
    return entry, stats, dates


def scored(entry: Mapping[str, Any], stats: Mapping[str, Any], orders: Sequence[Mapping[str, Any]],
            today: dt.date) -> dict[str, Any]:
    """``entry`` with its risk score and parts on ``today`` (the orders in force are the one
    input that depends on the day: contract section 9, computed at read time from stored dates)."""
    active = [o["id"] for o in orders if order_active(o, today)]
    score, parts = risk_score({**stats, "active_order_ids": active})
    return {**entry, "risk_score": score, "risk_factors": parts}


def representative(present: Sequence[Mapping[str, Any]]) -> str:
    """The record a group is listed under: the one with most incidents, then the first id."""
    return min(present, key=lambda r: (-len(r["incidents"]), r["person_id"]))["person_id"]


def group_inputs(members: Iterable[str], present: Sequence[Mapping[str, Any]],
                  unidentified: Mapping[str, Sequence[Mapping[str, Any]]],
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Mapping[str, Any]]]:
    """A group's incidents, orders (with their respondent) and linked unidentified incidents,
    from its members' rows (``list_serial_offenders``' shape)."""
    incidents = list({i["id"]: i for r in present for i in r["incidents"]}.values())
    orders = list({o["id"]: {**o, "respondent_id": r["person_id"]} for r in present for o in r["orders"]
                   if o.get("issued_on") is not None}.values())
    unid = list({u["incident_id"]: u for m in members for u in unidentified.get(m, [])}.values())
    return incidents, orders, unid


def serial_order(entry: Mapping[str, Any]) -> tuple[float, int, str]:
    """The ranking's order: risk score desc, victim count desc, person id."""
    return (-entry["risk_score"], -entry["victim_count"], entry["person_id"])


def serial_groups(db: Database, links: list[dict[str, Any]], threshold: float, th: Thresholds, min_victims: int,
                  agency: str | None, since_at: dt.datetime | None, until_at: dt.datetime | None,
                  ) -> Iterator[tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]]:
    """Every identity group's :func:`serial_parts` (register-wide Cypher aggregation, identity
    groups merged), unscored and unfiltered by victim count."""
    groups = identity_groups(links, threshold)
    graph = link_graph(links, threshold)
    unidentified = pattern_reads.unidentified_victim_links(db, agency=agency, since=since_at, until=until_at)
    linked_ids = sorted({p for g in groups for p in g} | set(unidentified))
    rows = pattern_reads.serial_rows(db, min_victims=min_victims, agency=agency, since=since_at, until=until_at,
                            linked_ids=linked_ids)
    by_id = {r["person_id"]: r for r in rows}
    group_of = {p: g for g in groups for p in g}
    done: set[str] = set()
    for pid in sorted(by_id):
        if pid in done:
            continue
        members = group_of.get(pid, {pid})
        present = [by_id[m] for m in sorted(members) if m in by_id]
        done |= set(members)
        rep = representative(present)
        group = identity_group(rep, links, threshold, graph)
        incidents, orders, unid = group_inputs(members, present, unidentified)
        yield serial_parts(rep, group, incidents, orders, th, graph, unid)


def listed(entry: dict[str, Any], min_victims: int) -> bool:
    """Whether ``entry`` is in the ranking at ``min_victims``: by its victims, or (marked
    ``via_unidentified``) with its possible victims."""
    if entry["victim_count"] >= min_victims:
        return True
    if entry["victim_count"] + entry["possible_victim_count"] >= min_victims:
        entry["via_unidentified"] = True  # listed because of possible victims: marked as such
        return True
    return False
