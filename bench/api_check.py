"""Benchmark: ``POST /check`` under gunicorn, beside the same lookups made directly.

Run it as a second process against a running service (see docs/benchmarks-api.md)::

    GRAPHSVC_RATE_LIMIT_PER_S=100000 GRAPHSVC_RATE_LIMIT_BURST=100000 \\
        gunicorn -c gunicorn.conf.py &            # the service, on 127.0.0.1:8080
    python bench/api_check.py --truth REGISTER.truth.jsonl --key-file KEYFILE \\
        --url http://127.0.0.1:8080 --clients 8 --seconds 30

Subjects are the generator's intake checks (``kind: check`` lines of the ground truth), sent in
turn by ``--clients`` threads, each on its own keep-alive connection, for ``--seconds`` after a
warm-up. Then the same subjects go, from the same number of threads, straight to
:func:`graphsvc.services.check` over one driver ("direct"), and once more with the audit entry
each HTTP check writes ("direct + audit"), so the HTTP overhead can be split into the audit
write and the rest (auth, validation, redaction, JSON, HTTP). With ``--cpu-pids`` (``name=pid,...``: the
service's workers, Neo4j) each mode also reports every watched process's CPU per request, beside
this client's own: on a machine whose cores the client shares, that says where the cores went.
Prints one JSON object per mode.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import percentile, process_cpu_seconds


def _subjects(truth: Path, limit: int) -> list[dict[str, Any]]:
    out = []
    with truth.open(encoding="utf-8") as handle:
        for line in handle:
            if '"kind":"check"' not in line:
                continue
            row = json.loads(line)
            body: dict[str, Any] = {"subject": row["subject"]}
            if row.get("complainant_id"):
                body["complainant_id"] = row["complainant_id"]
            out.append(body)
            if len(out) >= limit:
                break
    if not out:
        raise SystemExit(f"no check subjects in {truth}")
    return out


def _summary(name: str, timed: list[tuple[float, float]], seconds: float, errors: dict[str, int]) -> dict[str, Any]:
    """``timed``: (seconds since the measured part began, latency in seconds) per request."""
    ms = [x * 1000 for _, x in timed]
    slowest = sorted(timed, key=lambda t: -t[1])[:5]
    return {
        "mode": name,
        "requests": len(ms),
        "seconds": round(seconds, 2),
        "rps": round(len(ms) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(ms, 0.50), 2) if ms else None,
        "p95_ms": round(percentile(ms, 0.95), 2) if ms else None,
        "p99_ms": round(percentile(ms, 0.99), 2) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else None,
        "errors": errors,
        # when the slowest requests started: a period (a cache expiring) or a burst shows here
        "slowest": [{"at_s": round(at, 2), "ms": round(x * 1000, 1)} for at, x in slowest],
    }


def _drive(name: str, clients: int, seconds: float, warmup: float,
           make_worker: Callable[[int], Callable[[], str | None]]) -> dict[str, Any]:
    """Run ``clients`` threads, each calling its worker in a loop; time only after warm-up."""
    latencies: list[list[tuple[float, float]]] = [[] for _ in range(clients)]
    errors: list[dict[str, int]] = [{} for _ in range(clients)]
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds

    def loop(n: int) -> None:
        work = make_worker(n)
        while True:
            t0 = time.monotonic()
            if t0 >= stop_at:
                return
            failure = work()
            t1 = time.monotonic()
            if t0 >= start_at:
                if failure is None:
                    latencies[n].append((t0 - start_at, t1 - t0))
                else:
                    errors[n][failure] = errors[n].get(failure, 0) + 1

    threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    merged: dict[str, int] = {}
    for e in errors:
        for k, v in e.items():
            merged[k] = merged.get(k, 0) + v
    return _summary(name, [x for per in latencies for x in per], seconds, merged)


def run_http(url: str, key: str, subjects: list[dict[str, Any]], clients: int, seconds: float,
             warmup: float, floor: bool = False) -> dict[str, Any]:
    """``POST /check`` from ``clients`` keep-alive connections; ``floor``: ``GET /health`` on the
    same server instead (the framework's floor: no key, no Neo4j, no audit)."""
    parsed = urllib.parse.urlsplit(url)
    bodies = [json.dumps(s).encode() for s in subjects]
    headers = {"Authorization": f"Bearer {key}", "X-Purpose": "benchmark", "Content-Type": "application/json"}

    def make_worker(n: int) -> Callable[[], str | None]:
        conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port or 80, timeout=60)
        state = {"i": n * 7919}

        def work() -> str | None:
            body = bodies[state["i"] % len(bodies)]
            state["i"] += 1
            try:
                if floor:
                    conn.request("GET", "/api/v1/health")
                else:
                    conn.request("POST", "/api/v1/check", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                return type(exc).__name__
            return None if response.status == 200 else str(response.status)

        return work

    return _drive("health" if floor else "http", clients, seconds, warmup, make_worker)


def run_direct(subjects: list[dict[str, Any]], clients: int, seconds: float, warmup: float,
               with_audit: bool) -> dict[str, Any]:
    from graphsvc.security import audit
    from graphsvc import services
    from graphsvc.config import Settings
    from graphsvc.graph.db import Database
    from graphsvc.errors import GraphsvcError

    db = Database(Settings.from_env())
    services.warm_process(db.settings)  # as each gunicorn worker does (gunicorn.conf.py post_worker_init)

    def make_worker(n: int) -> Callable[[], str | None]:
        state = {"i": n * 7919}

        def work() -> str | None:
            body = subjects[state["i"] % len(subjects)]
            state["i"] += 1
            try:
                result = services.check(db, body["subject"], complainant_id=body.get("complainant_id"))
                if with_audit:
                    audit.append_entry(db, actor="bench#direct", role="case_system", action="consultation",
                                       purpose="benchmark", query={"path": "/check"},
                                       person_ids=[m["person_id"] for m in result["matches"]], status=200)
            except GraphsvcError as exc:
                return exc.code
            return None

        return work

    try:
        return _drive("direct+audit" if with_audit else "direct", clients, seconds, warmup, make_worker)
    finally:
        db.close()


def run_audit_only(clients: int, seconds: float, warmup: float) -> dict[str, Any]:
    """Audit appends alone, from ``clients`` threads: the ceiling of audited requests."""
    from graphsvc.security import audit
    from graphsvc.config import Settings
    from graphsvc.graph.db import Database
    from graphsvc.errors import GraphsvcError

    db = Database(Settings.from_env())

    def make_worker(n: int) -> Callable[[], str | None]:
        def work() -> str | None:
            try:
                audit.append_entry(db, actor="bench#audit", role="case_system", action="consultation",
                                   purpose="benchmark", query={"path": "/check"}, person_ids=["P-1", "P-2"],
                                   status=200)
            except GraphsvcError as exc:
                return exc.code
            return None

        return work

    try:
        return _drive("audit-append", clients, seconds, warmup, make_worker)
    finally:
        db.close()


def main() -> None:
    import logging

    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--key-file", type=Path, required=True, help="a file holding a case_system/admin key")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--subjects", type=int, default=2000)
    parser.add_argument("--cpu-pids", default="",
                        help="comma-separated name=pid (the service's workers, Neo4j): each one's CPU ms per "
                             "request in every mode, beside this client's own")
    parser.add_argument("--modes", default="http,direct,direct+audit",
                        help="comma-separated: http, health (GET /health, the floor), direct, direct+audit, audit (appends alone)")
    args = parser.parse_args()

    subjects = _subjects(args.truth, args.subjects)
    key = args.key_file.read_text(encoding="utf-8").strip()
    results = []
    watched = {name: int(pid) for name, _, pid in (p.partition("=") for p in args.cpu_pids.split(",") if p)}
    for mode in args.modes.split(","):
        before = {name: process_cpu_seconds(pid) for name, pid in watched.items()}
        own = time.process_time()
        if mode in ("http", "health"):
            results.append(run_http(args.url, key, subjects, args.clients, args.seconds, args.warmup,
                                    floor=mode == "health"))
        elif mode == "audit":
            results.append(run_audit_only(args.clients, args.seconds, args.warmup))
        elif mode in ("direct", "direct+audit"):
            results.append(run_direct(subjects, args.clients, args.seconds, args.warmup, mode == "direct+audit"))
        else:
            raise SystemExit(f"unknown mode {mode}")
        # over the whole mode (warm-up included), per request measured: an upper bound per request
        done = max(1, results[-1]["requests"])
        cpu = {name: round((process_cpu_seconds(pid) - before[name]) * 1000 / done, 2) for name, pid in watched.items()}
        cpu["this_client"] = round((time.process_time() - own) * 1000 / done, 2)
        results[-1]["cpu_ms_per_request"] = cpu
        print(json.dumps(results[-1]), flush=True)
    by_mode = {r["mode"]: r for r in results}
    if "http" in by_mode and "health" in by_mode and by_mode["health"]["rps"]:
        print(json.dumps({"check_over_health_floor_throughput": round(by_mode["http"]["rps"] / by_mode["health"]["rps"], 3)}))
    if "http" in by_mode and "direct" in by_mode and by_mode["direct"]["rps"]:
        print(json.dumps({
            "clients": args.clients,
            "subjects": len(subjects),
            "http_over_direct_throughput": round(by_mode["http"]["rps"] / by_mode["direct"]["rps"], 3),
            "http_over_direct_p50": round(by_mode["http"]["p50_ms"] / by_mode["direct"]["p50_ms"], 2),
        }))


if __name__ == "__main__":
    main()
