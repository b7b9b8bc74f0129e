"""Benchmark: when a load should resolve its persons incrementally and when with one full
resolve (issue 23, "the load's own identity resolution takes the slow path").

For each register size, a fresh local Neo4j is loaded with the generator's register (no
resolution), then, on the same register in the same run: ``--sample`` persons resolved
incrementally (:func:`graphsvc.services.resolution.resolve_persons`, in one call as a load's
chunks are), then the whole register resolved once (:func:`resolve_all`). Printed per size:
seconds per person incremental, the full resolve's seconds, and the crossover: how many persons
written make the incremental path slower than one full resolve::

    python bench/resolve_crossover.py --people 2000 20000 --sample 300

``--existing`` measures the register already loaded in the database the environment names
instead (no fresh Neo4j, nothing loaded; the full resolve writes its links there).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import neo4j


def _measure(db: Any, sample: int, seed: int) -> dict[str, Any]:
    from graphsvc.services import resolution as resolve

    ids = [r["id"] for r in db.execute("MATCH (p:Person) WHERE p.placeholder IS NULL RETURN p.id AS id ORDER BY id")]
    chosen = random.Random(seed).sample(ids, min(sample, len(ids)))
    loaded = resolve.load_model(db.settings)
    t0 = time.perf_counter()
    inc = resolve.resolve_persons(db, chosen, loaded, purpose="crossover benchmark (incremental)")
    inc_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    full = resolve.resolve_all(db, loaded, purpose="crossover benchmark (full)", memory_limit=db.settings.resolve_memory)
    full_s = time.perf_counter() - t0
    per = inc_s / len(chosen)
    return {"persons": len(ids), "sample": len(chosen), "incremental_s": round(inc_s, 2),
            "incremental_ms_per_person": round(1000 * per, 2), "incremental_candidates": inc.get("candidates"),
            "full_s": round(full_s, 2), "full_ms_per_person": round(1000 * full_s / len(ids), 3),
            "full_links": full.get("links"),
            "crossover_persons": int(full_s / per), "crossover_fraction": round(full_s / per / len(ids), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, nargs="*", default=[2000, 20000])
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--existing", action="store_true")
    args = parser.parse_args()

    from graphsvc.config import Settings
    from graphsvc.graph.db import Database
    from graphsvc.services.ingest import load
    from graphsvc.synthetic import generate_register
    from loaders.sources import read_path

    results = []
    if args.existing:
        with Database(Settings.from_env()) as db:
            results.append(_measure(db, args.sample, args.seed))
    for people in [] if args.existing else args.people:
        with tempfile.TemporaryDirectory() as tmp, neo4j(heap_mib=1024, pagecache_mib=512) as settings:
            path = Path(tmp) / "register.jsonl"
            generate_register(people=people, seed=args.seed, out=path)
            with Database(settings) as db:
                db.apply_schema()
                t0 = time.perf_counter()
                load(db, read_path(path))
                loaded_s = time.perf_counter() - t0
                row = _measure(db, args.sample, args.seed)
                row["load_s"] = round(loaded_s, 1)
                results.append(row)
        print(json.dumps(results[-1]), flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
