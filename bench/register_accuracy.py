"""The register's rules on the synthetic register's ground truth (issue #21), and the cost of the
overdue worklist's first page.

Generates (or reuses, in bench/out/) a register of --people persons, starts a fresh local Neo4j
in a temporary folder, loads it, links every human's records by confirmed identity links (the
truth's: identity resolution is measured in docs/identity-resolution.md; here the rule is), and
measures, as of the generator's day (its ``AS_OF``):

* the overdue worklist (``GET /register/overdue``, every page): recall and precision of its
  registrations against the truth's overdue ones, and whether each row's duty and last day agree;
* ``UNNOTIFIED_ADDRESS`` on the profile of every registered man: recall and precision of its
  evidence (person record ids) against the truth's records of him that give a name or home
  address he has not notified, and of the flag itself per man;
* ``NOTIFICATION_OVERDUE`` on the same profiles against the truth's overdue registrations;
* the worklist's first page (50 rows; the nation's and the busiest agency's), p50 and p99 over
  --repeats reads, beside a one-node read by id in the same run (the ratio is the figure: this
  machine is shared).

    .venv/bin/python bench/register_accuracy.py --people 20000

Prints one JSON object; the figures go in docs/register.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchlib import link_as_truth, neo4j, timed_ms

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def _pr(predicted: set[str], truth: set[str]) -> dict[str, Any]:
    tp = len(predicted & truth)
    return {"truth": len(truth), "predicted": len(predicted), "true_positives": tp,
            "recall": round(tp / len(truth), 4) if truth else None,
            "precision": round(tp / len(predicted), 4) if predicted else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--heap-mib", type=int, default=1024)
    parser.add_argument("--pagecache-mib", type=int, default=512)
    parser.add_argument("--profiles", type=int, default=None,
                        help="profile only the first N registered men (default: all; at 1M, a sample)")
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)

    from graphsvc import services
    from graphsvc.graph.db import Database
    from graphsvc.services import register as register_service
    from graphsvc.services.ingest import load
    from graphsvc.synthetic import generate_register, params, truth_path_for
    from loaders.sources import read_path

    as_of = params.AS_OF
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"register-{args.people}-{args.seed}-v{params.GENERATOR_VERSION}.jsonl"
    if not path.exists():
        generate_register(people=args.people, seed=args.seed, out=path, progress=False)
    entities: list[dict[str, Any]] = []
    registrations: list[dict[str, Any]] = []
    persons: list[dict[str, Any]] = []
    with truth_path_for(path).open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            kind = row.get("kind")
            if kind == "entity":
                if len(row["person_ids"]) > 1:  # only what the links need: a 1M truth is 1.3 GB
                    entities.append({"person_ids": row["person_ids"]})
            elif kind == "registration":
                registrations.append(row)
            elif kind == "register_person":
                persons.append(row)

    result: dict[str, Any] = {"people": args.people, "seed": args.seed, "as_of": as_of.isoformat(),
                              "registrations": len(registrations)}
    with neo4j(heap_mib=args.heap_mib, pagecache_mib=args.pagecache_mib) as settings:
        db = Database(settings)
        db.apply_schema()
        t0 = time.perf_counter()
        summary = load(db, read_path(path), batch_size=2000)
        result["load_seconds"] = round(time.perf_counter() - t0, 1)
        result["records"] = summary.written.total
        result["rejected"] = summary.rejected_records
        link_as_truth(db, entities)

        # the overdue worklist, every page
        rows: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = register_service.overdue(db, cursor=cursor, limit=200, today=as_of)
            rows += page["persons"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        truth_overdue = {t["registration_id"]: t for t in registrations if t["overdue"]}
        listed = {r["registration_id"]: r for r in rows}
        order_ok = [r["due_on"] for r in rows] == sorted(r["due_on"] for r in rows)
        agree = sum(1 for rid, r in listed.items() if rid in truth_overdue
                    and (r["duty"], r["due_on"]) == (truth_overdue[rid]["due"]["duty"], truth_overdue[rid]["due"]["due_on"]))
        result["worklist"] = {**_pr(set(listed), set(truth_overdue)), "duty_and_day_agree": agree,
                              "longest_overdue_first": order_ok}

        # the flags on the profile of every registered man (his registration's person record), as
        # of the generator's day: the profile reads "today" from graphsvc.services.common
        import graphsvc.services.persons as person_service

        person_service._today = lambda: as_of  # type: ignore[attr-defined]  # noqa: SLF001
        registered = {p["entity_id"]: p for p in persons if p["registered"]}
        if args.profiles is not None:
            registered = dict(list(registered.items())[: args.profiles])
        reg_of: dict[str, str] = {}
        for t in registrations:
            reg_of.setdefault(t["entity_id"], t["person_id"])
        evidence_pred: set[str] = set()
        evidence_truth: set[str] = set()
        flagged_pred: set[str] = set()
        flagged_truth: set[str] = set()
        overdue_pred: set[str] = set()
        overdue_truth = {t["registration_id"] for t in registrations if t["overdue"] and t["entity_id"] in registered}
        codes: Counter[str] = Counter()
        t0 = time.perf_counter()
        for eid, p in registered.items():
            profile = services.person_profile(db, reg_of[eid])
            flags = {f["code"]: f for f in profile["flags"]}
            codes.update(list(flags))
            if "UNNOTIFIED_ADDRESS" in flags:
                flagged_pred.add(eid)
                evidence_pred |= set(flags["UNNOTIFIED_ADDRESS"]["evidence"])
            if "NOTIFICATION_OVERDUE" in flags:
                overdue_pred |= set(flags["NOTIFICATION_OVERDUE"]["evidence"])
            if p["unnotified_record_ids"]:
                flagged_truth.add(eid)
                evidence_truth |= set(p["unnotified_record_ids"])
        result["profiles"] = {"registered_men": len(registered), "seconds": round(time.perf_counter() - t0, 1),
                              "flags_raised": dict(sorted(codes.items()))}
        result["unnotified_address_evidence"] = _pr(evidence_pred, evidence_truth)
        result["unnotified_address_men"] = _pr(flagged_pred, flagged_truth)
        result["notification_overdue"] = _pr(overdue_pred, overdue_truth)
        result["revealed_moves"] = sum(1 for t in registrations for m in t["moves"] if m["revealed_by"])

        # the worklist's first page, beside a one-node read by id
        busiest = Counter(r["managing_agency"] for r in rows).most_common(1)[0][0] if rows else None
        some_id = registrations[0]["registration_id"]
        baseline = timed_ms(lambda: db.execute("MATCH (r:Registration {id: $id}) RETURN r.id AS id", id=some_id),
                          args.repeats)
        national = timed_ms(lambda: register_service.overdue(db, limit=50, today=as_of), args.repeats)
        agency = timed_ms(lambda: register_service.overdue(db, busiest, limit=50, today=as_of), args.repeats)
        result["first_page"] = {
            "baseline_one_node_by_id": baseline, "national": national, "agency": {"agency": busiest, **agency},
            "ratio_national_p50": round(national["p50_ms"] / baseline["p50_ms"], 2),
            "ratio_agency_p50": round(agency["p50_ms"] / baseline["p50_ms"], 2)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
