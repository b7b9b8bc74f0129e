"""Where a load's time goes: records/s with the CPU of the loader, of Neo4j and of Neo4j's threads.

Starts a fresh local Neo4j in a temporary folder, loads (the first ``--limit`` records of) a
register with the loader's own pieces and prints one JSON object: the rate, the loader's CPU
seconds, Neo4j's CPU seconds and Neo4j's CPU by thread name since it started (``C2 CompilerThre`` is the JIT,
``neo4j.BoltWorke`` runs the queries and commits). Experiments the loader does not ship:

- ``--workers 2``: two batches in flight (their transactions deadlock now and then; the driver
  retries them). Not safe for general use as written: it does not keep two copies of one record
  apart, which the shipped loader's order guarantees.
- ``--fulltext-eventual``: the ``person_names`` index rebuilt as eventually consistent.
- ``--prevalidate``: every record read and validated before the clock starts, so only the writes
  are timed (the database's own ceiling).
- ``--no-secondary-indexes``: the range and full-text indexes dropped first (what their upkeep costs).
- Neo4j settings and JVM options through ``GRAPHSVC_NEO4J_SETTINGS`` / ``GRAPHSVC_NEO4J_JAVA_OPTS``
  (for example a flight recording: ``-XX:StartFlightRecording=filename=load.jfr,settings=profile``).

    .venv/bin/python bench/load_profile.py bench/out/register-100000-1.jsonl --limit 150000
    .venv/bin/python bench/load_profile.py bench/out/register-100000-1.jsonl --workers 2

Results are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from benchlib import neo4j, process_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _threads(pid: int) -> dict[str, float]:
    out: dict[str, float] = collections.defaultdict(float)
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
            out[re.sub(r"[0-9#-]+$", "", name)] += process_cpu_seconds(pid, int(tid))
        except OSError:
            continue  # the thread ended
    return {k: round(v, 1) for k, v in sorted(out.items(), key=lambda kv: -kv[1])[:8]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("register", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="load only the first N records")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--validate-in", choices=("thread", "process"), default="thread",
                        help="where reading and validation run (thread: as in the figures of docs/benchmarks.md "
                             "measured before the loader moved it to a child process)")
    parser.add_argument("--fulltext-eventual", action="store_true")
    parser.add_argument("--no-secondary-indexes", action="store_true",
                        help="drop the range and full-text indexes before loading (the uniqueness constraints the "
                             "MERGEs seek stay): what index upkeep costs the writes")
    parser.add_argument("--prevalidate", action="store_true",
                        help="read and validate every record before the clock starts, so only the writes are "
                             "timed: the database's own ceiling, with both cores free for it")
    parser.add_argument("--heap-mib", type=int, default=2048)
    parser.add_argument("--pagecache-mib", type=int, default=2048)
    args = parser.parse_args()

    from graphsvc.graph import localdb
    from graphsvc.graph.db import Database
    from graphsvc.repository.ingest import BatchRows, BatchWriter
    from loaders.sources import read_path
    from loaders.validate import prefetch_in_child, prefetch_in_thread, validated_chunks

    with neo4j(heap_mib=args.heap_mib, pagecache_mib=args.pagecache_mib) as settings:
        db = Database(settings)
        db.apply_schema()
        if args.fulltext_eventual:
            db.execute("DROP INDEX person_names")
            db.execute("CREATE FULLTEXT INDEX person_names FOR (n:Person) ON EACH "
                       "[n.given_name, n.family_name, n.aliases_text] "
                       "OPTIONS {indexConfig: {`fulltext.eventually_consistent`: true}}")
            db.execute("CALL db.awaitIndexes(300)")
        if args.no_secondary_indexes:
            names = [r["name"] for r in db.execute("SHOW INDEXES YIELD name, type, owningConstraint "
                                                     "WHERE owningConstraint IS NULL AND type IN ['RANGE', 'FULLTEXT'] "
                                                     "RETURN name")]
            for name in names:
                db.execute("DROP INDEX $name", name=name)
        pid = localdb.status(settings).pid
        assert pid is not None
        writer = BatchWriter(db)
        raws = read_path(args.register)
        if args.limit:
            raws = itertools.islice(raws, args.limit)
        prefetch = prefetch_in_child if args.validate_in == "process" else prefetch_in_thread
        batches: Iterable[BatchRows] = (c.rows for c in prefetch(validated_chunks(raws, args.batch_size, BatchRows.of))
                                        if c.rows is not None)
        if args.prevalidate:
            batches = list(batches)
        neo4j_before, load_before = process_cpu_seconds(pid), os.getloadavg()[0]
        started = time.perf_counter()
        written = 0
        if args.workers == 1:
            for rows in batches:
                written += writer.write_rows(rows).total
        else:
            with ThreadPoolExecutor(args.workers) as pool:
                pending: list[Future] = []  # type: ignore[type-arg]
                for rows in batches:
                    pending.append(pool.submit(writer.write_rows, rows))
                    while sum(not f.done() for f in pending) > args.workers:
                        time.sleep(0.005)
                written = sum(f.result().total for f in pending)
        seconds = time.perf_counter() - started
        cpu = os.times()
        print(json.dumps({
            "records": written, "seconds": round(seconds, 1), "records_per_second": round(written / seconds),
            "workers": args.workers, "batch_size": args.batch_size, "validate_in": args.validate_in,
            "fulltext_eventual": args.fulltext_eventual, "prevalidate": args.prevalidate,
            "no_secondary_indexes": args.no_secondary_indexes,
            "neo4j_settings": os.environ.get("GRAPHSVC_NEO4J_SETTINGS", ""),
            "java_opts": os.environ.get("GRAPHSVC_NEO4J_JAVA_OPTS", ""),
            "loader_cpu_seconds": round(cpu.user + cpu.system + cpu.children_user + cpu.children_system, 1),
            "neo4j_cpu_seconds": round(process_cpu_seconds(pid) - neo4j_before, 1),
            "neo4j_cpu_by_thread": _threads(pid),
            "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }))
        db.close()


if __name__ == "__main__":
    main()
