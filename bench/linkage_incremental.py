"""Benchmark: latency to score ONE new record against a register, without a re-run.

Register: synthetic persons (``graphsvc.synthetic.generate_register`` when importable, else
``graphsvc.linkage.synth``); new records: noisy copies (typos, nicknames, transposed dates,
dropped or changed identifiers) of randomly chosen register persons, so each has a true match.
Scenarios:

* warm: one ``Register`` over the whole register (blocking-key index), ``score`` per record;
* candidates: per record, the register persons sharing a blocking key (what the graph would be
  asked for) are passed to ``score_new_record`` (register set-up included in the latency);
* splink: the same candidates through Splink's ``find_matches_to_new_records`` (reference).

Usage: .venv/bin/python bench/linkage_incremental.py [--records 20000] [--queries 1000]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_dedupe import _register  # noqa: E402


def _stats(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    q = statistics.quantiles(ms, n=100) if len(ms) >= 2 else ms * 99
    return {"n": len(ms), "p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2),
            "p99_ms": round(q[98], 2), "max_ms": round(ms[-1], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--splink-queries", type=int, default=20)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()

    import random

    from graphsvc.linkage import Register, blocking_keys, default_model, score_new_record
    from graphsvc.linkage.fastscore import candidate_index
    from graphsvc.linkage.records import prepare_person
    from graphsvc.linkage.synth import _noisy

    persons, truth, generator = _register(args.records, args.seed)
    register = persons
    rng = random.Random(args.seed)
    queries = []
    for i, p in enumerate(rng.sample(register, args.queries)):
        base = {k: p.get(k) or ([] if k in ("phones", "emails", "handles", "vehicles",
                                            "postcodes", "aliases") else None)
                for k in ("given_name", "family_name", "aliases", "dob", "gender", "phones",
                          "emails", "handles", "vehicles", "postcodes")}
        if base["dob"] is None or base["given_name"] is None or base["family_name"] is None:
            continue
        q = _noisy(rng, base)
        q.update(id=f"Q-{i}", source="NEW", truth=p["id"])
        queries.append(q)
    model = default_model()

    t = time.perf_counter()
    warm = Register(model, register, compare_all=False)
    setup_s = time.perf_counter() - t
    warm.score(queries[0])
    warm_ms = []
    hits = 0
    for q in queries:
        t = time.perf_counter()
        res = warm.score(q, min_probability=0.5, limit=5)
        warm_ms.append((time.perf_counter() - t) * 1000)
        hits += bool(res) and res[0].id_l == q["truth"]

    rows = [prepare_person(p) for p in register]
    index = candidate_index(rows)
    cand_ms, cand_sizes = [], []
    splink_ms = []
    for n, q in enumerate(queries):
        seen: set[int] = set()
        for k in blocking_keys(prepare_person(q)):
            seen.update(index.get(k, ()))
        cands = [register[i] for i in sorted(seen)]
        cand_sizes.append(len(cands))
        t = time.perf_counter()
        score_new_record(model, q, cands)
        cand_ms.append((time.perf_counter() - t) * 1000)
        if n < args.splink_queries and cands:
            reg = Register(model, cands, engine="splink")
            t = time.perf_counter()
            reg.score(q)
            splink_ms.append((time.perf_counter() - t) * 1000)
            reg.close()

    print(json.dumps({
        "generator": generator, "register_records": len(register),
        "warm_register_setup_s": round(setup_s, 2),
        "warm": _stats(warm_ms), "queries": len(queries), "top_match_is_the_source_record": hits,
        "candidates": _stats(cand_ms),
        "candidate_set_size": {"mean": round(statistics.mean(cand_sizes), 1),
                               "max": max(cand_sizes)},
        "splink_find_matches": _stats(splink_ms) if splink_ms else None,
    }))


if __name__ == "__main__":
    main()
