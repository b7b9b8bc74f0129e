"""Benchmark: the intake check's candidate lookup on a database just started, when Neo4j's plan
cache is empty (issue #19: the check's p99). Run it right after a restart, then again warm::

    graphsvc db stop && graphsvc db start
    GRAPHSVC_HOME=... GRAPHSVC_NEO4J_PORT=... .venv/bin/python bench/check_cold.py \\
        --truth bench/out/register-20000-1.truth.jsonl --probes 400

Each of the generator's check probes is looked up twice through
:func:`graphsvc.repository.candidates.check_candidates`, as the check makes its two reads: by its
identifiers alone, then by its names and dates of birth as well. Neo4j caches a plan per query
text and parameter types; this shows what planning on first sight costs the first answers.
Prints the lookups' wall times: the first 20, the mean, the median, p99 and how many took over
100 ms.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from pathlib import Path

from benchlib import check_probes, percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--probes", type=int, default=400)
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    from graphsvc.analysis.matching import lucene_query, name_initials, normalise_subject
    from graphsvc.config import Settings
    from graphsvc.graph.db import Database
    from graphsvc.repository import candidates

    probes = check_probes(args.truth, args.probes)
    db = Database(Settings.from_env())
    threshold = db.settings.link_threshold
    took: list[float] = []
    for p in probes:
        norm = normalise_subject(p["subject"])
        names = [n for n in (norm["given_name"], norm["family_name"], *norm["aliases"]) if n]
        dobs = [norm["dob"]] if norm["dob"] else []
        for lucene, days in ((None, []), (lucene_query(names), dobs)):
            t = time.perf_counter()
            candidates.check_candidates(db, norm, lucene, days, p.get("complainant_id"), threshold,
                                        initials=name_initials(norm))
            took.append((time.perf_counter() - t) * 1000)
    db.close()
    print(json.dumps({"lookups": len(took), "first_20_ms_mean": round(statistics.mean(took[:20]), 1),
                      "ms_mean": round(statistics.mean(took), 1), "ms_p50": round(statistics.median(took), 1),
                      "ms_p99": round(percentile(took, 0.99), 1), "over_100_ms": sum(t > 100 for t in took)}))


if __name__ == "__main__":
    main()
