"""Bulk against transactional: ``graphsvc load --bulk`` and ``graphsvc load`` of the same register.

For each size it takes the synthetic register (cached in bench/out/, as load_bench.py), and for
each mode a fresh local Neo4j in a temporary folder (benchlib.neo4j), runs the CLI there as a
user would (the local default: no NEO4J_URI) and reports, from the command's JSON summary and
the kernel's accounting of the process: records/s, wall time to a ready service with identity
resolution (one full resolve) and without it (the same run, less the resolve's seconds), peak
memory of the loader process, of the importer JVM (bulk) and the largest of the command and its
children (the validating process, the importer). One JSON line per size and mode, with the
one-minute load average before and after (the machine may be shared).

    .venv/bin/python bench/bulk_load.py --sizes 10000,100000
    .venv/bin/python bench/bulk_load.py --sizes 1000000 --modes bulk
    .venv/bin/python bench/bulk_load.py --sizes 100000 --no-resolve

Results and the commands that produced them go in docs/benchmarks.md and docs/loading.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess  # nosec B404: runs graphsvc with fixed arguments
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import neo4j, register_file

ROOT = Path(__file__).resolve().parent.parent


def _run(settings: Any, args: list[str]) -> dict[str, Any]:
    """``graphsvc ARGS`` against the benchmark's local Neo4j; its JSON summary, wall time and the
    peak RSS the kernel kept for it and its children."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(GRAPHSVC_HOME=str(settings.home), GRAPHSVC_NEO4J_PORT=str(settings.local_bolt_port),
               GRAPHSVC_NEO4J_HEAP_MIB=str(settings.local_heap_mib),
               GRAPHSVC_NEO4J_PAGECACHE_MIB=str(settings.local_pagecache_mib),
               GRAPHSVC_NEO4J_LAUNCHER_DIR=str(settings.launcher_dir))
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        proc = subprocess.Popen([sys.executable, "-m", "graphsvc.cli", *args], env=env, cwd=ROOT,  # nosec B603
                                stdout=out_file, stderr=err_file, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    wall = time.perf_counter() - started
    if code not in (0, 1):
        raise SystemExit(f"graphsvc {' '.join(args)} failed ({code}):\n{err[-3000:]}")
    summary = json.loads(out[out.index("{"):])
    summary["wall_seconds"] = round(wall, 2)
    summary["stderr_tail"] = [line for line in err.splitlines() if line.startswith(("read ", "identity", "pattern"))]
    summary["peak_rss_mib_with_children"] = round(usage.ru_maxrss / 1024, 1)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", default="bulk,transactional")
    parser.add_argument("--heap-mib", type=int, default=2048, help="the local Neo4j's heap")
    parser.add_argument("--pagecache-mib", type=int, default=2048, help="the local Neo4j's page cache")
    parser.add_argument("--no-resolve", action="store_true", help="skip identity resolution in both modes")
    args = parser.parse_args()
    for people in (int(s) for s in args.sizes.split(",")):
        path = register_file(people, args.seed)
        lines = sum(1 for _ in path.open("rb"))
        for mode in args.modes.split(","):
            result: dict[str, Any] = {"people": people, "mode": mode, "records_in_file": lines,
                                      "load_average_before": round(os.getloadavg()[0], 2)}
            with neo4j(heap_mib=args.heap_mib, pagecache_mib=args.pagecache_mib) as settings:
                cli = ["load", *(["--bulk"] if mode == "bulk" else []), str(path), "--no-progress",
                       *(["--no-resolve"] if args.no_resolve else [])]
                s = _run(settings, cli)
            result["load_average_after"] = round(os.getloadavg()[0], 2)
            resolution = s.get("resolution") or {}
            # the resolve's own seconds in both modes (the bulk load's wall time of it also holds the
            # pattern state's rebuild, which a load without resolve pays too)
            resolve_s = float(resolution.get("seconds") or 0.0)
            state_s = float((s.get("pattern_state") or {}).get("seconds") or 0.0)
            written = int(s["written"])
            wall = s["wall_seconds"]
            result.update(
                written=written, rejected=s["rejected"], wall_seconds=wall,
                wall_seconds_without_resolve=round(wall - resolve_s, 2),
                records_per_second=round(written / wall, 1),
                records_per_second_without_resolve=round(written / (wall - resolve_s), 1),
                resolve_seconds=resolve_s, pattern_state_seconds=state_s,
                resolution=s.get("resolution", {}).get("status"),
                peak_rss_mib_with_children=s.get("peak_rss_mib_with_children"),
            )
            if mode == "bulk":
                result.update(phases=s["phases"], importer=s["importer"], loader_peak_rss_mib=s["loader_peak_rss_mib"],
                              nodes=s["nodes"], relationships=s["relationships"], fixups=s["fixups"])
            else:
                result.update(load_seconds=s["seconds"], load_records_per_second=s["records_per_second"])
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
