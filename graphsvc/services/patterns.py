"""Register-wide patterns: serial offenders and clusters of incidents with no identified
perpetrator. Both are register-wide jobs: with a :class:`~graphsvc.services.jobs.JobCache`
their answers are kept and refreshed in the background, without one computed afresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import networkx as nx

from graphsvc.analysis import clusters as clusters_mod
from graphsvc.analysis.fixation import Thresholds, cross_victim_pattern, escalation, order_active
from graphsvc.analysis.identity import IdentityGroup, identity_group, identity_groups, link_graph
from graphsvc.analysis.risk import risk_score
from graphsvc.analysis.victims import canonical_orders, count_note, victim_groups, victims_of
from graphsvc.errors import InvalidInput
from graphsvc.graph.db import Database
from graphsvc.repository import identity as identity_reads
from graphsvc.repository import incidents as incident_reads
from graphsvc.repository import patterns as pattern_reads
from graphsvc.repository import persons as person_reads
from graphsvc.services.common import (
    _FIELD,
    _KIND,
    LIMIT_CAP,
    _at_midnight,
    _decode_cursor,
    _encode_cursor,
    _limit,
    _today,
)
from graphsvc.services.jobs import JobAnswer, JobCache, uncached
from loaders.records import iso

__all__ = ["serial", "unidentified"]


# -- serial offenders --------------------------------------------------------------------------
def _serial_entry(rep: str, group: IdentityGroup, incidents: list[dict[str, Any]], orders: list[dict[str, Any]],
                  today: dt.date, th: Thresholds, graph: nx.Graph,
                  unidentified: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
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
        light.append({"victim_id": v, "first_contact": rows[0]["occurred_at"].isoformat(),
                      "last_contact": rows[-1]["occurred_at"].isoformat(), "incident_ids": [r["id"] for r in rows]})
    pattern = cross_victim_pattern(light, canonical_orders(orders, groups), th)
    esc = escalation(incidents, th.trend_alpha)
    def of(kind: str) -> list[str]:
        return [i["id"] for i in incidents if i.get("type") == kind]
    stats = {
        "victim_count": len(by_victim),
        "breach_incident_ids": sorted({i["id"] for i in incidents if i.get("breached_order_ids")}),
        "assault_incident_ids": of("assault"), "threat_incident_ids": of("threat"),
        "damage_incident_ids": of("damage"), "escalation_trend": esc["trend"],
        "active_order_ids": [o["id"] for o in orders if order_active(o, today)],
        "new_fixation_order_ids": sorted({a["order_id"] for a in pattern["new_fixation_after_order"]}),
    }
    score, parts = risk_score(stats)
    ordered = sorted(incidents, key=lambda r: (r["occurred_at"], r["id"]))
    return {
        "person_id": rep,
        "person_ids": group.members,
        "victim_count": len(by_victim),
        "possible_victim_count": len(possible),
        "possible_victims": [{"victim_id": v, "incident_ids": sorted(ids)} for v, ids in sorted(possible.items())],
        "possible_victims_via": sorted(bridges),
        "incident_count": len(incidents),
        "risk_score": score,
        "risk_factors": parts,
        "victim_ids": pattern["sequence"],
        "victim_record_ids": {v: list(groups[v].record_ids) for v in pattern["sequence"] if len(groups[v].record_ids) > 1},
        "proposed_victim_ids": [v for v in pattern["sequence"] if groups[v].proposed],
        "victim_count_note": count_note([groups[v].as_dict() for v in pattern["sequence"]]),
        "max_concurrent_victims": pattern["max_concurrent_victims"],
        "first_incident": ordered[0]["occurred_at"].isoformat() if ordered else None,
        "last_incident": ordered[-1]["occurred_at"].isoformat() if ordered else None,
        "identity": group.as_dict(),
    }


def _rank_serial(db: Database, links: list[dict[str, Any]], threshold: float, th: Thresholds, today: dt.date,
                 min_victims: int, agency: str | None, since_at: dt.datetime | None,
                 until_at: dt.datetime | None) -> list[dict[str, Any]]:
    """The whole serial ranking (register-wide Cypher aggregation, identity groups merged)."""
    groups = identity_groups(links, threshold)
    graph = link_graph(links, threshold)
    unidentified = pattern_reads.unidentified_victim_links(db, agency=agency, since=since_at, until=until_at)
    linked_ids = sorted({p for g in groups for p in g} | set(unidentified))
    rows = pattern_reads.serial_rows(db, min_victims=min_victims, agency=agency, since=since_at, until=until_at,
                            linked_ids=linked_ids)
    by_id = {r["person_id"]: r for r in rows}
    group_of = {p: g for g in groups for p in g}
    done: set[str] = set()
    entries: list[dict[str, Any]] = []
    for pid in sorted(by_id):
        if pid in done:
            continue
        members = group_of.get(pid, {pid})
        present = [by_id[m] for m in sorted(members) if m in by_id]
        done |= set(members)
        rep = min(present, key=lambda r: (-len(r["incidents"]), r["person_id"]))["person_id"]
        group = identity_group(rep, links, threshold, graph)
        incidents = list({i["id"]: i for r in present for i in r["incidents"]}.values())
        orders = list({o["id"]: {**o, "respondent_id": r["person_id"]} for r in present for o in r["orders"]
                       if o.get("issued_on") is not None}.values())
        unid = list({u["incident_id"]: u for m in members for u in unidentified.get(m, [])}.values())
        entry = _serial_entry(rep, group, incidents, orders, today, th, graph, unid)
        if entry["victim_count"] >= min_victims:
            entries.append(entry)
        elif entry["victim_count"] + entry["possible_victim_count"] >= min_victims:
            entry["via_unidentified"] = True  # listed because of possible victims: marked as such
            entries.append(entry)
    entries.sort(key=lambda e: (-e["risk_score"], -e["victim_count"], e["person_id"]))
    return entries


def serial(db: Database, min_victims: int = 2, agency: str | None = None, since: dt.date | None = None,
           until: dt.date | None = None, limit: int = 50, cursor: str | None = None, *,
           jobs: JobCache | None = None) -> dict:
    """Persons (identity groups) with at least ``min_victims`` distinct victims in incidents
    reported by ``agency`` that occurred in [``since``, ``until``), highest risk first.

    The filtering and aggregation run register-wide in Cypher (``list_serial_offenders``);
    identity groups are merged and the risk score (:func:`graphsvc.analysis.risk.risk_score`)
    computed here. Order: ``risk_score`` desc, ``victim_count`` desc, ``person_id``.

    ``jobs``: the cache that keeps the ranking and refreshes it in the background (the app's,
    :func:`~graphsvc.services.jobs.current_jobs`); None computes it afresh, here.

    Returns
    -------
    dict
        ``{"persons": [{"person_id", "victim_count", "incident_count", "risk_score",
        "risk_factors", ...}], "next_cursor", "computed_at", "stale"}``: ``computed_at`` is when the
        ranking was computed (with ``jobs``, it is cached and refreshed in the background);
        ``stale`` says the register changed since and a newer ranking is on its way (see
        :meth:`JobCache.answer <graphsvc.services.jobs.JobCache.answer>`).
    """
    if isinstance(min_victims, bool) or not isinstance(min_victims, int) or not 1 <= min_victims <= 1000:
        raise InvalidInput("min_victims must be a whole number from 1 to 1000", {"field": "min_victims"})
    limit = _limit(limit, LIMIT_CAP)
    if agency is not None and (not isinstance(agency, str) or not 1 <= len(agency) <= 32):
        raise InvalidInput("agency must be an agency code of 1-32 characters", {"field": "agency"})
    since_at, until_at = _at_midnight(since, "since"), _at_midnight(until, "until")
    if since_at and until_at and since_at > until_at:
        raise InvalidInput("since is after until", {"field": "since"})
    after = _decode_cursor(cursor, (float, int, str))
    threshold = db.settings.link_threshold
    th = db.settings.thresholds
    today = _today()
    # the links are read by the job, not per request: the cache's state is a digest of them instead
    question = (min_victims, agency, iso(since_at), iso(until_at), threshold, asdict(th), today.isoformat())

    def compute() -> list[dict[str, Any]]:
        return _rank_serial(db, identity_reads.all_identity_links(db, threshold), threshold, th, today,
                            min_victims, agency, since_at, until_at)

    answer = (uncached(compute) if jobs is None
              else jobs.answer(db, "serial", question, compute, state=identity_reads.identity_links_digest(db)))
    entries = list(answer.value)
    if after is not None:
        cut = (-float(after[0]), -int(after[1]), str(after[2]))
        entries = [e for e in entries if (-e["risk_score"], -e["victim_count"], e["person_id"]) > cut]
    page = entries[:limit]
    more = len(entries) > limit
    nxt = _encode_cursor([page[-1]["risk_score"], page[-1]["victim_count"], page[-1]["person_id"]]) if more else None
    return {"persons": page, "next_cursor": nxt, "computed_at": iso(answer.computed_at), "stale": answer.stale}


# -- unidentified perpetrators -----------------------------------------------------------------
def _all_clusters(db: Database, jobs: JobCache | None) -> JobAnswer:
    """The register-wide cluster job: one Cypher scan returning only identifiers shared by two
    or more unidentified incidents, NetworkX on that projection (kept in ``jobs``, see
    :meth:`JobCache.answer <graphsvc.services.jobs.JobCache.answer>`; None computes it afresh);
    with when it was computed."""

    def compute() -> list[dict[str, Any]]:
        rows = [{"incident_id": r["incident_id"],
                 "identifier": f"{_KIND.get(r['kind'], r['kind'].lower())}:{r['value']}"}
                for r in incident_reads.unidentified_edges(db)]
        return clusters_mod.clusters(clusters_mod.incident_identifier_graph(rows))

    return uncached(compute) if jobs is None else jobs.answer(db, "clusters", None, compute)


def unidentified(db: Database, limit: int = 50, cursor: str | None = None, *,
                 jobs: JobCache | None = None) -> dict:
    """Clusters of incidents with no identified perpetrator that share identifiers used,
    largest first (ties: first incident id).

    Returns
    -------
    dict
        ``{"clusters": [{"cluster_id", "incident_ids", "victim_ids", "identifiers" [{"kind",
        "value", "incident_count", "bridging"}], "bridging_identifiers", "linked_person_ids",
        "linked_persons", "first_incident", "last_incident", "types"}], "next_cursor",
        "computed_at", "stale"}``: when the register-wide cluster job ran, and whether the
        register changed since (see :meth:`JobCache.answer <graphsvc.services.jobs.JobCache.answer>`).

    ``jobs``: the cache that keeps the clusters (see :func:`serial`); None computes them afresh.
    """
    limit = _limit(limit, LIMIT_CAP)
    after = _decode_cursor(cursor, (int, str))
    answer = _all_clusters(db, jobs)
    found: list[dict[str, Any]] = answer.value
    if after is not None:
        key = (-int(after[0]), str(after[1]))
        found = [c for c in found if (-len(c["incident_ids"]), c["incident_ids"][0]) > key]
    page, more = found[:limit], len(found) > limit
    details = {r["incident_id"]: r for r in incident_reads.cluster_incidents(db, [i for c in page for i in c["incident_ids"]])}
    values: dict[str, set[str]] = {k: set() for k in _FIELD.values()}
    for r in details.values():
        for ident in r["identifiers"]:
            kind = _KIND.get(ident["kind"])
            if kind:
                values[_FIELD[kind]].add(ident["value"])
    persons = person_reads.persons_by_identifiers(db, {k: sorted(v) for k, v in values.items()}, limit=5000)
    out = []
    for c in page:
        incs = [details[i] for i in c["incident_ids"] if i in details]
        counts: dict[tuple[str, str], int] = {}
        for r in incs:
            for ident in r["identifiers"]:
                kind = _KIND.get(ident["kind"], ident["kind"].lower())
                counts[(kind, ident["value"])] = counts.get((kind, ident["value"]), 0) + 1
        bridging = set(c["bridging_identifiers"])
        idents = [{"kind": k, "value": v, "incident_count": n, "bridging": f"{k}:{v}" in bridging}
                  for (k, v), n in sorted(counts.items())]
        mine = {v for (_, v) in counts}
        people: dict[str, dict[str, Any]] = {}
        for p in persons:
            if p["value"] in mine:
                e = people.setdefault(p["person_id"], {"person_id": p["person_id"], "identifiers": [], "how": [],
                                                       "incident_ids": []})
                e["identifiers"] = sorted(set(e["identifiers"]) | {p["value"]})
                e["how"] = sorted(set(e["how"]) | {p["how"]})
                e["incident_ids"] = sorted(set(e["incident_ids"]) | set(p["incident_ids"] or []))
        times = sorted(r["occurred_at"] for r in incs)
        types: dict[str, int] = {}
        for r in incs:
            types[r["type"] or "other"] = types.get(r["type"] or "other", 0) + 1
        out.append({
            "cluster_id": c["incident_ids"][0],
            "incident_ids": c["incident_ids"],
            "victim_ids": sorted({v for r in incs for v in r["victim_ids"]}),
            "identifiers": idents,
            "bridging_identifiers": c["bridging_identifiers"],
            "linked_person_ids": sorted(people),
            "linked_persons": [people[p] for p in sorted(people)],
            "first_incident": times[0].isoformat() if times else None,
            "last_incident": times[-1].isoformat() if times else None,
            "types": dict(sorted(types.items())),
        })
    nxt = _encode_cursor([len(page[-1]["incident_ids"]), page[-1]["incident_ids"][0]]) if more else None
    return {"clusters": out, "next_cursor": nxt, "computed_at": iso(answer.computed_at), "stale": answer.stale}


