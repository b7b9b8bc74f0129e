"""Benchmark: the serial ranking read from the pattern state against computing it register-wide,
on the register in the running database, in one run beside the floor (an indexed lookup by id
through the driver)::

    GRAPHSVC_HOME=... .venv/bin/python bench/pattern_state.py [--rebuild] [--writes 20]

Steps, each in a process of its own (so each starts cold and its peak RSS is its own):

1. ``rebuild`` (with ``--rebuild``, or when there is no state): ``graphsvc state rebuild``'s work,
   timed, with its peak RSS.
2. ``register-wide``: the ranking computed the way the job did before (the baseline), timed,
   with its peak RSS, and the digest of every entry.
3. ``state``: the first page read from the state in a cold process, then 50 warm first pages
   and 50 pages deep in the ranking (p50, p95), the peak RSS, and the digest of every entry read
   page by page: equal to the register-wide digest when the state is right.
4. ``writes``: N small writes (a new incident of a ranked offender and a new victim), each
   through the loader with the state brought up to date before it returns, against the same
   writes with the state left to its outbox (then applied once).

Results are in docs/pattern-state.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _db() -> Any:
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    from graphsvc.config import Settings
    from graphsvc.graph.db import Database

    return Database(Settings.from_env())


def _digest(entries: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(entries, sort_keys=True, default=str).encode()).hexdigest()[:16]


def step_floor() -> dict[str, Any]:
    db = _db()
    ids = [r["id"] for r in db.execute("MATCH (p:Person) RETURN p.id AS id LIMIT 200")]
    times = []
    for pid in ids * 2:
        t = time.perf_counter()
        db.execute("MATCH (p:Person {id: $id}) RETURN p.id AS id", id=pid)
        times.append(1000 * (time.perf_counter() - t))
    return {"lookup_p50_ms": round(statistics.median(times), 2)}


def step_rebuild() -> dict[str, Any]:
    from graphsvc.services import state

    db = _db()
    t = time.perf_counter()
    out = state.rebuild(db)
    return {"rebuild_s": round(time.perf_counter() - t, 1), "groups": out["groups"], "peak_rss_mib": _rss_mib()}


def step_register_wide() -> dict[str, Any]:
    from graphsvc.repository import identity as identity_reads
    from graphsvc.services.common import _today
    from graphsvc.services.patterns import _rank_serial

    db = _db()
    threshold = db.settings.link_threshold
    t = time.perf_counter()
    entries = _rank_serial(db, identity_reads.all_identity_links(db, threshold), threshold, db.settings.thresholds,
                           _today(), 2, None, None, None)
    took = time.perf_counter() - t
    return {"compute_s": round(took, 1), "entries": len(entries), "digest": _digest(entries),
            "peak_rss_mib": _rss_mib()}


def step_state() -> dict[str, Any]:
    from graphsvc import services

    db = _db()
    t = time.perf_counter()
    db.ping()  # the driver's connection and authentication: a worker pays it once, at its first request
    connect = 1000 * (time.perf_counter() - t)
    t = time.perf_counter()
    first = services.serial(db, min_victims=2)
    cold = 1000 * (time.perf_counter() - t)
    assert first["persons"], "no state answer"
    warm, deep = [], []
    for _ in range(50):
        t = time.perf_counter()
        services.serial(db, min_victims=2)
        warm.append(1000 * (time.perf_counter() - t))
    entries: list[dict[str, Any]] = []
    cursor = None
    cursors = []
    while True:
        t = time.perf_counter()
        page = services.serial(db, min_victims=2, limit=200, cursor=cursor)
        entries += page["persons"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        cursors.append(cursor)
    for c in (cursors[len(cursors) // 2:] * 50)[:50]:
        t = time.perf_counter()
        services.serial(db, min_victims=2, cursor=c)
        deep.append(1000 * (time.perf_counter() - t))

    def q(xs: list[float], p: float) -> float:
        return round(sorted(xs)[min(len(xs) - 1, int(p * len(xs)))], 1)

    return {"connect_ms": round(connect, 1), "first_page_cold_ms": round(cold, 1), "first_page_warm_p50_ms": q(warm, 0.5),
            "first_page_warm_p95_ms": q(warm, 0.95), "deep_page_p50_ms": q(deep, 0.5) if deep else None,
            "entries": len(entries), "digest": _digest(entries), "peak_rss_mib": _rss_mib()}


def step_writes(n: int) -> dict[str, Any]:
    from graphsvc.services import state
    from graphsvc.services.ingest import load
    from graphsvc.services.state_verify import verify
    from loaders.sources import RawRecord

    db = _db()
    top = [r["id"] for r in db.execute(
        "MATCH (s:SerialState) WHERE s.victim_count >= 2 RETURN s.person_id AS id ORDER BY s.rank LIMIT $n", n=n)]

    def records(k: int, tag: str, pid: str) -> list[RawRecord]:
        vid, iid = f"BENCH-{tag}-V{k}", f"BENCH-{tag}-I{k}"
        return [RawRecord("<bench>", 1, data={"kind": "person", "id": vid, "source": "BENCH", "aliases": [vid]}),
                RawRecord("<bench>", 2, data={"kind": "incident", "id": iid, "source": "BENCH", "type": "call",
                                              "occurred_at": "2026-11-01T10:00:00Z", "offender_ids": [pid],
                                              "victim_ids": [vid]})]

    tag = str(int(time.time()))
    with_state, without = [], []
    for k, pid in enumerate(top):
        t = time.perf_counter()
        load(db, records(k, tag + "a", pid), validate_in="thread", maintain_state=False)
        without.append(1000 * (time.perf_counter() - t))
    t = time.perf_counter()
    state.apply(db)
    applied_once = 1000 * (time.perf_counter() - t)
    for k, pid in enumerate(top):
        t = time.perf_counter()
        load(db, records(k, tag + "b", pid), validate_in="thread", maintain_state=True)
        with_state.append(1000 * (time.perf_counter() - t))
    check = verify(db)
    if check["differences"]:
        print(json.dumps(check["differences"][:20], default=str), file=sys.stderr)
    # the bench's records stay out of the register
    db.execute("MATCH (n) WHERE n.id STARTS WITH 'BENCH-' DETACH DELETE n")
    db.execute("MATCH (a:Agency {code: 'BENCH'}) DETACH DELETE a")
    state.rebuild(db)
    return {"writes": len(top), "write_p50_ms_without_state": round(statistics.median(without), 1),
            "write_p50_ms_with_state": round(statistics.median(with_state), 1),
            "ratio": round(statistics.median(with_state) / statistics.median(without), 2),
            "outbox_applied_once_ms": round(applied_once, 1), "verify_clean_after": check["clean"],
            "verify_differences": len(check["differences"])}


STEPS = {"floor": step_floor, "rebuild": step_rebuild, "register-wide": step_register_wide, "state": step_state}


def _run(step: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--step", step, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{out.stderr[-3000:]}")
    if out.stderr.strip():
        print(f"step {step}: {out.stderr.strip()[-3000:]}", file=sys.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step_writes(args.writes) if args.step == "writes" else STEPS[args.step]()))
        return
    from graphsvc.services import state

    result: dict[str, Any] = {"persons": _db().execute("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]}
    meta = state.status(_db())["meta"]
    if args.rebuild or not meta or not meta.get("ready"):
        result["rebuild"] = _run("rebuild")
    result["floor"] = _run("floor")
    result["register_wide"] = _run("register-wide")
    result["state"] = _run("state")
    result["state_again"] = _run("state")  # a second cold process (the server's query plans cached)
    result["same_answers"] = result["register_wide"]["digest"] == result["state"]["digest"] == \
        result["state_again"]["digest"]
    result["first_page_speed_up"] = round(1000 * result["register_wide"]["compute_s"]
                                          / result["state"]["first_page_cold_ms"], 1)
    if args.writes:
        result["writes"] = _run("writes", "--writes", str(args.writes))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
