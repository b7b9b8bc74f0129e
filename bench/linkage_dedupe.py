"""Benchmark: dedupe a synthetic person register (time, peak RSS, accuracy against truth).

Uses ``graphsvc.synthetic.generate_register`` (the project's generator, with its ground truth)
when it is importable, else the quick noisy generator in ``graphsvc.linkage.synth``. Records go
through the loader's validation (``loaders.records.parse_record``) so they are normalised
exactly as the graph stores them. All data is synthetic.

Usage (one size per process, so peak RSS is that size's own):
    .venv/bin/python bench/linkage_dedupe.py --records 100000 [--threads 2] [--memory-limit 3GB]
    .venv/bin/python bench/linkage_dedupe.py --records 1000000 --generator quick
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import collections
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _quick(records: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, str], str]:
    from graphsvc.linkage.synth import generate_persons

    recs, truth = generate_persons(int(records / 1.5), seed=seed)
    return recs, truth, "graphsvc.linkage.synth"


def _register(
    records: int, seed: int, generator: str = "project"
) -> tuple[list[dict[str, Any]], dict[str, str], str]:
    if generator == "quick":
        return _quick(records, seed)
    try:
        from graphsvc.synthetic import generate_register, truth_path_for
    except ImportError:
        return _quick(records, seed)
    from graphsvc.linkage.records import from_contract_person
    from loaders.records import parse_record

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "register.jsonl"
        generate_register(records, seed, out)
        persons = []
        with open(out, encoding="utf-8") as f:
            for line in f:
                if '"kind":"person"' not in line:
                    continue
                rec = parse_record(json.loads(line))
                persons.append(from_contract_person(rec.model_dump()))
        truth: dict[str, str] = {}
        with open(truth_path_for(out), encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                if doc.get("kind") == "entity":
                    for pr in doc.get("person_records") or ():
                        truth[pr["id"]] = doc["entity_id"]
    return persons, truth, "graphsvc.synthetic.generate_register"


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(name: str, seconds: float) -> None:
    print(f"[{name}] {seconds:.1f} s, peak RSS {_rss_mib():.0f} MiB", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default="3GB")
    ap.add_argument("--train-sample", type=int, default=100_000)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--generator", choices=("project", "quick"), default="project",
                    help="project: graphsvc.synthetic (slow to generate at 1M); quick: linkage.synth")
    args = ap.parse_args()

    from graphsvc.linkage import cluster_pairs, predict_pairs, prepare_persons, train_model
    from graphsvc.linkage.evaluation import pair_accuracy

    t0 = time.perf_counter()
    persons, truth, generator = _register(args.records, args.seed, args.generator)
    t_gen = time.perf_counter() - t0
    _phase("generate", t_gen)
    rss_after_gen = _rss_mib()

    t = time.perf_counter()
    frame = prepare_persons(persons)
    del persons
    t_prep = time.perf_counter() - t
    _phase("prepare", t_prep)

    t = time.perf_counter()
    model = train_model(frame, seed=args.seed, sample_size=args.train_sample,
                        max_pairs_for_u=1_000_000)
    t_train = time.perf_counter() - t
    _phase("train", t_train)

    t = time.perf_counter()
    pairs = predict_pairs(model, frame, threshold=args.threshold,
                          memory_limit=args.memory_limit, threads=args.threads)
    t_pred = time.perf_counter() - t
    _phase("predict", t_pred)

    t = time.perf_counter()
    clusters = cluster_pairs(pairs, args.threshold)
    t_clu = time.perf_counter() - t
    _phase("cluster", t_clu)

    groups: dict[str, list[str]] = collections.defaultdict(list)
    for rid, key in truth.items():
        groups[key].append(rid)
    true_pairs = [(a, b) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1:]]
    links = pairs[pairs["link_rule_passed"]]
    acc_links = pair_accuracy(zip(links["unique_id_l"], links["unique_id_r"]), true_pairs)
    acc_raw = pair_accuracy(zip(pairs["unique_id_l"], pairs["unique_id_r"]), true_pairs)
    clustered = [(c[i], c[j]) for c in clusters for i in range(len(c)) for j in range(i + 1, len(c))]
    acc_clusters = pair_accuracy(clustered, true_pairs)
    total = t_prep + t_train + t_pred + t_clu
    print(json.dumps({
        "records": len(frame), "generator": generator, "threads": args.threads,
        "memory_limit": args.memory_limit, "train_sample": min(args.train_sample, len(frame)),
        "seconds": {"generate_excluded": round(t_gen, 1), "prepare": round(t_prep, 1),
                    "train": round(t_train, 1), "predict": round(t_pred, 1),
                    "cluster": round(t_clu, 1), "total_linkage": round(total, 1)},
        "peak_rss_mib": round(_rss_mib(), 0), "rss_after_generate_mib": round(rss_after_gen, 0),
        "pairs_above_threshold": len(pairs), "links": len(links), "clusters": len(clusters),
        "true_pairs": len(true_pairs),
        "accuracy_links": str(acc_links), "accuracy_probability_only": str(acc_raw),
        "accuracy_clusters": str(acc_clusters),
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
