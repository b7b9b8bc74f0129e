"""Benchmark: where one ``POST /check`` request's time goes, through the whole service in-process.

The app's own stages are timed by wrapping them (no profiler, so the figures are not inflated):
authentication, the check itself (``services.check``), need-to-know and redaction
(``shown_to``), the daily read quota's charge, and the audit entry (with the charge when it is
made inside the audit's transaction). "rest" is everything else (Flask, JSON, validation).
One thread, the generator's intake checks in turn, after a warm-up; the process's CPU time per
request is given beside the wall time. Run against the register in the running database::

    .venv/bin/python bench/check_request_cost.py --truth bench/out/register-100000-1.truth.jsonl --probes 400
"""

from __future__ import annotations

import argparse
import json
import logging
import secrets
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api_check import _subjects  # noqa: E402  (bench/ is on sys.path when run as a script)


def _timed(spent: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--truth", type=Path, required=True, help="the ground truth written beside the register")
    parser.add_argument("--probes", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)

    from graphsvc import services
    from graphsvc.api import access, persons
    from graphsvc.app import create_app
    from graphsvc.extensions import graph_db
    from graphsvc.security.keys import create_key

    app = create_app({"TESTING": True, "JSON_LOGS": False, "RATE_LIMIT_PER_S": 1e9, "RATE_LIMIT_BURST": 10**9,
                      "JOB_WAIT_S": None, "READ_QUOTAS": {r: 10**9 for r in
                                                          ("investigator", "offender_manager", "admin", "case_system")}})
    client = app.test_client()
    with app.app_context():
        key, _ = create_key(graph_db.get(), role="case_system", name=f"check-cost {secrets.token_hex(3)}")
        services.warm_process(graph_db.get().settings)
    headers = {"Authorization": f"Bearer {key}", "X-Purpose": "check cost benchmark"}
    subjects = _subjects(args.truth, args.probes)

    spent: dict[str, float] = defaultdict(float)
    access.security.authenticate = _timed(spent, "authenticate", access.security.authenticate)  # type: ignore[attr-defined]
    persons.services.check = _timed(spent, "check", services.check)  # type: ignore[attr-defined]
    access.shown_to = _timed(spent, "need_to_know_and_redaction", access.shown_to)  # type: ignore[attr-defined]
    if hasattr(access, "_audit_answer"):  # the charge made in the audit entry's transaction
        access._audit_answer = _timed(spent, "audit_entry_and_quota_charge", access._audit_answer)
    else:  # before: the charge in a transaction of its own, then the entry
        access._charge_quota = _timed(spent, "quota_charge", access._charge_quota)  # type: ignore[attr-defined]
        access.audit_now = _timed(spent, "audit_entry", access.audit_now)

    def ask(body: dict[str, Any]) -> None:
        r = client.post("/api/v1/check", json=body, headers=headers)
        if r.status_code != 200:
            raise SystemExit(f"check: HTTP {r.status_code} {r.get_json()}")

    for body in subjects[: args.warmup]:
        ask(body)
    spent.clear()
    wall: list[float] = []
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for body in subjects:
        start = time.perf_counter()
        ask(body)
        wall.append((time.perf_counter() - start) * 1000)
    total_s, cpu_s = time.perf_counter() - wall_start, time.process_time() - cpu_start
    n = len(subjects)
    stages = {name: round(s * 1000 / n, 2) for name, s in sorted(spent.items())}
    stages["rest"] = round(total_s * 1000 / n - sum(stages.values()), 2)
    print(json.dumps({
        "requests": n,
        "wall_ms_mean": round(statistics.fmean(wall), 2),
        "wall_ms_p50": round(statistics.median(wall), 2),
        "python_cpu_ms_per_request": round(cpu_s * 1000 / n, 2),
        "stage_ms_mean": stages,
    }, indent=2))


if __name__ == "__main__":
    main()
