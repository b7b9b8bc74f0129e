"""Latency that automatic identity resolution adds to ``POST /records``.

Starts a fresh local Neo4j in a temporary folder (as bench/analysis_accuracy.py does), loads
bench/out/register-20000-1.jsonl (generated with ``graphsvc generate --people 20000 --seed 1``
when missing), runs a full ``resolve_all`` with the default model, then times ``POST
/api/v1/records`` through the Flask test client (key check, validation, the write, its audit
entries and, when on, ``resolve_persons`` on the batch's persons) with ``AUTO_RESOLVE`` on and
off, alternating, for batches of 1 and of 100 new person records. Each new record is another
agency's copy of a random register person (new id, source ``BENCH``, given name sometimes
shortened), so most batches do propose links, as a real second agency's records would.

    .venv/bin/python bench/resolve_auto_latency.py --single 60 --hundred 10

Prints one JSON object (milliseconds); the figures go in docs/identity-resolution.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import neo4j

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"n": len(ordered), "p50": round(statistics.median(ordered), 1), "p90": pct(0.9),
            "max": round(ordered[-1], 1), "mean": round(statistics.mean(ordered), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--single", type=int, default=60, help="1-person POSTs per mode")
    parser.add_argument("--hundred", type=int, default=10, help="100-person POSTs per mode")
    parser.add_argument("--heap-mib", type=int, default=1024)
    parser.add_argument("--pagecache-mib", type=int, default=512)
    args = parser.parse_args()
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)

    from graphsvc.security import keys as auth
    from graphsvc.services import resolution as resolve
    from graphsvc.app import create_app
    from graphsvc.graph.db import Database
    from graphsvc.synthetic import generate_register
    from graphsvc.services.ingest import load
    from loaders.sources import read_path

    path = OUT / f"register-{args.people}-{args.seed}.jsonl"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        generate_register(people=args.people, seed=args.seed, out=path, progress=False)
    persons: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("kind") == "person":
                persons.append(row)

    result: dict[str, Any] = {"register": str(path.relative_to(ROOT)), "person_records": len(persons)}
    with neo4j(heap_mib=args.heap_mib, pagecache_mib=args.pagecache_mib) as settings:
        db = Database(settings)
        db.apply_schema()
        t0 = time.perf_counter()
        summary = load(db, read_path(path), batch_size=2000)
        result["load_seconds"] = round(time.perf_counter() - t0, 1)
        result["records"] = summary.written.total
        full = resolve.resolve_all(db, resolve.load_model(settings))
        result["full_resolve"] = {k: full[k] for k in ("persons", "links", "seconds", "model")}

        key = auth.create_key(db, role="case_system", name="bench-autoresolve")[0]
        app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": settings, "JSON_LOGS": False,
                          "RATE_LIMIT_PER_S": 1e6, "RATE_LIMIT_BURST": 1_000_000})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {key}", "X-Purpose": "bench"}
        rng = random.Random(7)
        counter = iter(range(10**9))

        def batch(size: int) -> list[dict[str, Any]]:
            out = []
            for original in rng.sample(persons, size):
                copy = {**original, "id": f"BENCH-P-{next(counter)}", "source": "BENCH"}
                if copy.get("given_name") and rng.random() < 0.3:
                    copy["given_name"] = copy["given_name"][:4]
                out.append(copy)
            return out

        def post(records: list[dict[str, Any]], auto: bool) -> tuple[float, dict[str, Any]]:
            app.config["AUTO_RESOLVE"] = auto
            t = time.perf_counter()
            res = client.post("/api/v1/records", json=records, headers=headers)
            ms = 1000 * (time.perf_counter() - t)
            if res.status_code != 200:
                raise SystemExit(f"POST failed: {res.status_code} {res.get_data(as_text=True)[:500]}")
            return ms, res.get_json()["resolution"]

        post(batch(1), True)  # warm: model loaded, key verified and cached, driver pool open
        post(batch(1), False)
        for size, reps in ((1, args.single), (100, args.hundred)):
            times: dict[bool, list[float]] = {True: [], False: []}
            inner: list[float] = []
            links = persons_with = 0
            for _ in range(reps):
                for auto in (False, True):
                    ms, res = post(batch(size), auto)
                    times[auto].append(ms)
                    if auto:
                        inner.append(res["ms"])
                        links += res["links"]
                        persons_with += res["persons"]
            off, on = _stats(times[False]), _stats(times[True])
            result[f"batch_{size}"] = {
                "auto_resolve_off_ms": off, "auto_resolve_on_ms": on,
                "added_p50_ms": round(on["p50"] - off["p50"], 1),
                "resolution_ms_inside_request": _stats(inner),
                "links_proposed_per_batch_mean": round(links / max(1, reps), 1),
                "persons_resolved": persons_with,
            }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
