"""Accuracy of the analyses on the synthetic register's ground truth, with check latencies.

Generates (or reuses, in bench/out/) a register of --people persons, starts a fresh local Neo4j
in a temporary folder, loads it, then measures:

* serial offenders: recall and precision of ``services.serial(min_victims=2)`` against the truth's
  ``serial`` entities (an entity is predicted serial when one of its person records is listed);
* the intake check: top-1 accuracy over the truth's probes that include at least one true
  identifier (and over all positive probes), and how often a probe of nobody gets a confident match;
* unidentified clusters: purity (share of clustered incidents whose true perpetrator is the
  cluster's majority perpetrator) and how many unidentified incidents were clustered;
* latency of the check (warm, p50/p99) next to the raw Cypher round trip of its identifier lookup.

    .venv/bin/python bench/analysis_accuracy.py --people 20000 --probes 500

Prints one JSON object; the figures go in docs/analysis.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchlib import link_as_truth, neo4j

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _all_serial(db: Any, services: Any, jobs: Any) -> list[dict[str, Any]]:
    """Every page of ``services.serial(min_victims=2)`` (the ranking kept in ``jobs``)."""
    listed: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = services.serial(db, min_victims=2, limit=200, cursor=cursor, jobs=jobs)
        listed += page["persons"]
        cursor = page["next_cursor"]
        if not cursor:
            return listed


def _has_identifier(s: dict[str, Any]) -> bool:
    return any(s.get(k) for k in ("phones", "emails", "handles", "vehicles"))


def _intake(db: Any, services: Any, probes: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """Top-1 accuracy of the intake check on the truth's probes, the confident rate on probes
    of nobody, and the check's latency."""
    positives = [p for p in probes if p["expected_person_ids"]][:n]
    negatives = [p for p in probes if not p["expected_person_ids"]][: max(50, n // 5)]
    hits: Counter[str] = Counter()
    latencies: list[float] = []
    services.check(db, positives[0]["subject"])  # warm
    for p in positives:
        t0 = time.perf_counter()
        res = services.check(db, p["subject"], complainant_id=p.get("complainant_id"))
        latencies.append((time.perf_counter() - t0) * 1000)
        top = res["matches"][0] if res["matches"] else None
        ids = {top["person_id"], *(r["person_id"] for r in top["same_person_records"])} if top else set()
        ok = bool(ids & set(p["expected_person_ids"]))
        hits["all"] += 1
        hits["all_ok"] += ok
        if _has_identifier(p["subject"]):
            hits["ident"] += 1
            hits["ident_ok"] += ok
    confident_neg = 0
    for p in negatives:
        res = services.check(db, p["subject"])
        confident_neg += bool(res["matches"] and res["matches"][0]["confident"])
    return {
        "probes_with_identifier": hits["ident"],
        "top1_with_identifier": round(hits["ident_ok"] / hits["ident"], 4) if hits["ident"] else None,
        "probes_all": hits["all"], "top1_all": round(hits["all_ok"] / hits["all"], 4) if hits["all"] else None,
        "negative_probes": len(negatives), "negative_confident_rate": round(confident_neg / max(1, len(negatives)), 4),
        "latency_ms_p50": round(statistics.median(latencies), 2), "latency_ms_p99": round(_pct(latencies, 0.99), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--heap-mib", type=int, default=1024)
    parser.add_argument("--pagecache-mib", type=int, default=512)
    parser.add_argument("--scorer", choices=("model", "deterministic"), default=None,
                        help="the intake check's scorer (GRAPHSVC_CHECK_SCORER); default: the service's default")
    args = parser.parse_args()
    import os

    if args.scorer:
        os.environ["GRAPHSVC_CHECK_SCORER"] = args.scorer
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)

    from graphsvc import services
    from graphsvc.graph.db import Database
    from graphsvc.synthetic import generate_register, truth_path_for
    from graphsvc.services.ingest import load
    from loaders.sources import read_path

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"register-{args.people}-{args.seed}.jsonl"
    if not path.exists():
        generate_register(people=args.people, seed=args.seed, out=path, progress=False)
    entities: list[dict[str, Any]] = []
    probes: list[dict[str, Any]] = []
    with truth_path_for(path).open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("kind") == "entity":
                entities.append(row)
            elif row.get("kind") == "check":
                probes.append(row)

    result: dict[str, Any] = {"people": args.people, "seed": args.seed}
    with neo4j(heap_mib=args.heap_mib, pagecache_mib=args.pagecache_mib) as settings:
        db = Database(settings)
        db.apply_schema()
        # the register-wide jobs' cache, as the CLI builds it: pages after the first come from it
        jobs = services.JobCache(ttl_s=settings.pattern_cache_s, wait_s=None)
        t0 = time.perf_counter()
        summary = load(db, read_path(path), batch_size=2000)
        result["load_seconds"] = round(time.perf_counter() - t0, 1)
        result["records"] = summary.written.total

        # serial offenders
        entity_of = {pid: e["entity_id"] for e in entities for pid in e["person_ids"]}
        truth_serial = {e["entity_id"] for e in entities if e.get("serial")}
        t0 = time.perf_counter()
        listed = _all_serial(db, services, jobs)
        serial_seconds = time.perf_counter() - t0
        predicted = {entity_of.get(p) for row in listed for p in row.get("person_ids", [row["person_id"]])} - {None}
        tp = len(predicted & truth_serial)
        result["serial"] = {
            "true_serial_entities": len(truth_serial), "predicted_entities": len(predicted),
            "recall": round(tp / len(truth_serial), 4) if truth_serial else None,
            "precision": round(tp / len(predicted), 4) if predicted else None,
            "seconds_all_pages": round(serial_seconds, 2), "rows": len(listed),
        }

        first_page = time.perf_counter()
        services.serial(db, min_victims=2, limit=50, jobs=jobs)
        result["serial"]["cached_page_ms"] = round((time.perf_counter() - first_page) * 1000, 1)

        # the same, seeing through the proposals graphsvc resolve itself writes (unreviewed
        # proposals at or above the link threshold count, marked as such): what the register
        # gives before any human review
        from graphsvc.services.resolution import load_model, resolve_all

        resolved = resolve_all(db, load_model(settings), actor="bench", purpose="accuracy benchmark")
        listed = _all_serial(db, services, jobs)
        predicted = {entity_of.get(p) for row in listed for p in row.get("person_ids", [row["person_id"]])} - {None}
        tp = len(predicted & truth_serial)
        result["serial_with_resolve_proposals"] = {
            "resolve_seconds": resolved["seconds"], "links": resolved["links"], "predicted_entities": len(predicted),
            "recall": round(tp / len(truth_serial), 4) if truth_serial else None,
            "precision": round(tp / len(predicted), 4) if predicted else None,
        }
        result["intake_after_resolve"] = _intake(db, services, probes, args.probes)
        db.execute("MATCH ()-[r:POSSIBLY_SAME_AS]->() DELETE r")

        # the same, seeing through identity links: confirmed links between the truth's records
        # of one human (an oracle for what graphsvc resolve plus human review would give)
        links = link_as_truth(db, entities)
        t0 = time.perf_counter()
        listed = _all_serial(db, services, jobs)
        predicted = {entity_of.get(p) for row in listed for p in row.get("person_ids", [row["person_id"]])} - {None}
        tp = len(predicted & truth_serial)
        result["serial_with_confirmed_links"] = {
            "links": links, "predicted_entities": len(predicted),
            "recall": round(tp / len(truth_serial), 4) if truth_serial else None,
            "precision": round(tp / len(predicted), 4) if predicted else None,
            "seconds_all_pages": round(time.perf_counter() - t0, 2),
        }
        top = listed[0]["person_id"] if listed else None
        if top:
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                fx = services.fixation(db, top)
                times.append(round((time.perf_counter() - t0) * 1000, 1))
            result["fixation_top_offender"] = {"person_id": top, "victims": len(fx["victims"]),
                                               "incidents": sum(v["incident_count"] for v in fx["victims"]),
                                               "ms_first": times[0], "ms_warm_median": statistics.median(times[1:])}

        # intake check (no identity links in the graph at this point: the truth's were removed)
        db.execute("MATCH ()-[r:POSSIBLY_SAME_AS]->() DELETE r")
        result["check"] = _intake(db, services, probes, args.probes)
        raw: list[float] = []
        from graphsvc.analysis.matching import normalise_subject
        from graphsvc.repository import persons as person_reads
        for p in [p for p in probes if p["expected_person_ids"]][: args.probes]:
            norm = normalise_subject(p["subject"])
            t0 = time.perf_counter()
            person_reads.persons_by_identifiers(db, norm)
            raw.append((time.perf_counter() - t0) * 1000)
        result["check"]["raw_identifier_lookup_ms_p50"] = round(statistics.median(raw), 2) if raw else None
        result["check"]["raw_identifier_lookup_ms_p99"] = round(_pct(raw, 0.99), 2) if raw else None

        # unidentified clusters
        perp_of = {i: e["entity_id"] for e in entities for i in e.get("unidentified_incident_ids") or []}
        t0 = time.perf_counter()
        clusters: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = services.unidentified(db, limit=200, cursor=cursor, jobs=jobs)
            clusters += page["clusters"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        cluster_seconds = time.perf_counter() - t0
        clustered = majority = 0
        for c in clusters:
            owners = Counter(perp_of.get(i) for i in c["incident_ids"])
            clustered += len(c["incident_ids"])
            majority += owners.most_common(1)[0][1]
        result["clusters"] = {
            "clusters": len(clusters), "clustered_incidents": clustered,
            "unidentified_incidents_in_truth": len(perp_of),
            "purity": round(majority / clustered, 4) if clustered else None,
            "seconds_all_pages": round(cluster_seconds, 2),
        }
        db.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
