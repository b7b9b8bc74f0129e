"""Benchmark: ``graphsvc dump`` and ``graphsvc restore`` on a synthetic register (docs/backup.md)::

    .venv/bin/python bench/dump_restore.py --people 10000 --seed 1 [--work /tmp/dump-bench] [--decisions 20]

1. A synthetic register (``graphsvc generate``; kept in ``--work`` and reused) is loaded into a
   fresh local Neo4j, resolved in full, and ``--decisions`` links are confirmed and as many
   rejected through the resolution service; one registration is transferred, one record node
   gets a review-like property, one subscription is made.
2. The register's content fingerprint is taken, then the dump (the service ``graphsvc dump``
   runs), timed; that Neo4j is stopped.
3. A second fresh Neo4j: the restore (the service ``graphsvc restore`` runs), timed; then the
   fingerprint again, compared, and ``graphsvc state verify``.

Prints one JSON object: wall times of dump, restore (and its steps) and compare, records/s,
the dump's size, whether the fingerprints are equal, the state verify, and the decided links
before and after (each confirmed and rejected pair with its status, who and why).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchlib import neo4j  # noqa: E402

DECIDED = ("MATCH (a:Person)-[r:POSSIBLY_SAME_AS]->(b:Person) WHERE r.status <> 'proposed' "
           "RETURN a.id AS a, b.id AS b, r.status AS status, r.decided_by AS by, r.reason AS reason, "
           "toString(r.decided_at) AS at ORDER BY a, b")
STATUSES = "MATCH ()-[r:POSSIBLY_SAME_AS]->() RETURN r.status AS status, count(*) AS n ORDER BY status"


def _build(db: Any, register: Path, decisions: int) -> dict[str, Any]:
    from graphsvc.security import keys as auth
    from graphsvc.security.keys import Principal
    from graphsvc.security.policy import Role
    from graphsvc.services import alerts as alert_service
    from graphsvc.services import register as register_service
    from graphsvc.services import resolution
    from graphsvc.services import state as pattern_state
    from graphsvc.services.ingest import load
    from loaders.sources import read_path

    out: dict[str, Any] = {}
    t = time.perf_counter()
    summary = load(db, read_path(register), maintain_state=False)
    out["load_s"] = round(time.perf_counter() - t, 1)
    out["records"] = summary.written.total
    t = time.perf_counter()
    resolved = resolution.resolve_all(db, resolution.load_model(db.settings), actor="bench", purpose="bench",
                                      memory_limit=db.settings.resolve_memory)
    out["resolve_s"] = round(time.perf_counter() - t, 1)
    out["links"] = resolved["links"]
    t = time.perf_counter()
    pattern_state.settle(db)
    out["state_s"] = round(time.perf_counter() - t, 1)
    pairs = db.execute("MATCH (a:Person)-[r:POSSIBLY_SAME_AS]->(b:Person) WHERE r.status = 'proposed' "
                       "RETURN a.id AS a, b.id AS b ORDER BY r.probability DESC, a, b LIMIT $n", n=2 * decisions)
    t = time.perf_counter()
    for k, pair in enumerate(pairs):
        decision = "confirm" if k % 2 == 0 else "reject"
        resolution.decide(db, pair["a"], pair["b"], decision, actor="bench-reviewer", role="admin",
                          reason=f"bench {decision} {k}", purpose="bench")
    out["decide_s"] = round(time.perf_counter() - t, 1)
    reg = db.execute("MATCH (r:Registration) WHERE r.placeholder IS NULL AND r.managed_by IS NOT NULL "
                     "RETURN r.id AS id, r.managed_by AS by ORDER BY r.id LIMIT 1")
    if reg:
        register_service.transfer(db, reg[0]["id"], "BENCHX" if reg[0]["by"] != "BENCHX" else "BENCHY",
                                  "bench transfer", by="bench")
    db.execute("MATCH (p:Person) WHERE p.placeholder IS NULL WITH p ORDER BY p.id LIMIT 100 "
               "SET p.bench_reviewed_on = [date('2026-01-02')], p.bench_reviewed_at = datetime('2026-01-02T10:00:00+00:00')")
    _, public = auth.create_key(db, role="investigator", name="bench")
    who = Principal(key_id=public["key_id"], name="bench", role=Role.INVESTIGATOR)
    alert_service.subscribe(db, who, url="http://127.0.0.1:9/bench", secret="bench-secret-0123456789",
                            rules=["serial"])
    return out


def _patient(settings: Any) -> Any:
    """The settings with the job timeout for every read: the fingerprint reads the whole graph in
    one query (past the interactive 30 s at 100k people)."""
    return dataclasses.replace(settings, query_timeout_s=settings.job_timeout_s)


def run(people: int, seed: int, work: Path, decisions: int, heap: int, pagecache: int) -> dict[str, Any]:
    from graphsvc.graph.db import Database
    from graphsvc.graph.fingerprint import fingerprint
    from graphsvc.services import backup
    from graphsvc.services.state_verify import verify as verify_state
    from graphsvc.synthetic import generate_register

    logging.getLogger("neo4j").setLevel(logging.ERROR)
    work.mkdir(parents=True, exist_ok=True)
    register = work / f"register-{people}-{seed}.jsonl"
    if not register.exists():
        generate_register(people=people, seed=seed, out=register)
    dump_path, secrets_path = work / f"dump-{people}-{seed}.jsonl", work / f"secrets-{people}-{seed}.jsonl"
    result: dict[str, Any] = {"people": people, "seed": seed}
    with neo4j(heap_mib=heap, pagecache_mib=pagecache) as settings:
        with Database(_patient(settings)) as db:
            db.apply_schema()
            result["build"] = _build(db, register, decisions)
            t = time.perf_counter()
            before = fingerprint(db)
            result["fingerprint_before_s"] = round(time.perf_counter() - t, 1)
            decided_before = db.execute(DECIDED)
            statuses_before = db.execute(STATUSES)
            t = time.perf_counter()
            with dump_path.open("w", encoding="utf-8") as out, secrets_path.open("w", encoding="utf-8") as secrets:
                dumped = backup.dump(db, out, secrets_out=secrets)
            result["dump_s"] = round(time.perf_counter() - t, 1)
    lines = dumped["counts"]
    records = sum(lines.get(k, 0) for k in ("person", "order", "incident", "registration", "notification"))
    result.update(dump_lines=dumped["lines"], dump_counts=lines, dump_bytes=dump_path.stat().st_size,
                  dump_records_per_s=round(records / result["dump_s"]) if result["dump_s"] else None)
    with neo4j(heap_mib=heap, pagecache_mib=pagecache) as settings:
        with Database(_patient(settings)) as db:
            db.apply_schema()
            t = time.perf_counter()
            restored = backup.restore(db, dump_path, secrets=secrets_path)
            result["restore_s"] = round(time.perf_counter() - t, 1)
            result["restore_steps_s"] = restored["seconds"]
            result["restore_records_per_s"] = round(records / result["restore_s"]) if result["restore_s"] else None
            t = time.perf_counter()
            after = fingerprint(db)
            result["compare_s"] = round(time.perf_counter() - t, 1)
            result["fingerprint_equal"] = after == before
            result["fingerprint"] = {"nodes": after.nodes, "relationships": after.relationships,
                                     "sha256": after.sha256[:16], "before_sha256": before.sha256[:16]}
            decided_after = db.execute(DECIDED)
            result["decisions"] = {"decided_before": len(decided_before), "decided_after": len(decided_after),
                                   "identical": decided_after == decided_before,
                                   "statuses_before": statuses_before, "statuses_after": db.execute(STATUSES)}
            t = time.perf_counter()
            check = verify_state(db)
            result["state_verify"] = {"clean": check["clean"], "differences": len(check["differences"]),
                                      "seconds": round(time.perf_counter() - t, 1)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/graphsvc-dump-bench"))
    parser.add_argument("--decisions", type=int, default=20, help="links confirmed, and as many rejected")
    parser.add_argument("--heap-mib", type=int, default=1024)
    parser.add_argument("--pagecache-mib", type=int, default=512)
    args = parser.parse_args()
    print(json.dumps(run(args.people, args.seed, args.work, args.decisions, args.heap_mib, args.pagecache_mib),
                     indent=2, default=str))


if __name__ == "__main__":
    main()
