"""Benchmark: the analyses on a large register already loaded in the running local database.

Issue 3's targets at 1M people: intake check p50 <= 10 ms and p99 <= 50 ms (warm), fixation of an
offender with 50 victims and 5,000 incidents <= 100 ms (``bench/fixation_heavy.py`` adds him),
the unidentified-cluster job <= 60 s; each next to the raw Cypher round trip of the same lookup,
in the same run. Load the register first, then::

    export GRAPHSVC_HOME=/tmp/gs-1m GRAPHSVC_NEO4J_PORT=7702
    .venv/bin/graphsvc db start
    .venv/bin/graphsvc load bench/out/register-1000000-1.jsonl
    .venv/bin/python bench/analysis_scale.py --truth bench/out/register-1000000-1.truth.jsonl

Check subjects are the truth file's probes (``kind: check``). "raw" for the check is the
candidate lookup alone (identifiers, names, dates of birth, then the candidates' details: the
queries the check sends, in one read transaction, no scoring or summaries); for the cluster job,
the register-wide ``list_unidentified_edges`` read. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import check_probes, percentile, process_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _stats(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "p90": round(percentile(values, 0.9), 2),
            "p99": round(percentile(values, 0.99), 2), "n": len(values)}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--skip", nargs="*", default=[], choices=("check", "clusters", "serial"))
    args = parser.parse_args()
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)
    from graphsvc import services
    from graphsvc.analysis.matching import lucene_query, name_initials, normalise_subject
    from graphsvc.config import Settings
    from graphsvc.graph.db import Database
    from graphsvc.repository import candidates as candidate_reads
    from graphsvc.repository import incidents as incident_reads

    from graphsvc.graph import localdb

    settings = Settings.from_env()
    db = Database(settings)
    neo4j_pid = localdb.status(settings).pid  # None when the database is not the local one
    result: dict[str, Any] = {
        "persons": db.execute("MATCH (p:Person) RETURN count(p) AS n")[0]["n"],
        "incidents": db.execute("MATCH (i:Incident) RETURN count(i) AS n")[0]["n"],
        "identity_links": db.execute("MATCH ()-[r:POSSIBLY_SAME_AS]->() RETURN count(r) AS n")[0]["n"],
    }

    if "check" not in args.skip:
        probes = check_probes(args.truth, args.probes)
        for p in probes[:50]:  # warm: plans compiled, pages cached
            services.check(db, p["subject"], complainant_id=p.get("complainant_id"))
        services.warm_process(db.settings)  # as each gunicorn worker does after start-up (gunicorn.conf.py)
        check_ms: list[float] = []
        raw_ms: list[float] = []
        top1 = positives = 0
        top1_id = positives_id = 0  # probes that carry an identifier (issue 3's accuracy case)
        scorer = None
        searched: dict[str, int] = {}  # probes per "searched" answer (what the candidates were read by)
        threshold = settings.link_threshold
        neo4j_cpu = own_cpu = 0.0  # CPU seconds spent during the checks (Neo4j's process, this one)
        for p in probes:
            neo4j_cpu -= process_cpu_seconds(neo4j_pid) if neo4j_pid else 0.0
            own_cpu -= _own_cpu()
            t0 = time.perf_counter()
            res = services.check(db, p["subject"], complainant_id=p.get("complainant_id"))
            check_ms.append((time.perf_counter() - t0) * 1000)
            own_cpu += _own_cpu()
            neo4j_cpu += process_cpu_seconds(neo4j_pid) if neo4j_pid else 0.0
            scorer = res.get("scorer")
            if p["expected_person_ids"]:
                positives += 1
                top = res["matches"][0] if res["matches"] else None
                ids = {top["person_id"], *(r["person_id"] for r in top["same_person_records"])} if top else set()
                hit = bool(ids & set(p["expected_person_ids"]))
                top1 += hit
                if any(p["subject"].get(k) for k in ("phones", "emails", "handles", "vehicles")):
                    positives_id += 1
                    top1_id += hit
            norm = normalise_subject(p["subject"])
            names = [n for n in (norm["given_name"], norm["family_name"], *norm["aliases"]) if n]
            dobs = [norm["dob"]] if norm["dob"] else []
            if "names" not in res["searched"] and "dob" not in res["searched"]:
                names, dobs = [], []  # the check read the identifiers' persons only: so does the raw lookup
            searched[",".join(res["searched"])] = searched.get(",".join(res["searched"]), 0) + 1
            t0 = time.perf_counter()
            candidate_reads.check_candidates(db, norm, lucene_query(names), dobs, p.get("complainant_id"), threshold,
                                  initials=name_initials(norm))
            raw_ms.append((time.perf_counter() - t0) * 1000)
        result["check"] = {"ms": _stats(check_ms), "raw_candidate_lookup_ms": _stats(raw_ms),
                           "overhead_ratio_p50": round(statistics.median(check_ms) / statistics.median(raw_ms), 2),
                           "top1_positive_probes": round(top1 / positives, 4) if positives else None,
                           "positive_probes": positives,
                           "top1_positive_probes_with_identifier": round(top1_id / positives_id, 4) if positives_id else None,
                           "positive_probes_with_identifier": positives_id, "scorer": scorer,
                           "searched": searched,
                           # what one check costs the machine: the sum must fit in the cores for a throughput
                           "cpu_ms_per_check": {"neo4j": round(neo4j_cpu * 1000 / len(probes), 1) if neo4j_pid else None,
                                                "python": round(own_cpu * 1000 / len(probes), 1)}}

    # the register-wide jobs' cache, as the CLI builds it: cleared before each timed first page
    jobs = services.JobCache(ttl_s=settings.pattern_cache_s, wait_s=None)

    def section(name: str, run: Any) -> None:
        try:
            run()
        except Exception as exc:  # a benchmark reports what failed and goes on
            result[name] = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps({name: result.get(name)}), file=sys.stderr, flush=True)

    def clusters() -> None:
        t0 = time.perf_counter()
        edges = incident_reads.unidentified_edges(db)
        raw_s = time.perf_counter() - t0
        jobs.clear()
        t0 = time.perf_counter()
        first = services.unidentified(db, limit=50, jobs=jobs)
        job_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        services.unidentified(db, limit=50, jobs=jobs)
        cached_s = time.perf_counter() - t0
        result["clusters"] = {"job_seconds_first_page": round(job_s, 2), "raw_edges_read_seconds": round(raw_s, 2),
                              "edges": len(edges), "cached_page_seconds": round(cached_s, 3),
                              "clusters_on_first_page": len(first["clusters"])}

    def serial() -> None:
        jobs.clear()
        t0 = time.perf_counter()
        page = services.serial(db, min_victims=2, limit=50, jobs=jobs)
        result["serial"] = {"first_page_seconds": round(time.perf_counter() - t0, 2),
                            "listed_on_first_page": len(page["persons"])}

    if "clusters" not in args.skip:
        section("clusters", clusters)
    if "serial" not in args.skip:
        section("serial", serial)
    db.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
