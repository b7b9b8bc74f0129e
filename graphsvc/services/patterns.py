"""Register-wide patterns: serial offenders and clusters of incidents with no identified
perpetrator. Both are register-wide jobs: with a :class:`~graphsvc.services.jobs.JobCache`
their answers are kept and refreshed in the background, without one computed afresh."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from graphsvc.analysis.fixation import Thresholds
from graphsvc.errors import InvalidInput
from graphsvc.graph.db import Database
from graphsvc.repository import identity as identity_reads
from graphsvc.repository import incidents as incident_reads
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
from graphsvc.services import state as pattern_state
from graphsvc.services.jobs import JobAnswer, JobCache, uncached
from graphsvc.services.ranking import listed, scored, serial_groups, serial_order
from loaders.records import iso

__all__ = ["serial", "unidentified"]


# -- serial offenders --------------------------------------------------------------------------
def _rank_serial(db: Database, links: list[dict[str, Any]], threshold: float, th: Thresholds, today: dt.date,
                 min_victims: int, agency: str | None, since_at: dt.datetime | None,
                 until_at: dt.datetime | None) -> list[dict[str, Any]]:
    """The whole serial ranking, scored on ``today``, at ``min_victims``."""
    entries = [e for e in (scored(*parts, today) for parts in serial_groups(db, links, threshold, th, min_victims,
                                                                               agency, since_at, until_at))
               if listed(e, min_victims)]
    entries.sort(key=serial_order)
    return entries


def serial(db: Database, min_victims: int = 2, agency: str | None = None, since: dt.date | None = None,
           until: dt.date | None = None, limit: int = 50, cursor: str | None = None, *,
           jobs: JobCache | None = None) -> dict:
    """Persons (identity groups) with at least ``min_victims`` distinct victims in incidents
    reported by ``agency`` that occurred in [``since``, ``until``), highest risk first.

    Without ``agency``, ``since`` or ``until`` the page is read from the pattern state kept in the
    graph (:func:`graphsvc.services.state.serial_page`: ``computed_at`` is when it was last
    brought up to date, ``stale`` that changes wait in its outbox). Otherwise, or while the state
    is not ready for these settings, the filtering and aggregation run register-wide in Cypher
    (``list_serial_offenders``); identity groups are merged and the risk score
    (:func:`graphsvc.analysis.risk.risk_score`) computed here (:mod:`graphsvc.services.ranking`).
    Order: ``risk_score`` desc, ``victim_count`` desc, ``person_id``.

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
    cut = (-float(after[0]), -int(after[1]), str(after[2])) if after is not None else None
    if agency is None and since is None and until is None:
        # the whole register's ranking is kept in the graph as records arrive (the pattern state)
        got = pattern_state.serial_page(db, min_victims=min_victims, limit=limit, after=cut, today=today)
        if got is not None:
            return _serial_answer(got["persons"], got["more"], got["applied_at"], got["pending"] > 0)
    # the links are read by the job, not per request: the cache's state is a digest of them instead
    question = (min_victims, agency, iso(since_at), iso(until_at), threshold, asdict(th), today.isoformat())

    def compute() -> list[dict[str, Any]]:
        return _rank_serial(db, identity_reads.all_identity_links(db, threshold), threshold, th, today,
                            min_victims, agency, since_at, until_at)

    answer = (uncached(compute) if jobs is None
              else jobs.answer(db, "serial", question, compute, state=identity_reads.identity_links_digest(db)))
    entries = list(answer.value)
    if cut is not None:
        entries = [e for e in entries if serial_order(e) > cut]
    return _serial_answer(entries[:limit], len(entries) > limit, answer.computed_at, answer.stale)


def _serial_answer(page: list[dict[str, Any]], more: bool, computed_at: dt.datetime | None,
                   stale: bool) -> dict[str, Any]:
    nxt = _encode_cursor([page[-1]["risk_score"], page[-1]["victim_count"], page[-1]["person_id"]]) if more else None
    return {"persons": page, "next_cursor": nxt, "computed_at": iso(computed_at), "stale": stale}


# -- unidentified perpetrators -----------------------------------------------------------------
def _all_clusters(db: Database, jobs: JobCache | None) -> JobAnswer:
    """The register-wide cluster job (:func:`graphsvc.services.state.register_clusters`, kept in
    ``jobs``, see :meth:`JobCache.answer <graphsvc.services.jobs.JobCache.answer>`; None computes
    it afresh); with when it was computed."""

    def compute() -> list[dict[str, Any]]:
        return pattern_state.register_clusters(db)

    return uncached(compute) if jobs is None else jobs.answer(db, "clusters", None, compute)


def unidentified(db: Database, limit: int = 50, cursor: str | None = None, *,
                 jobs: JobCache | None = None) -> dict:
    """Clusters of incidents with no identified perpetrator that share identifiers used,
    largest first (ties: first incident id).

    The page is read from the pattern state kept in the graph
    (:func:`graphsvc.services.state.cluster_page`: ``computed_at`` is when it was last brought up
    to date, ``stale`` that changes wait in its outbox); while the state is not ready, the
    clusters are computed register-wide (kept in ``jobs``; None computes them afresh). Either way
    each cluster's details (victims, identifiers, persons holding them, dates, types) are read for
    the page as it is asked for.

    Returns
    -------
    dict
        ``{"clusters": [{"cluster_id", "incident_ids", "victim_ids", "identifiers" [{"kind",
        "value", "incident_count", "bridging"}], "bridging_identifiers", "linked_person_ids",
        "linked_persons", "first_incident", "last_incident", "types"}], "next_cursor",
        "computed_at", "stale"}``: when the clusters were computed, and whether the register
        changed since.
    """
    limit = _limit(limit, LIMIT_CAP)
    after = _decode_cursor(cursor, (int, str))
    got = pattern_state.cluster_page(db, limit=limit, after=(int(after[0]), str(after[1])) if after else None)
    if got is not None:
        return _cluster_answer(db, got["clusters"], got["more"], got["applied_at"], got["pending"] > 0)
    answer = _all_clusters(db, jobs)
    found: list[dict[str, Any]] = answer.value
    if after is not None:
        key = (-int(after[0]), str(after[1]))
        found = [c for c in found if (-len(c["incident_ids"]), c["incident_ids"][0]) > key]
    return _cluster_answer(db, found[:limit], len(found) > limit, answer.computed_at, answer.stale)


def _cluster_answer(db: Database, page: list[dict[str, Any]], more: bool, computed_at: dt.datetime | None,
                    stale: bool) -> dict[str, Any]:
    """A page of clusters with each one's details, read now."""
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
            "first_incident": iso(times[0]) if times else None,
            "last_incident": iso(times[-1]) if times else None,
            "types": dict(sorted(types.items())),
        })
    nxt = _encode_cursor([len(page[-1]["incident_ids"]), page[-1]["incident_ids"][0]]) if more else None
    return {"clusters": out, "next_cursor": nxt, "computed_at": iso(computed_at), "stale": stale}


