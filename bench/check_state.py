"""Benchmark: the intake check reading its matches' summaries from the pattern state's check
cards, against the same check reading their records, on the register in the running database
(issue #19, item 3)::

    GRAPHSVC_HOME=... GRAPHSVC_NEO4J_PORT=... .venv/bin/python bench/check_state.py \\
        --truth bench/out/register-100000-1.truth.jsonl --probes 400 --rounds 2

The generator's check probes, after 50 warm-up checks and :func:`graphsvc.services.warm_process`,
go through ``services.check`` in rounds ``state, records, state, records, ...`` (interleaved,
since this machine's speed drifts), each round every probe once. For each way: wall time per
check (p50, p90, p99) on the whole mix and on the identifier-led probes (a phone, email, handle
or vehicle in the subject), CPU per check (Neo4j's process and this one), and a digest of every
answer: the two ways' digests must be equal. Beside them, the floor: the check's raw candidate
lookup (``find_check_candidates`` through the driver) on the same probes. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import check_probes, percentile, process_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IDENTIFIERS = ("phones", "emails", "handles", "vehicles")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _stats(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "p90": round(percentile(values, 0.9), 2),
            "p99": round(percentile(values, 0.99), 2), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--probes", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each way, interleaved")
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    from graphsvc import services
    from graphsvc.analysis.matching import lucene_query, name_initials, normalise_subject
    from graphsvc.config import Settings
    from graphsvc.graph import localdb
    from graphsvc.graph.db import Database
    from graphsvc.repository import candidates as candidate_reads
    from graphsvc.services import state as pattern_state

    settings = Settings.from_env()
    db = Database(settings)
    neo4j_pid = localdb.status(settings).pid
    probes = check_probes(args.truth, args.probes + 50)
    warm, probes = probes[:50], probes[50:]
    status = pattern_state.status(db)
    if not (status["meta"] or {}).get("ready") or status["pending"]:
        raise SystemExit("the pattern state is not ready or has entries waiting: graphsvc state apply / rebuild")
    for p in warm:
        services.check(db, p["subject"], complainant_id=p.get("complainant_id"))
        services.check(db, p["subject"], complainant_id=p.get("complainant_id"), from_state=False)
    services.warm_process(db.settings)
    with_id = [any(p["subject"].get(k) for k in IDENTIFIERS) for p in probes]

    ways = {"state": True, "records": False}
    ms: dict[str, list[float]] = {w: [] for w in ways}
    ms_id: dict[str, list[float]] = {w: [] for w in ways}
    cpu: dict[str, dict[str, float]] = {w: {"neo4j": 0.0, "python": 0.0} for w in ways}
    digests: dict[str, set[str]] = {w: set() for w in ways}
    for _ in range(args.rounds):
        for way, from_state in ways.items():
            answers = hashlib.sha256()
            n0, p0 = process_cpu_seconds(neo4j_pid) if neo4j_pid else 0.0, _own_cpu()
            for p, has_id in zip(probes, with_id):
                t0 = time.perf_counter()
                res = services.check(db, p["subject"], complainant_id=p.get("complainant_id"), from_state=from_state)
                took = (time.perf_counter() - t0) * 1000
                ms[way].append(took)
                if has_id:
                    ms_id[way].append(took)
                answers.update(json.dumps(res, sort_keys=True, default=str).encode())
            cpu[way]["neo4j"] += (process_cpu_seconds(neo4j_pid) if neo4j_pid else 0.0) - n0
            cpu[way]["python"] += _own_cpu() - p0
            digests[way].add(answers.hexdigest())
    raw: list[float] = []
    threshold = settings.link_threshold
    for p in probes:
        norm = normalise_subject(p["subject"])
        names = [n for n in (norm["given_name"], norm["family_name"], *norm["aliases"]) if n]
        t0 = time.perf_counter()
        candidate_reads.check_candidates(db, norm, lucene_query(names), [norm["dob"]] if norm["dob"] else [],
                                         p.get("complainant_id"), threshold, initials=name_initials(norm))
        raw.append((time.perf_counter() - t0) * 1000)
    checks = len(probes) * args.rounds
    out: dict[str, Any] = {
        "persons": db.execute("MATCH (p:Person) RETURN count(p) AS n")[0]["n"],
        "probes": len(probes), "identifier_led": sum(with_id), "rounds": args.rounds,
        "floor_raw_candidate_lookup_ms": _stats(raw),
        "answers_equal": digests["state"] == digests["records"] and len(digests["state"]) == 1,
    }
    for way in ways:
        out[way] = {"ms": _stats(ms[way]), "ms_identifier_led": _stats(ms_id[way]),
                    "cpu_ms_per_check": {k: round(v * 1000 / checks, 2) for k, v in cpu[way].items()}}
    out["ratio_p50_state_over_records"] = round(out["state"]["ms"]["p50"] / out["records"]["ms"]["p50"], 3)
    out["ratio_p50_identifier_led"] = round(out["state"]["ms_identifier_led"]["p50"]
                                            / out["records"]["ms_identifier_led"]["p50"], 3)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
