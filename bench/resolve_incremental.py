"""Latency of incremental resolution of one person against the register in Neo4j.

Usage (against a loaded register, e.g. ``graphsvc generate --people 10000 --seed 1 --out r.jsonl``
then ``graphsvc load r.jsonl``)::

    .venv/bin/python bench/resolve_incremental.py --queries 200 --seed 7

Each query is ``graphsvc.services.resolution.resolve_persons(db, [one random person id], model)``: the
person read, candidates fetched by blocking keys (Cypher), scored in-process, links written,
stale proposals checked and the combination audited. Prints a JSON summary (milliseconds).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from graphsvc.config import Settings
from graphsvc.graph.db import Database
from graphsvc.services.resolution import load_model, resolve_persons


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    settings = Settings.from_env()
    with Database(settings) as db:
        ids = [r["id"] for r in db.execute("MATCH (p:Person) WHERE p.placeholder IS NULL RETURN p.id AS id")]
        loaded = load_model(settings)
        rng = random.Random(args.seed)
        sample = rng.sample(ids, min(args.queries, len(ids)))
        resolve_persons(db, sample[:1], loaded)  # warm: model compiled, driver pool open
        times, cands, links = [], [], 0
        for pid in sample:
            t0 = time.perf_counter()
            out = resolve_persons(db, [pid], loaded)
            times.append(1000 * (time.perf_counter() - t0))
            cands.append(out["candidates"])
            links += out["links"]
    times.sort()
    q = statistics.quantiles(times, n=100)
    print(json.dumps({"register_persons": len(ids), "queries": len(times), "p50_ms": round(q[49], 1),
                      "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1), "max_ms": round(times[-1], 1),
                      "mean_candidates": round(statistics.mean(cands), 1), "max_candidates": max(cands),
                      "links_written_or_refreshed": links}, indent=2))


if __name__ == "__main__":
    main()
