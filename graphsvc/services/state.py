"""The pattern state: the serial ranking and the unidentified clusters kept in the graph as
records arrive (docs/pattern-state.md).

Every write path (the loader's batches, ``POST /records``, identity links written, decided or
deleted) writes an outbox entry (``StateChange``) in its own transaction, naming what it
changed. :func:`apply` turns the waiting entries into the ``SerialState`` of each identity group
they touch, and into the ``ClusterState`` of each cluster of unidentified incidents whose
incidents they wrote, in one transaction per round that first takes the state's lock, so any number of
processes may apply and each sees the records as the one before it left them; every write path
calls it before it returns, so a committed write is in the state when its caller hears back.
Entries left by a writer that died are applied by the next write, by ``graphsvc state apply`` or
by the service's poller (``GRAPHSVC_STATE_POLL_S``).

A state holds its group's entry without what depends on the day, the risk score's inputs and its
orders' dates; the score of the day is worked out at read time (:func:`~graphsvc.services.ranking.scored`),
and the stored rank with it holds from ``as_of`` until ``valid_until`` (the next day an order comes
into force or expires). :func:`serial_page` reads a page in rank order from an index, and
:func:`cluster_page` a page of clusters, largest first.

:func:`rebuild` replaces the whole state by the register-wide computation from the raw records;
:func:`graphsvc.services.state_verify.verify` compares the state with it and reports each difference.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any

import networkx as nx

from graphsvc.analysis import clusters as clusters_mod
from graphsvc.analysis.fixation import Thresholds
from graphsvc.analysis.identity import IdentityGroup, decode_evidence, identity_group, link_graph
from graphsvc.errors import Conflict, QueryTimedOut
from graphsvc.graph.db import Database
from graphsvc.repository import identity as identity_reads
from graphsvc.repository import incidents as incident_reads
from graphsvc.repository import state as store
from graphsvc.repository.perpetrators import perpetrator_rows, perpetrator_rows_in
from graphsvc.services import alerts
from graphsvc.services.common import identifier_key
from graphsvc.services.perpetrators import _perpetrators_from, check_card
from graphsvc.services.ranking import (
    group_inputs,
    listed,
    representative,
    scored,
    serial_groups,
    serial_order,
    serial_parts,
)
from loaders.times import today as london_today

__all__ = ["Poller", "apply", "settle", "rebuild", "serial_page", "status", "rank_key", "valid_until", "ready_for",
           "REBUILD_SEEDS", "cards_usable", "card_group", "cluster_page", "cluster_rank", "register_clusters"]

log = logging.getLogger(__name__)

#: an apply round whose changes name more persons than this rebuilds the whole state instead
#: (one register-wide computation beats many group-by-group reads: docs/pattern-state.md)
REBUILD_SEEDS = 5000
#: outbox entries taken per apply round
CHANGES_PER_ROUND = 200
#: states written per transaction by a rebuild
WRITE_CHUNK = 2000
#: groups whose check cards are read in one transaction by a rebuild or verify
CARD_CHUNK = 500
#: a rebuild that started longer ago than this is taken to have died
REBUILD_LEASE = dt.timedelta(hours=2)
_NEVER = dt.date(9999, 12, 31)


# -- settings and ranks ------------------------------------------------------------------------
def _settings_props(threshold: float, th: Thresholds) -> dict[str, Any]:
    return {"threshold": float(threshold), "thresholds": json.dumps(asdict(th), sort_keys=True)}


def ready_for(meta: Mapping[str, Any] | None, threshold: float, th: Thresholds) -> bool:
    """Whether a state ``meta`` is built, not being rebuilt, and for these settings."""
    if not meta or not meta.get("ready"):
        return False
    want = _settings_props(threshold, th)
    return meta.get("threshold") == want["threshold"] and meta.get("thresholds") == want["thresholds"]


def cards_usable(read: Mapping[str, Any], threshold: float, th: Thresholds) -> bool:
    """Whether the check cards of ``read`` (``check_cards_in``) hold the register as it is now:
    the state is ready for these settings, no outbox entry waits (one may change any group's
    card: the intake check then reads every candidate's records) and the register's mark is the
    one kept at the last apply (no write went round the write paths)."""
    meta = read["meta"]
    return ready_for(meta, threshold, th) and not read["pending"] and read["mark"] is not None \
        and read["mark"] == meta.get("mark")


def _meta_settings(meta: Mapping[str, Any]) -> tuple[float, Thresholds]:
    return float(meta["threshold"]), Thresholds(**json.loads(meta["thresholds"]))


def rank_key(score: float, victim_count: int, person_id: str) -> str:
    """One string whose ascending order is the ranking's (:func:`~graphsvc.services.ranking.serial_order`):
    the index the first page is read from is on it."""
    points = round(min(max(score, 0.0), 1.0) * 10_000)
    return f"{10_000 - points:05d}{10**9 - min(max(victim_count, 0), 10**9):010d}{person_id}"


def valid_until(orders: Iterable[Mapping[str, Any]], today: dt.date) -> dt.date:
    """The first day after ``today`` on which one of ``orders`` comes into force or expires (the
    day the stored score stops holding); far in the future when none will."""
    days = []
    for o in orders:
        issued, expires = o.get("issued_on"), o.get("expires_on")
        if issued is not None and issued > today:
            days.append(issued)
        if expires is not None and expires >= today:
            days.append(expires + dt.timedelta(days=1))
    return min(days, default=_NEVER)


def _row(entry: dict[str, Any], stats: dict[str, Any], dates: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    """The state row of one group (``replace_serial_states``' shape)."""
    now = scored(entry, stats, dates, today)
    return {
        "person_id": entry["person_id"], "member_ids": list(entry["person_ids"]),
        "rank": rank_key(now["risk_score"], entry["victim_count"], entry["person_id"]),
        "as_of": today.isoformat(), "valid_until": valid_until(dates, today).isoformat(),
        "victim_count": entry["victim_count"], "possible_victim_count": entry["possible_victim_count"],
        "entry": json.dumps(entry, sort_keys=True, default=str), "stats": json.dumps(stats, sort_keys=True),
        "orders": json.dumps([{**o, "issued_on": _iso(o["issued_on"]), "expires_on": _iso(o["expires_on"])}
                              for o in dates]),
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _kept(entry: Mapping[str, Any]) -> bool:
    """A group has a state when it has a victim or a possible victim (listed at min_victims 1)."""
    return entry["victim_count"] + entry["possible_victim_count"] >= 1


def _register_wide(db: Database, threshold: float, th: Thresholds,
                   ) -> Iterator[tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]]:
    """Every group that has a state, computed the register-wide way from the raw records (what a
    rebuild writes and verify compares with)."""
    for parts in serial_groups(db, identity_reads.all_identity_links(db, threshold), threshold, th, 1, None, None,
                               None):
        if _kept(parts[0]):
            yield parts


def _finish(row: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """A stored state as the ranking's entry, scored on ``today``."""
    dates = [{**o, "issued_on": _day(o["issued_on"]), "expires_on": _day(o["expires_on"])}
             for o in json.loads(row["orders"])]
    return scored(json.loads(row["entry"]), json.loads(row["stats"]), dates, today)


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


# -- unidentified clusters ---------------------------------------------------------------------
def cluster_rank(size: int, first_incident_id: str) -> str:
    """One string whose ascending order is the clusters' (largest first, ties: first incident id):
    the index a page of clusters is read from is on it."""
    return f"{10**9 - min(max(size, 0), 10**9):010d}{first_incident_id}"


def _cluster_graph(edges: Iterable[Mapping[str, Any]]) -> nx.Graph:
    """The incident-identifier graph of edges ``{"kind", "value", "incident_ids"}``."""
    return clusters_mod.incident_identifier_graph(
        {"incident_id": i, "identifier": identifier_key(e["kind"], e["value"])} for e in edges for i in e["incident_ids"])


def register_clusters(db: Database) -> list[dict[str, Any]]:
    """Every cluster of unidentified incidents, computed register-wide from the raw records (one
    Cypher scan of the identifiers two or more of them used, NetworkX on that projection):
    :func:`graphsvc.analysis.clusters.clusters`' answer."""
    rows = incident_reads.unidentified_edges(db)
    g = clusters_mod.incident_identifier_graph(
        {"incident_id": r["incident_id"], "identifier": identifier_key(r["kind"], r["value"])} for r in rows)
    return clusters_mod.clusters(g)


def _cluster_row(c: Mapping[str, Any]) -> dict[str, Any]:
    """The state row of one cluster (``replace_cluster_states``' shape)."""
    ids = list(c["incident_ids"])
    return {"cluster_id": ids[0], "rank": cluster_rank(len(ids), ids[0]), "size": len(ids), "incident_ids": ids,
            "identifiers": list(c["identifiers"]), "bridging_identifiers": list(c["bridging_identifiers"]),
            "shared_identifiers": list(c["shared_identifiers"])}


def _cluster_rows(db: Database, tx: Any, seeds: Sequence[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """The cluster states to delete and the rows to write for every cluster a change writing the
    incidents ``seeds`` may have altered: walked out from them (and from every incident an old
    state of theirs held) through the identifiers two or more unidentified incidents used, to
    closure; their components are the clusters, computed as the register-wide job does."""
    reached: set[str] = set()
    old: dict[str, list[str]] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    frontier = set(seeds)
    while frontier:
        reached |= frontier
        step = sorted(frontier)
        found = {cid: ids for cid, ids in store.cluster_states_of_in(db, tx, step).items() if cid not in old}
        old.update(found)
        nxt = {i for ids in found.values() for i in ids}
        for e in store.cluster_edges_in(db, tx, step):
            edges[(e["kind"], e["value"])] = e
            nxt |= set(e["incident_ids"])
        frontier = nxt - reached
    return sorted(old), [_cluster_row(c) for c in clusters_mod.clusters(_cluster_graph(edges.values()))]


# -- building states group by group ------------------------------------------------------------
def _group_rows(db: Database, tx: Any, seeds: Sequence[str], record_ids: Sequence[str], incident_ids: Sequence[str],
                threshold: float, th: Thresholds, today: dt.date) -> tuple[list[str], list[dict[str, Any]]]:
    """The states to delete (their representatives) and the rows to write for every identity
    group a change naming ``seeds`` (of which ``record_ids`` had their person records written)
    and ``incident_ids`` may have altered."""
    if not (seeds or record_ids or incident_ids):
        return [], []  # a write of register records alone: no group changed (its entry is for the alerts)
    # the seeds' whole link components first (a victim's links decide whose victim she counts as)
    links = identity_reads.identity_links_in(db, tx, seeds, threshold, hops=None)
    widened = sorted(set(seeds) | {p for link in links for p in (link["a"], link["b"])})
    affected = store.affected_in(db, tx, widened, record_ids, incident_ids)
    # the groups of the affected, and everyone an old state of theirs counted, each walked once
    everyone: set[str] = set(widened)
    checked: set[str] = set()
    old: dict[str, list[str]] = {}
    todo = set(affected) - everyone
    while True:
        if todo:
            found = identity_reads.identity_links_in(db, tx, sorted(todo), threshold, hops=None)
            links += found
            everyone |= todo | {p for link in found for p in (link["a"], link["b"])}
        old.update(store.states_of_in(db, tx, sorted(everyone - checked)))
        checked = set(everyone)
        todo = {m for members in old.values() for m in members} - everyone
        if not todo:
            break
    ids = sorted(everyone)
    rows = {r["person_id"]: r for r in store.rows_in(db, tx, ids)}
    unidentified = store.unidentified_in(db, tx, ids)
    named = sorted({v for r in rows.values() for i in r["incidents"] for v in i["victim_ids"]}
                   | {v for us in unidentified.values() for u in us for v in u["victim_ids"]})
    links += identity_reads.identity_links_in(db, tx, [v for v in named if v not in everyone], threshold, hops=None)
    graph = link_graph(links, threshold)
    groups: dict[str, Any] = {}
    done: set[str] = set()
    for pid in ids:
        if pid in done:
            continue
        members = nx.node_connected_component(graph, pid) if pid in graph else {pid}
        done |= members
        present = [rows[m] for m in sorted(members) if m in rows]
        if present:
            rep = representative(present)
            groups[rep] = (members, present, identity_group(rep, [], threshold, graph))
    pairs = sorted({(u["via"], m) for _, _, g in groups.values() for m, u in g.unconfirmed.items()})
    evidence = store.evidence_in(db, tx, pairs, threshold)
    out = []
    for rep, (members, present, group) in groups.items():
        for m, u in group.unconfirmed.items():
            u["evidence"] = decode_evidence(evidence.get(frozenset((u["via"], m))))
        incidents, orders, unid = group_inputs(members, present, unidentified)
        entry, stats, dates = serial_parts(rep, group, incidents, orders, th, graph, unid)
        if _kept(entry):
            out.append(_row(entry, stats, dates, today))
    if out:
        _with_cards(out, perpetrator_rows_in(db, tx, _members(out), threshold), th, today)
    return sorted(old), out


def _members(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({m for r in rows for m in r["member_ids"]})


def _with_cards(rows: list[dict[str, Any]], read: Mapping[str, Any], th: Thresholds,
                today: dt.date) -> list[dict[str, Any]]:
    """Give each state row its group's check card (``row["check"]``): what the intake check's
    summary needs (:func:`~graphsvc.services.perpetrators.check_card`), from ``read``: the rows
    the check reads (``perpetrator_rows_in``) of every member of the groups at once, so the whole
    group is seen from any member; with the group's links and the evidence of every proposed
    link that brings a member in from any of them (:func:`card_group`)."""
    perps = _perpetrators_from(read)
    for r in rows:
        group = set(r["member_ids"])
        card = check_card(perps[r["person_id"]], today, th)
        card["links"] = sorted(({k: v for k, v in link.items() if k != "evidence"} for link in read["links"]
                                if link["a"] in group and link["b"] in group),
                               key=lambda link: (link["a"], link["b"], link["status"], link["probability"] or 0.0))
        pairs = {(u["via"], m): u["evidence"] for p in sorted(group) if p in perps
                 for m, u in perps[p].group.unconfirmed.items()}
        card["evidence"] = [[a, b, e] for (a, b), e in sorted(pairs.items())]
        r["check"] = json.dumps(card, sort_keys=True, default=str)
    return rows


def card_group(person_id: str, card: Mapping[str, Any], threshold: float) -> IdentityGroup:
    """The identity group of ``person_id`` seen from him, from his group's check card (as
    ``perpetrator_rows_in`` would make it, evidence included)."""
    group = identity_group(person_id, card["links"], threshold)
    evidence = {(a, b): e for a, b, e in card["evidence"]}
    for m, u in group.unconfirmed.items():
        u["evidence"] = evidence.get((u["via"], m))
    return group


def apply(db: Database, *, today: dt.date | None = None) -> dict[str, Any]:
    """Apply the outbox's waiting entries to the state (rebuilding it first when there is none,
    or when a round names more than :data:`REBUILD_SEEDS` persons). Returns ``{"applied"
    (entries), "groups" (states written), "rebuilt" (bool), "pending" (entries left: a rebuild
    under way elsewhere leaves them)}``."""
    day = today or london_today()
    first = store.pending(db)
    meta = first["meta"]
    if meta is None or (not meta.get("ready") and not _rebuilding(meta)) or \
            (meta.get("ready") and not meta.get("clusters_ready")):  # a state from before clusters were kept
        done = rebuild(db, today=day)
        return {**done, "applied": done["covered"]}
    out = {"applied": 0, "groups": 0, "rebuilt": False, "pending": int(first["pending"] or 0)}
    if not first["pending"]:
        return out

    def build(tx: Any, meta: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, list[Any]] | None:
        seeds = sorted({p for e in entries for p in e["person_ids"] or []})
        incidents = sorted({i for e in entries for i in e["incident_ids"] or []})
        if len(seeds) > REBUILD_SEEDS or len(incidents) > REBUILD_SEEDS:
            return None
        # an entry written before record_ids were kept: every person it names, to be safe
        records = sorted({p for e in entries
                          for p in (e["record_ids"] if e.get("record_ids") is not None else e["person_ids"] or [])})
        threshold, th = _meta_settings(meta)
        delete, rows = _group_rows(db, tx, seeds, records, incidents, threshold, th, day)
        delete_clusters, clusters = _cluster_rows(db, tx, incidents)
        # the alerts these entries raise, in this transaction (docs/alerts.md): before and after
        alerts.raise_in(db, tx, entries=entries, before=alerts.before_in(db, tx, delete), rows=rows, today=day,
                        threshold=threshold)
        return {"delete": delete, "rows": rows, "delete_clusters": delete_clusters, "clusters": clusters}

    while True:
        try:
            what, applied, groups = store.apply_round(db, CHANGES_PER_ROUND, build)
        except QueryTimedOut:
            # a round too heavy for one transaction (a resolve naming thousands of persons, on a
            # busy machine) would time out again at every retry and leave the state stale for
            # good; a rebuild does the same work in chunks of its own
            log.warning("an apply round of the pattern state ran past the transaction timeout; rebuilding instead")
            what, applied, groups = "rebuild", 0, 0
        out["applied"] += applied
        out["groups"] += groups
        if what == "rebuild":
            done = rebuild(db, today=day)
            out.update(rebuilt=True, groups=out["groups"] + done["groups"], applied=out["applied"] + done["covered"])
            break
        if what != "more" or applied < CHANGES_PER_ROUND:  # a short round took all there was
            break
    out["pending"] = int(store.pending(db)["pending"] or 0)
    return out


def _rebuilding(meta: Mapping[str, Any]) -> bool:
    since = meta.get("rebuilding_since")
    return bool(meta.get("rebuild_token")) and since is not None and \
        dt.datetime.now(dt.timezone.utc) - since < REBUILD_LEASE


# -- the whole state at once -------------------------------------------------------------------
def rebuild(db: Database, *, today: dt.date | None = None, force: bool = False) -> dict[str, Any]:
    """Replace the whole state by the register-wide computation, for ``db.settings``.

    The state reads as not ready meanwhile (the ranking is then computed the register-wide way);
    the outbox entries committed before it started are covered by it and deleted at the end,
    later ones applied after it. One rebuild at a time: another under way (started less than
    :data:`REBUILD_LEASE` ago) is a :class:`Conflict` unless ``force``."""
    day = today or london_today()
    threshold, th = db.settings.link_threshold, db.settings.thresholds
    token = uuid.uuid4().hex

    def may_start(meta: dict[str, Any]) -> None:
        if not force and _rebuilding(meta):
            raise Conflict("the pattern state is being rebuilt already",
                           {"since": str(meta.get("rebuilding_since"))})

    covered = store.start_rebuild(db, token, may_start)
    # the alerts the covered entries raise (docs/alerts.md): the old states against the new ones,
    # recorded in the transaction that deletes the entries
    told = alerts.wanted(db)
    before = [alerts.light(json.loads(r["entry"])) for r in store.all_states(db)] if told else []
    after: list[dict[str, Any]] = []

    def kept(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for r in rows:
            if told:
                after.append({"member_ids": r["member_ids"], "entry": alerts.light(json.loads(r["entry"]))})
            yield r

    def raise_alerts(tx: Any) -> None:
        if told:
            alerts.raise_in(db, tx, entries=covered, before=before, rows=after, today=day, threshold=threshold)

    rows = _carded(db, (_row(*parts, day) for parts in _register_wide(db, threshold, th)), threshold, th, day)
    groups = store.write_states(db, kept(rows), WRITE_CHUNK)
    clusters = store.write_states(db, (_cluster_row(c) for c in register_clusters(db)), WRITE_CHUNK, store.CLUSTERS)
    if not store.finish_rebuild(db, token, [c["change_id"] for c in covered],
                                {**_settings_props(threshold, th), "clusters_ready": True}, raise_alerts):
        raise Conflict("another rebuild of the pattern state took over; this one is abandoned", {})
    out = {"rebuilt": True, "groups": groups, "clusters": clusters, "covered": len(covered)}
    rest = apply(db, today=day)
    return {**out, "pending": rest["pending"], "groups_after": rest["groups"]}


def _carded(db: Database, rows: Iterable[dict[str, Any]], threshold: float, th: Thresholds, today: dt.date,
            chunk: int = CARD_CHUNK) -> Iterator[dict[str, Any]]:
    """``rows`` with their check cards (:func:`_with_cards`), ``chunk`` groups to a read."""
    part: list[dict[str, Any]] = []
    for row in rows:
        part.append(row)
        if len(part) == chunk:
            yield from _with_cards(part, perpetrator_rows(db, _members(part), threshold), th, today)
            part = []
    if part:
        yield from _with_cards(part, perpetrator_rows(db, _members(part), threshold), th, today)


# -- reading -----------------------------------------------------------------------------------
def status(db: Database) -> dict[str, Any]:
    """The state's settings and ages, and the outbox's backlog (``graphsvc state status``)."""
    return store.pending(db)


def serial_page(db: Database, *, min_victims: int, limit: int, after: tuple[float, int, str] | None,
                today: dt.date) -> dict[str, Any] | None:
    """A page of the serial ranking from the state, or ``None`` when the state is not ready for
    ``db.settings`` (the caller computes it the register-wide way). Returns ``{"persons",
    "more", "applied_at", "pending"}``."""
    after_rank = rank_key(-after[0], -after[1], after[2]) if after is not None else ""
    read = store.page_in_one(db, after=after_rank, today=today, min_victims=min_victims, limit=limit + 1)
    if not ready_for(read["meta"], db.settings.link_threshold, db.settings.thresholds):
        return None
    if not read["pending"] and read["mark"] != read["meta"].get("mark"):
        # the register changed and no outbox entry says what: a write went round the service's
        # write paths (Cypher by hand); answer the register-wide way until the state is rebuilt
        log.warning("the register changed outside graphsvc's write paths; the serial ranking is computed "
                    "register-wide until graphsvc state rebuild")
        return None
    entries = [_finish(r, today) for r in read["fresh"]]
    for r in read["stale"]:
        e = _finish(r, today)
        if after is None or serial_order(e) > after:
            entries.append(e)
    entries = [e for e in entries if listed(e, min_victims)]
    entries.sort(key=serial_order)
    return {"persons": entries[:limit], "more": len(entries) > limit, "applied_at": read["meta"].get("applied_at"),
            "pending": read["pending"]}


def cluster_page(db: Database, *, limit: int, after: tuple[int, str] | None) -> dict[str, Any] | None:
    """A page of the unidentified clusters from the state (largest first, ties: first incident
    id; after the cluster of size and first incident ``after``), or ``None`` when the state is not
    ready or the register changed round the write paths (the caller computes them register-wide).
    Returns ``{"clusters" [{"incident_ids", "identifiers", "bridging_identifiers",
    "shared_identifiers"}], "more", "applied_at", "pending"}``."""
    read = store.cluster_page_in_one(db, after=cluster_rank(*after) if after is not None else "", limit=limit + 1)
    meta = read["meta"]
    if not meta or not meta.get("ready") or not meta.get("clusters_ready"):
        return None
    if not read["pending"] and read["mark"] != meta.get("mark"):
        log.warning("the register changed outside graphsvc's write paths; the unidentified clusters are computed "
                    "register-wide until graphsvc state rebuild")
        return None
    found = [{k: list(c[k]) for k in ("incident_ids", "identifiers", "bridging_identifiers", "shared_identifiers")}
             for c in read["clusters"]]
    return {"clusters": found[:limit], "more": len(found) > limit, "applied_at": meta.get("applied_at"),
            "pending": read["pending"]}


def settle(db: Database) -> dict[str, Any]:
    """:func:`apply`, never raising: what every write path calls once its records or links are
    committed (they stay committed whatever happens here; the outbox keeps what was not applied
    for the next write, ``graphsvc state apply`` or the service's poller). ``{"status": "done" |
    "failed", ...}``."""
    try:
        return {"status": "done", **apply(db)}
    except Exception as exc:  # noqa: BLE001 - the write committed; its outbox entry waits
        log.error("the pattern state was not brought up to date; its outbox keeps the changes", exc_info=exc)
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}


class Poller:
    """Applies what a writer that died left in the outbox (``GRAPHSVC_STATE_POLL_S``): every
    ``interval_s`` it reads the backlog and, when its oldest entry is older than ``interval_s``
    (a live writer applies its own before it returns), calls :func:`settle`. One daemon thread
    per served worker (gunicorn's ``post_worker_init``), never in a test's app."""

    def __init__(self, db: Database, interval_s: float) -> None:
        self.db = db
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="graphsvc-state-poller", daemon=True)

    def start(self) -> Poller:
        if self.interval_s > 0:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def poll_once(self) -> dict[str, Any] | None:
        """Settle when the oldest waiting entry is older than the interval; what it did, or None."""
        found = store.pending(self.db)
        oldest = found.get("oldest")
        if not found.get("pending") or oldest is None:
            return None
        if dt.datetime.now(dt.timezone.utc) - oldest < dt.timedelta(seconds=self.interval_s):
            return None
        return settle(self.db)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.poll_once()
            except Exception:  # noqa: BLE001 - a database away now is tried again next time
                log.warning("the pattern state's poller could not read the outbox", exc_info=True)
