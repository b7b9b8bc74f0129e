"""The pattern state's Cypher (docs/pattern-state.md): the outbox that every write path fills in
its own transaction, the lock and settings node, the per-group reads a state is built from, and
the states themselves (``SerialState``, one per identity group, linked ``STATE_OF`` to each of its
person records; ``ClusterState``, one per cluster of unidentified incidents, linked
``CLUSTER_OF`` to each of its incidents)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository.rows import native

__all__ = [
    "note_change_in", "pending", "changes", "delete_changes", "lock_in", "update_meta",
    "affected_in", "rows_in", "unidentified_in", "evidence_in", "states_of_in", "replace_in",
    "delete_page", "page_in_one", "all_states", "register_mark_in", "apply_round", "start_rebuild", "write_states",
    "finish_rebuild", "check_cards_in", "cluster_edges_in", "cluster_states_of_in",
    "cluster_page_in_one", "all_cluster_states", "SERIAL", "CLUSTERS",
]

#: the two kinds of state, as ``write_states`` and ``replace_in`` take them: (delete a page, replace)
SERIAL = ("delete_serial_states_page", "replace_serial_states")
CLUSTERS = ("delete_cluster_states_page", "replace_cluster_states")


# -- the outbox --------------------------------------------------------------------------------
def note_change_in(db: Database, tx: Any, *, person_ids: Iterable[str] = (), record_ids: Iterable[str] = (),
                   incident_ids: Iterable[str] = (), released: Iterable[str] = (),
                   order_ids: Iterable[str] = (), register_ids: Iterable[str] = ()) -> None:
    """Write an outbox entry in the caller's transaction ``tx`` (``create_state_change``): the
    persons it wrote or named, those whose person records it wrote (``record_ids``, also
    counted as named), the incidents, orders, registrations and notifications (``register_ids``)
    it wrote, the element ids of the nodes it let go of (before they are deleted). The state
    reads none of ``register_ids``: the alert rules do (``watched_person``)."""
    rids = sorted(set(record_ids))
    pids, iids, rel = sorted(set(person_ids) | set(rids)), sorted(set(incident_ids)), sorted(set(released))
    oids, regs = sorted(set(order_ids)), sorted(set(register_ids))
    if pids or iids or rel or oids or regs:
        db.run_in(tx, "create_state_change", person_ids=pids, record_ids=rids, incident_ids=iids, released=rel,
                  order_ids=oids, register_ids=regs)


def pending(db: Database) -> dict[str, Any]:
    """``{"meta": the state's node (or None), "pending": outbox entries waiting, "oldest"}``."""
    return native(db.read_one("get_pattern_state") or {"meta": None, "pending": 0, "oldest": None})


def changes(db: Database, tx: Any, limit: int) -> list[dict[str, Any]]:
    """The oldest ``limit`` outbox entries, oldest first."""
    return [native(r) for r in db.run_in(tx, "list_state_changes", limit=limit)]


def delete_changes(db: Database, tx: Any, change_ids: Sequence[str]) -> None:
    for start in range(0, len(change_ids), 5000):
        db.run_in(tx, "delete_state_changes", change_ids=list(change_ids[start : start + 5000]))


# -- the lock and the settings -----------------------------------------------------------------
def lock_in(db: Database, tx: Any) -> dict[str, Any]:
    """Take the state's lock (held to the end of ``tx``); the state's settings and ages."""
    return native(db.run_in(tx, "lock_pattern_state")[0]["meta"])


def update_meta(db: Database, tx: Any, **props: Any) -> dict[str, Any]:
    """Set the state's settings and ages in ``tx`` (a ``None`` value removes one)."""
    return native(db.run_in(tx, "update_pattern_state", props=props)[0]["meta"])


# -- what a state is built from ----------------------------------------------------------------
def affected_in(db: Database, tx: Any, person_ids: Sequence[str], record_ids: Sequence[str],
                incident_ids: Sequence[str]) -> list[str]:
    """The persons whose serial state a change naming these may have altered (``find_state_affected``)."""
    rows = db.run_in(tx, "find_state_affected", person_ids=list(person_ids), record_ids=list(record_ids),
                     incident_ids=list(incident_ids))
    return list(rows[0]["person_ids"]) if rows else []


def rows_in(db: Database, tx: Any, ids: Sequence[str]) -> list[dict[str, Any]]:
    """``list_serial_offenders``' rows for ``ids`` only, unfiltered (``get_serial_state_rows``)."""
    return [native(r) for r in db.run_in(tx, "get_serial_state_rows", ids=list(ids))] if ids else []


def unidentified_in(db: Database, tx: Any, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """``list_unidentified_victim_links``' answer for ``ids`` only, unfiltered."""
    rows = db.run_in(tx, "get_serial_state_unidentified", ids=list(ids)) if ids else []
    return {r["person_id"]: r["incidents"] for r in rows}


def evidence_in(db: Database, tx: Any, pairs: Sequence[tuple[str, str]], threshold: float) -> dict[frozenset[str], Any]:
    if not pairs:
        return {}
    rows = db.run_in(tx, "find_identity_link_evidence", pairs=[list(p) for p in pairs], threshold=threshold)
    return {frozenset((r["a"], r["b"])): r["evidence"] for r in rows}


def check_cards_in(db: Database, tx: Any, ids: Sequence[str]) -> dict[str, Any]:
    """The intake check's read of the state in its own transaction ``tx``, one round trip
    (``get_register_mark``): ``{"meta" (the settings, ``ready`` and ``mark``), "pending" (outbox
    entries waiting), "mark" (the register's, as :func:`register_mark_in` gives it), "cards"
    ({person id: card JSON text} for those of ``ids`` whose group has a state)}``."""
    row = db.run_in(tx, "get_register_mark", ids=list(ids))[0]
    return {"meta": native(row["meta"]), "pending": int(row["pending"] or 0), "mark": _mark(row),
            "cards": {pid: card for pid, card in row["cards"] if card is not None}}


def register_mark_in(db: Database, tx: Any) -> str:
    """What says the register changed (``get_register_mark``: counts and the write counter, and
    the links), as text: kept with the state when it is applied to, so a read can tell a change
    that went round the write paths (and their outbox)."""
    return _mark(db.run_in(tx, "get_register_mark", ids=[])[0])


def _mark(row: Mapping[str, Any]) -> str:
    return json.dumps([native(row["counts"]), native(row["links"])], sort_keys=True, default=str)


# -- the states --------------------------------------------------------------------------------
def states_of_in(db: Database, tx: Any, ids: Sequence[str]) -> dict[str, list[str]]:
    """``{representative: member ids}`` of the states that count any of ``ids``."""
    rows = db.run_in(tx, "find_serial_state_members", ids=list(ids)) if ids else []
    return {r["person_id"]: list(r["member_ids"]) for r in rows}


def replace_in(db: Database, tx: Any, delete_ids: Sequence[str], rows: Sequence[dict[str, Any]],
               kind: tuple[str, str] = SERIAL) -> None:
    """Delete the states ``delete_ids`` (serial: representatives' person ids; clusters: cluster
    ids), then write ``rows``."""
    if delete_ids or rows:
        db.run_in(tx, kind[1], delete_ids=list(delete_ids), rows=list(rows))


def delete_page(db: Database, limit: int, kind: tuple[str, str] = SERIAL) -> int:
    out = db.write(kind[0], limit=limit)
    return int(out[0]["deleted"]) if out else 0


def cluster_edges_in(db: Database, tx: Any, incident_ids: Sequence[str]) -> list[dict[str, Any]]:
    """One step of walking clusters out from ``incident_ids`` (``find_cluster_edges``):
    ``[{"kind", "value", "incident_ids"}]`` for each identifier that joins two or more
    unidentified incidents, one of them among ``incident_ids``."""
    return [native(r) for r in db.run_in(tx, "find_cluster_edges", incident_ids=list(incident_ids))] \
        if incident_ids else []


def cluster_states_of_in(db: Database, tx: Any, incident_ids: Sequence[str]) -> dict[str, list[str]]:
    """``{cluster id: incident ids}`` of the cluster states that hold any of ``incident_ids``."""
    rows = db.run_in(tx, "find_cluster_states", incident_ids=list(incident_ids)) if incident_ids else []
    return {r["cluster_id"]: list(r["incident_ids"]) for r in rows}


def _read_with_mark(db: Database, read: Callable[[Any], dict[str, Any]], empty: dict[str, Any]) -> dict[str, Any]:
    """In one read transaction: the state's node and backlog, the register's mark
    (:func:`register_mark_in`) and, when the state is ready, ``read(tx)``'s keys (``empty``'s
    otherwise): ``{"meta", "pending", "mark", ...}``."""

    def work(tx: Any) -> dict[str, Any]:
        head = native(db.run_in(tx, "get_pattern_state")[0])
        out = {"meta": head["meta"], "pending": int(head["pending"] or 0), "mark": None, **empty}
        if head["meta"] and head["meta"].get("ready"):
            out.update(mark=register_mark_in(db, tx), **read(tx))
        return out

    return db.read_tx(work)


def page_in_one(db: Database, *, after: str, today: dt.date, min_victims: int, limit: int) -> dict[str, Any]:
    """In one read transaction (:func:`_read_with_mark`): a page of the states whose stored score
    holds on ``today`` after the rank ``after`` (``list_serial_states``), and every state whose
    stored score does not (``list_stale_serial_states``): ``{"meta", "pending", "fresh", "stale",
    "mark"}``."""

    def read(tx: Any) -> dict[str, Any]:
        return {"fresh": db.run_in(tx, "list_serial_states", after=after, today=today, min_victims=min_victims,
                                   limit=limit),
                "stale": db.run_in(tx, "list_stale_serial_states", today=today, min_victims=min_victims)}

    return _read_with_mark(db, read, {"fresh": [], "stale": []})


def cluster_page_in_one(db: Database, *, after: str, limit: int) -> dict[str, Any]:
    """In one read transaction (:func:`_read_with_mark`): ``limit`` cluster states after the rank
    ``after`` (``list_cluster_states``): ``{"meta", "pending", "mark", "clusters"}``."""

    def read(tx: Any) -> dict[str, Any]:
        return {"clusters": [native(r) for r in db.run_in(tx, "list_cluster_states", after=after, limit=limit)]}

    return _read_with_mark(db, read, {"clusters": []})


def all_states(db: Database, *, page_size: int = 5000) -> list[dict[str, Any]]:
    """Every state, in person id order, read page by page."""
    out: list[dict[str, Any]] = []
    after = ""
    while True:
        rows = [native(r) for r in db.read_job("list_all_serial_states", after=after, limit=page_size)]
        out += rows
        if len(rows) < page_size:
            return out
        after = rows[-1]["person_id"]


def all_cluster_states(db: Database, *, page_size: int = 5000) -> list[dict[str, Any]]:
    """Every cluster state, in cluster id order, read page by page."""
    out: list[dict[str, Any]] = []
    after = ""
    while True:
        rows = [native(r) for r in db.read_job("list_all_cluster_states", after=after, limit=page_size)]
        out += rows
        if len(rows) < page_size:
            return out
        after = rows[-1]["cluster_id"]


# -- units of work -----------------------------------------------------------------------------
Build = Callable[[Any, dict[str, Any], list[dict[str, Any]]], "dict[str, list[Any]] | None"]


def apply_round(db: Database, limit: int, build: Build) -> tuple[str, int, int]:
    """One round of applying the outbox, in one write transaction: take the lock; unless the
    state is being rebuilt (``"busy"``), read the oldest ``limit`` entries (none: ``"done"``);
    ``build(tx, meta, entries)`` returns the states to delete and the rows to write, ``{"delete",
    "rows", "delete_clusters", "clusters"}`` (``None``: too much for one round, ``"rebuild"``);
    write them, delete the entries, keep the register's mark. Returns ``(what, entries applied,
    serial states written)``."""

    def work(tx: Any) -> tuple[str, int, int]:
        meta = lock_in(db, tx)
        if not meta.get("ready"):
            return "busy", 0, 0
        entries = changes(db, tx, limit)
        if not entries:
            return "done", 0, 0
        built = build(tx, meta, entries)
        if built is None:
            return "rebuild", 0, 0
        replace_in(db, tx, built["delete"], built["rows"])
        replace_in(db, tx, built["delete_clusters"], built["clusters"], CLUSTERS)
        delete_changes(db, tx, [e["change_id"] for e in entries])
        update_meta(db, tx, applied_at=dt.datetime.now(dt.timezone.utc), mark=register_mark_in(db, tx))
        return "more", len(entries), len(built["rows"])

    return db.write_tx(work)


def start_rebuild(db: Database, token: str, may_start: Callable[[dict[str, Any]], None]) -> list[dict[str, Any]]:
    """Take the lock, let ``may_start(meta)`` refuse (by raising), mark the state not ready and
    being rebuilt under ``token``; the outbox entries committed so far (``change_id`` and what
    each names)."""

    def work(tx: Any) -> list[dict[str, Any]]:
        meta = lock_in(db, tx)
        may_start(meta)
        update_meta(db, tx, ready=False, rebuild_token=token, rebuilding_since=dt.datetime.now(dt.timezone.utc))
        return changes(db, tx, 10_000_000)

    return db.write_tx(work)


def write_states(db: Database, rows: Iterable[dict[str, Any]], chunk: int, kind: tuple[str, str] = SERIAL) -> int:
    """Delete every state of ``kind`` (:data:`SERIAL` or :data:`CLUSTERS`), then write ``rows``,
    ``chunk`` to a transaction (a rebuild, while the state reads as not ready); how many. ``rows`` may be a generator: each chunk is written by a
    thread while the next is computed, so the database's writing overlaps the Python work of
    building the rows (on two cores the two are about even)."""
    while delete_page(db, 10_000, kind):
        pass
    written = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphsvc-state-writer") as pool:
        waiting: Future[None] | None = None
        part: list[dict[str, Any]] = []
        for row in rows:
            part.append(row)
            if len(part) == chunk:
                if waiting is not None:
                    waiting.result()  # at most one chunk in flight: memory stays one chunk ahead
                waiting = pool.submit(db.write_tx, lambda tx, part=part: replace_in(db, tx, [], part, kind))
                written += len(part)
                part = []
        if waiting is not None:
            waiting.result()
        if part:
            db.write_tx(lambda tx: replace_in(db, tx, [], part, kind))
            written += len(part)
    return written


def finish_rebuild(db: Database, token: str, covered: Sequence[str], props: dict[str, Any],
                   also: Callable[[Any], None] | None = None) -> bool:
    """Unless another rebuild took over (``False``): delete the outbox entries ``covered``, mark
    the state ready with ``props`` and the register's mark; ``also(tx)`` does more in the same
    transaction (the alerts the entries raise)."""

    def work(tx: Any) -> bool:
        meta = lock_in(db, tx)
        if meta.get("rebuild_token") != token:
            return False
        if also is not None:
            also(tx)
        delete_changes(db, tx, covered)
        now = dt.datetime.now(dt.timezone.utc)
        update_meta(db, tx, ready=True, rebuild_token=None, rebuilding_since=None, built_at=now, applied_at=now,
                    mark=register_mark_in(db, tx), **props)
        return True

    return db.write_tx(work)
