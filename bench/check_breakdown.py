"""Benchmark: where an intake check's time goes, on a register already loaded in the running
database. Timers around each part of ``services.check`` (no profiler, so the figures are not
inflated): the queries as the client sees them and as Neo4j reports them (its
``result_available_after + result_consumed_after``), the model's scoring, the perpetrator
objects and the top matches' summaries. Means per check over the truth file's probes, after 50
warm-up checks and :func:`graphsvc.services.warm_process` (as a gunicorn worker)::

    GRAPHSVC_HOME=... GRAPHSVC_NEO4J_PORT=... .venv/bin/python bench/check_breakdown.py \\
        --truth bench/out/register-1000000-1.truth.jsonl --probes 500
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--only", choices=("with-identifier", "without-identifier"),
                        help="only the probes whose subject has (or has no) phone, email, handle or vehicle")
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    from graphsvc import services
    from graphsvc.analysis import matching
    from graphsvc.config import Settings
    from graphsvc.graph.db import Database, _plain
    from graphsvc.graph.queries import query
    from graphsvc.services import intake

    probes = []
    with args.truth.open(encoding="utf-8") as handle:
        for line in handle:
            if '"kind":"check"' in line:
                probe = json.loads(line)
                has_id = any(probe["subject"].get(k) for k in ("phones", "emails", "handles", "vehicles"))
                if args.only and has_id != (args.only == "with-identifier"):
                    continue
                probes.append(probe)
                if len(probes) >= args.probes + 50:
                    break
    db = Database(Settings.from_env())
    spent: collections.defaultdict[str, float] = collections.defaultdict(float)
    rows_read: collections.Counter[str] = collections.Counter()  # rows each query returned

    def timed(owner: Any, name: str, label: str) -> None:
        inner = getattr(owner, name)

        def wrapper(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return inner(*a, **k)
            finally:
                spent[label] += time.perf_counter() - t

        setattr(owner, name, wrapper)

    timed(matching.LinkageScorer, "score_subject", "scoring (the linkage model)")
    # the names the check calls them by (graphsvc.services.intake imports them)
    timed(intake, "_perpetrators_from", "perpetrator objects")
    timed(intake, "_summary", "summaries of the top matches read from their records (fixation, flags)")
    timed(intake, "card_summary", "summaries of the top matches from the pattern state's check cards")

    def run_in(tx: Any, name: str, **params: Any) -> list[dict[str, Any]]:
        t = time.perf_counter()
        result = tx.run(query(name), params)
        rows = [_plain(r) for r in result]
        summary = result.consume()
        client = time.perf_counter() - t
        server = ((summary.result_available_after or 0) + (summary.result_consumed_after or 0)) / 1000
        spent["queries, as the client sees them"] += client
        spent["queries, Neo4j's own time"] += server
        spent[f"  {name}: client"] += client
        spent[f"  {name}: Neo4j"] += server
        rows_read[name] += len(rows)
        return rows

    db.run_in = run_in  # type: ignore[method-assign]
    for p in probes[:50]:
        services.check(db, p["subject"], complainant_id=p.get("complainant_id"))
    services.warm_process(db.settings)
    spent.clear()
    rows_read.clear()
    total = 0.0
    measured = probes[50:]
    for p in measured:
        t = time.perf_counter()
        services.check(db, p["subject"], complainant_id=p.get("complainant_id"))
        total += time.perf_counter() - t
    n = len(measured)
    out = {"checks": n, "check_ms_mean": round(total * 1000 / n, 2),
           "parts_ms_mean": {k: round(v * 1000 / n, 2) for k, v in spent.items()},
           "rows_per_check_mean": {k: round(v / n, 2) for k, v in rows_read.items()}}
    print(json.dumps(out, indent=2))
    db.close()


if __name__ == "__main__":
    main()
