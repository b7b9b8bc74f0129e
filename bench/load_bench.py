"""Load-rate benchmark: the batched loader against a naive one-transaction-per-record load.

For each size it generates the synthetic register (cached in bench/out/), starts a fresh local
Neo4j in a temporary folder, loads the whole register with the batched loader (in a child
process, so its peak RSS is its own), then loads the first --naive-sample records of the same
file into another empty database one record per transaction, and prints one JSON line per size
(with the one-minute load average before and after: the machine may be shared).

    .venv/bin/python bench/load_bench.py --sizes 10000,100000,1000000 --naive-sample 5000
    .venv/bin/python bench/load_bench.py --sizes 100000 --batch-size 5000 --no-naive
    .venv/bin/python bench/load_bench.py --sizes 10000 --no-naive --profile   # time per statement

Results and the command that produced them go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchlib import neo4j, register_file


def _timed(db, seconds: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    """Per-statement and per-transaction wall time of the loader, for --profile.

    A statement's time runs from sending it to its last result row; ``write_tx`` is the whole
    transaction, so ``write_tx - statements`` is mostly the commit (Neo4j applies the changes
    and updates the indexes then). The validating reader thread runs meanwhile."""
    run_in, write_tx = db.run_in, db.write_tx

    def timed_run_in(tx, name, **params):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return run_in(tx, name, **params)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

    def timed_write_tx(work, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return write_tx(work, *args, **kwargs)
        finally:
            seconds["write_tx"] = seconds.get("write_tx", 0.0) + time.perf_counter() - started

    db.run_in, db.write_tx = timed_run_in, timed_write_tx


def _child(path: Path, port: int, home: Path, mode: str, sample: int, batch_size: int,
           profile: bool = False, validate_in: str = "process") -> dict[str, object]:
    """Runs in a child process: load ``path`` into the database at ``port``."""
    from graphsvc.config import Settings
    from graphsvc.graph.db import Database
    from graphsvc.services.ingest import load
    from loaders.records import parse_record
    from loaders.sources import read_path
    from graphsvc.repository.ingest import BatchWriter

    settings = Settings(home=home, local_bolt_port=port)
    db = Database(settings)
    db.apply_schema()
    seconds: dict[str, float] = {}
    if profile:
        _timed(db, seconds)
    started = time.perf_counter()
    if mode == "batched":
        summary = load(db, read_path(path), batch_size=batch_size,
                       validate_in="thread" if validate_in == "thread" else "process")
        written = summary.written.total
        rejected = summary.rejected_records
    else:
        writer = BatchWriter(db)
        written = rejected = 0
        for raw in itertools.islice(read_path(path), sample):
            writer.write([parse_record(raw.data)])
            written += 1
    elapsed = time.perf_counter() - started
    cpu = os.times()
    db.close()
    result: dict[str, object] = {
        "mode": mode,
        "batch_size": batch_size if mode == "batched" else 1,
        "validate_in": validate_in if mode == "batched" else None,
        "records": written,
        "rejected": rejected,
        "seconds": round(elapsed, 2),
        "records_per_second": round(written / elapsed, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "validator_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        # this process and its children (the validating process, when there is one)
        "loader_cpu_seconds": round(cpu.user + cpu.system + cpu.children_user + cpu.children_system, 1),
    }
    if profile:
        result["profile_seconds"] = {k: round(v, 2) for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])}
    return result


def _run_child(path: Path, port: int, home: Path, mode: str, sample: int, batch_size: int,
               profile: bool, validate_in: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(port), str(home), mode, str(sample), str(batch_size),
         "1" if profile else "0", validate_in],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--naive-sample", type=int, default=5000)
    parser.add_argument("--heap-mib", type=int, default=4096)
    parser.add_argument("--pagecache-mib", type=int, default=4096)
    parser.add_argument("--batch-size", type=int, default=None,
                        help="records per transaction of the batched load (default: the loader's default)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive load (batch-size sweeps)")
    parser.add_argument("--profile", action="store_true",
                        help="time each statement and transaction of the batched load (profile_seconds)")
    parser.add_argument("--validate-in", choices=("process", "thread"), default="process",
                        help="where the batched load reads and validates (the loader's default: process)")
    parser.add_argument("--child", nargs=8)
    args = parser.parse_args()
    if args.child:
        path, port, home, mode, sample, batch_size, profile, validate_in = args.child
        print(json.dumps(_child(Path(path), int(port), Path(home), mode, int(sample), int(batch_size),
                                profile == "1", validate_in)))
        return

    from graphsvc.services.ingest import DEFAULT_BATCH

    batch_size = args.batch_size or DEFAULT_BATCH

    for people in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        path = register_file(people, args.seed)
        gen_seconds = time.perf_counter() - t0
        lines = sum(1 for _ in path.open("rb"))
        result: dict[str, object] = {"people": people, "records_in_file": lines,
                                     "file_mib": round(path.stat().st_size / 2**20, 1),
                                     "generate_seconds_if_not_cached": round(gen_seconds, 1)}
        result["load_average_before"] = round(os.getloadavg()[0], 2)
        for mode in ("batched",) if args.no_naive else ("batched", "naive"):
            with neo4j(heap_mib=args.heap_mib, pagecache_mib=args.pagecache_mib) as settings:
                result[mode] = _run_child(path, settings.local_bolt_port, settings.home, mode, args.naive_sample,
                                          batch_size, args.profile and mode == "batched", args.validate_in)
        result["load_average_after"] = round(os.getloadavg()[0], 2)
        if not args.no_naive:
            batched = result["batched"]["records_per_second"]  # type: ignore[index]
            naive = result["naive"]["records_per_second"]  # type: ignore[index]
            result["speedup"] = round(batched / naive, 1) if naive else None
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
