"""Benchmark: audit appends per second with group commit against one transaction per entry,
in the same run (issue 19, item 4).

``--threads`` callers (as many as a gunicorn worker's threads) each append ``--per-thread``
entries as fast as they can, each naming a few persons (so the owning agencies are read, as
in service). The two modes alternate for ``--rounds`` rounds on one fresh local Neo4j, and the
chain is verified at the end::

    python bench/audit_group_commit.py --threads 8 --per-thread 150 --rounds 3

Printed per mode: entries, seconds, entries/s, the median and p99 wait of one append (what a
request waits for its entry), transactions written (group commit) and the ratio of rates.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import threading
import time
from typing import Any

from benchlib import neo4j, percentile


def _round(db: Any, threads: int, per_thread: int, tag: str) -> tuple[float, list[float]]:
    from graphsvc.security import audit

    waits: list[list[float]] = [[] for _ in range(threads)]
    start_line = threading.Barrier(threads + 1)

    def caller(n: int) -> None:
        start_line.wait()
        for i in range(per_thread):
            t0 = time.perf_counter()
            audit.append_entry(db, actor=f"bench#{tag}{n}", role="investigator", action="consultation",
                               purpose="audit benchmark", query={"path": "/api/v1/check", "i": i},
                               person_ids=[f"BP-{(n * 7 + i) % 50}", f"BP-{(n + i) % 50}"], status=200)
            waits[n].append(time.perf_counter() - t0)

    workers = [threading.Thread(target=caller, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    start_line.wait()
    t0 = time.perf_counter()
    for w in workers:
        w.join()
    return time.perf_counter() - t0, [x for ws in waits for x in ws]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from graphsvc.graph.db import Database
    from graphsvc.security import audit

    with neo4j(heap_mib=512, pagecache_mib=256) as settings:
        modes = {"one_tx_per_entry": dataclasses.replace(settings, audit_group_commit=False),
                 "group_commit": dataclasses.replace(settings, audit_group_commit=True)}
        dbs = {name: Database(s) for name, s in modes.items()}
        dbs["group_commit"].apply_schema()
        setup = dbs["group_commit"]
        setup.execute("UNWIND range(0, 49) AS n CREATE (:Person {id: 'BP-' + n, source: ['GMP', 'MPS', 'WMP'][n % 3]})")
        # a warm-up of each mode, not counted
        for name, db in dbs.items():
            _round(db, args.threads, 10, f"warm-{name}-")
        totals: dict[str, dict[str, Any]] = {name: {"entries": 0, "seconds": 0.0, "waits": []} for name in dbs}
        for r in range(args.rounds):
            order = list(dbs) if r % 2 == 0 else list(reversed(dbs))
            for name in order:
                seconds, waits = _round(dbs[name], args.threads, args.per_thread, f"{r}-{name}-")
                totals[name]["entries"] += len(waits)
                totals[name]["seconds"] += seconds
                totals[name]["waits"] += waits
        writer = audit._group_commit(dbs["group_commit"])  # its counters: how many transactions
        check = audit.verify(setup)
        out: dict[str, Any] = {"threads": args.threads, "per_thread": args.per_thread, "rounds": args.rounds,
                               "chain_ok": check.ok, "chain_entries": check.entries}
        for name, t in totals.items():
            ms = [w * 1000 for w in t["waits"]]
            out[name] = {"entries": t["entries"], "seconds": round(t["seconds"], 2),
                         "entries_per_s": round(t["entries"] / t["seconds"], 1),
                         "wait_median_ms": round(statistics.median(ms), 2), "wait_p99_ms": round(percentile(ms, 0.99), 2)}
        out["group_commit"]["transactions"] = writer.batches
        out["group_commit"]["entries_per_transaction"] = round(writer.entries / max(1, writer.batches), 2)
        out["rate_ratio"] = round(out["group_commit"]["entries_per_s"] / out["one_tx_per_entry"]["entries_per_s"], 2)
        for db in dbs.values():
            db.close()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
