"""Benchmark: what keeping the pattern state costs a load, against the same load by the code
before it (a git worktree of an earlier commit), alternately in one run.

Each load is ``graphsvc load FILE --no-resolve`` into a fresh local Neo4j of its own: with the
state, every batch also writes its outbox entry and the load ends by building the state (a
rebuild: the first load of an empty register); without, neither. Runs go A B A B (baseline,
state, ...) so drift on a shared machine falls on both::

    git worktree add /tmp/graphsvc-before 2afd1e1
    .venv/bin/python bench/state_load_cost.py --register bench/out/register-100000-1.jsonl \\
        --before /tmp/graphsvc-before --rounds 2

Results are in docs/pattern-state.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchlib import neo4j

ROOT = Path(__file__).resolve().parent.parent


def _load(tree: Path, register: Path) -> dict[str, float]:
    with neo4j(heap_mib=2048, pagecache_mib=2048) as settings:
        env = {**os.environ, "PYTHONPATH": str(tree), "GRAPHSVC_HOME": str(settings.home),
               "GRAPHSVC_NEO4J_PORT": str(settings.local_bolt_port)}
        env.pop("NEO4J_URI", None)
        load1 = os.getloadavg()[0]
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "graphsvc.cli", "load", str(register), "--no-resolve",
                              "--no-progress"], env=env, cwd=tree, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if out.returncode not in (0, 1):  # 1: some records rejected (the 100k register has 3)
            raise SystemExit(f"load from {tree} failed:\n{out.stderr[-2000:]}")
        summary = json.loads(out.stdout)
        return {"seconds": round(seconds, 1), "load_seconds": summary["seconds"],
                "state_seconds": (summary.get("pattern_state") or {}).get("seconds"),
                "records": summary["written"], "rejected": summary["rejected"], "load_avg_before": round(load1, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--register", type=Path, required=True)
    parser.add_argument("--before", type=Path, required=True, help="a worktree of the commit before the state")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"before": [], "state": []}
    for _ in range(args.rounds):
        for name, tree in (("before", args.before), ("state", ROOT)):
            runs[name].append(_load(tree, args.register.resolve()))
            print(name, runs[name][-1], file=sys.stderr, flush=True)
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    print(json.dumps({"runs": runs, "median_seconds": med, "ratio": round(med["state"] / med["before"], 3)},
                     indent=2, default=lambda o: dataclasses.asdict(o)))


if __name__ == "__main__":
    main()
