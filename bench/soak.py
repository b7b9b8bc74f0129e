"""Soak: a bounded run of mixed reads, checks and record writes against graphsvc under gunicorn.

    .venv/bin/python bench/soak.py                      # 10 minutes at 10 requests/s
    .venv/bin/python bench/soak.py --minutes 3 --rate 8 --out bench/out/soak.json

The controller (this process) starts its own local Neo4j in a temporary folder on a free
loopback port, generates and loads a synthetic register (``graphsvc generate`` / ``load``),
creates one API key per role, and starts the service with ``gunicorn -c gunicorn.conf.py`` on
another free loopback port. A second process (this script with ``--generate``) sends the load:
requests are scheduled at ``--rate`` per second (open loop) from ``--clients`` threads, each on
its own keep-alive connection, to 127.0.0.1 only. The mix: profiles, fixation, linked
victims, search, serial and unidentified patterns, network exports (depth 1), intake checks,
and record writes (new records, and replacements of records written earlier).

Every ``--sample-s`` seconds (10) the controller records the resident memory (VmRSS from
``/proc``) of each gunicorn worker, the master and Neo4j. At the end it checks that every
record the service accepted is in the graph (losses), stops what it started, and prints one
JSON summary: requests and errors by kind and status, latencies, the memory series, and the
workers' memory growth after warm-up. Exit status 1 when there were errors or losses.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from benchlib import free_port, neo4j

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
PURPOSE = "SOAK/2026/issue-7"

# kind -> weight (per 100 requests)
MIX: dict[str, int] = {
    "profile": 18,
    "fixation": 14,
    "linked_victims": 5,
    "search": 14,
    "serial": 5,
    "unidentified": 3,
    "network": 6,
    "check": 15,
    "write": 16,
    "ready": 4,
}
ROUTES: dict[str, str] = {  # kind -> the OpenAPI path it needs
    "profile": "/api/v1/persons/{id}",
    "fixation": "/api/v1/persons/{id}/fixation",
    "linked_victims": "/api/v1/persons/{id}/linked-victims",
    "search": "/api/v1/search",
    "serial": "/api/v1/patterns/serial",
    "unidentified": "/api/v1/patterns/unidentified",
    "network": "/api/v1/persons/{id}/network",
    "check": "/api/v1/check",
    "write": "/api/v1/records",
    "ready": "/api/v1/ready",
}


# -- memory -------------------------------------------------------------------------------------
def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


# -- the load generator (second process) ----------------------------------------------------------
class Generator:
    def __init__(self, plan: dict[str, Any], port: int, rate: float, seconds: float, clients: int, seed: int) -> None:
        self.plan = plan
        self.port = port
        self.rate = rate
        self.seconds = seconds
        self.clients = clients
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.next_index = 0
        self.start = 0.0
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter[str]] = defaultdict(Counter)
        self.error_samples: list[dict[str, Any]] = []
        self.accepted: dict[str, str] = {}  # record id -> kind, for the loss check
        self.written: list[dict[str, Any]] = []
        self.kinds = [k for k in MIX if k in plan["kinds"]]
        self.weights = [MIX[k] for k in self.kinds]

    # requests ------------------------------------------------------------------------------
    def _auth(self, role: str, purpose: bool = True) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.plan['keys'][role]}", "Accept": "application/json"}
        if purpose:
            headers["X-Purpose"] = PURPOSE
        return headers

    def _request(self, index: int, rng: random.Random) -> tuple[str, str, str, bytes | None, dict[str, str], list[dict[str, Any]]]:
        kind = rng.choices(self.kinds, self.weights)[0]
        person = rng.choice(self.plan["person_ids"])
        inv = self._auth("investigator")
        if kind in ("profile", "fixation", "linked_victims", "network"):
            path = ROUTES[kind].replace("{id}", person)
            if kind == "network":
                path += "?depth=1&format=cytoscape"
            return kind, "GET", path, None, inv, []
        if kind == "search":
            q = rng.choice(self.plan["names"])
            return kind, "GET", "/api/v1/search?q=" + urllib.parse.quote(q), None, inv, []
        if kind == "serial":
            return kind, "GET", "/api/v1/patterns/serial?limit=20", None, inv, []
        if kind == "unidentified":
            return kind, "GET", "/api/v1/patterns/unidentified?limit=20", None, inv, []
        if kind == "ready":
            return kind, "GET", "/api/v1/ready", None, {}, []
        if kind == "check":
            body = json.dumps(rng.choice(self.plan["checks"])).encode()
            return kind, "POST", "/api/v1/check", body, {**self._auth("case_system"),
                                                         "Content-Type": "application/json"}, []
        # write: a new person and incident naming a loaded victim, or a replacement of one written before
        with self.lock:
            earlier = list(self.written[-50:])
        if earlier and rng.random() < 0.25:
            records = [{**rng.choice(earlier), "description": f"replaced at request {index}"}]
            records = [r for r in records if r["kind"] == "incident"] or records
        else:
            victim = rng.choice(self.plan["person_ids"])
            records = [
                {"kind": "person", "id": f"SOAK-P-{index}", "source": "SOAK", "given_name": "Soak",
                 "family_name": f"Writer{index}", "phones": [f"07700 9{index % 100000:05d}"]},
                {"kind": "incident", "id": f"SOAK-I-{index}", "source": "SOAK", "type": rng.choice(["text", "call", "visit"]),
                 "occurred_at": f"2026-0{1 + index % 9}-{1 + index % 28:02d}T12:00:00", "offender_ids": [f"SOAK-P-{index}"],
                 "victim_ids": [victim], "description": f"soak request {index}"},
            ]
        body = json.dumps(records).encode()
        return kind, "POST", "/api/v1/records", body, {**self._auth("case_system", purpose=False),
                                                       "Content-Type": "application/json"}, records

    def _client(self, number: int) -> None:
        rng = random.Random(self.rng.random() + number)
        conn = http.client.HTTPConnection(HOST, self.port, timeout=90)
        deadline = self.start + self.seconds
        while True:
            with self.lock:
                index = self.next_index
                self.next_index += 1
            due = self.start + index / self.rate
            if due >= deadline:
                break
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            kind, method, path, body, headers, records = self._request(index, rng)
            began = time.monotonic()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = str(response.status)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=90)
                status, payload = f"connection:{type(exc).__name__}", b""
            elapsed = time.monotonic() - began
            with self.lock:
                self.latency[kind].append(elapsed)
                self.status[kind][status] += 1
                if status.startswith("2"):
                    if records:
                        self.written.extend(r for r in records if r["kind"] == "incident")
                        for r in records:
                            self.accepted[r["id"]] = r["kind"]
                elif len(self.error_samples) < 20:
                    self.error_samples.append({"kind": kind, "path": path[:120], "status": status,
                                               "body": payload[:300].decode("utf-8", "replace"),
                                               "at_s": round(began - self.start, 1)})
        conn.close()

    def run(self) -> dict[str, Any]:
        self.start = time.monotonic()
        threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - self.start

        def pct(values: list[float], p: float) -> float:
            ordered = sorted(values)
            return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else 0.0

        by_kind = {
            kind: {"requests": len(self.latency[kind]), "status": dict(self.status[kind]),
                   "p50_ms": pct(self.latency[kind], 0.50), "p95_ms": pct(self.latency[kind], 0.95),
                   "p99_ms": pct(self.latency[kind], 0.99), "max_ms": pct(self.latency[kind], 1.0)}
            for kind in self.kinds
        }
        total = sum(len(v) for v in self.latency.values())
        errors = sum(n for counts in self.status.values() for s, n in counts.items() if not s.startswith("2"))
        all_latency = [x for v in self.latency.values() for x in v]
        return {
            "requests": total, "errors": errors, "seconds": round(wall, 1),
            "achieved_rate_per_s": round(total / wall, 2) if wall else 0.0,
            "p50_ms": pct(all_latency, 0.5), "p95_ms": pct(all_latency, 0.95), "p99_ms": pct(all_latency, 0.99),
            "by_kind": by_kind, "error_samples": self.error_samples,
            "accepted_records": self.accepted,
        }


def generate_main(args: argparse.Namespace) -> int:
    plan = json.loads(Path(args.plan).read_text(encoding="utf-8"))
    generator = Generator(plan, args.port, args.rate, args.minutes * 60, args.clients, args.seed)
    result = generator.run()
    Path(args.result).write_text(json.dumps(result), encoding="utf-8")
    return 0


# -- the controller ---------------------------------------------------------------------------------
def _run(cmd: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, **kwargs)
    if result.returncode not in (0, 1):  # load: 1 = some records rejected (reported)
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def _plan(register: Path, truth: Path, keys: dict[str, str], paths: set[str], rng: random.Random) -> dict[str, Any]:
    persons: list[dict[str, Any]] = []
    offenders: set[str] = set()
    with register.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["kind"] == "person":
                persons.append(record)
            elif record["kind"] == "incident":
                offenders.update(record.get("offender_ids") or [])
    checks = []
    if truth.exists():
        with truth.open(encoding="utf-8") as handle:
            for line in handle:
                item = json.loads(line)
                if item.get("kind") == "check":
                    body = {"subject": item["subject"]}
                    if item.get("complainant_id"):
                        body["complainant_id"] = item["complainant_id"]
                    checks.append(body)
    if not checks:
        checks = [{"subject": {k: p[k] for k in ("given_name", "family_name", "dob") if k in p}} for p in persons[:500]]
    known = [p["id"] for p in persons]
    ids = sorted(offenders & set(known)) or known
    names = [f"{p.get('given_name', '')} {p.get('family_name', '')}".strip() for p in persons if p.get("family_name")]
    rng.shuffle(names)
    kinds = [k for k, path in ROUTES.items() if path.removeprefix("/api/v1") in paths]  # OpenAPI paths are relative
    return {"keys": keys, "person_ids": ids[:2000], "names": names[:2000] or ["Smith"], "checks": checks[:2000],
            "kinds": kinds}


def _get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def controller_main(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    import logging

    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    from graphsvc.security import keys as auth
    from graphsvc.graph import localdb
    from graphsvc.graph.db import Database

    work = Path(tempfile.mkdtemp(prefix="graphsvc-soak-"))
    gunicorn: subprocess.Popen[bytes] | None = None
    generator: subprocess.Popen[bytes] | None = None
    summary: dict[str, Any] = {}
    t0 = time.monotonic()
    try:
        with neo4j(heap_mib=args.neo4j_heap_mib, pagecache_mib=256, home=work / "home") as settings:
            env = {
                **os.environ,
                "NEO4J_URI": settings.local_bolt_uri,
                "NEO4J_USER": settings.neo4j_user,
                "NEO4J_PASSWORD": settings.password(),
                "GRAPHSVC_HOME": str(settings.home),
                "GRAPHSVC_JSON_LOGS": "1",
            }
            try:
                register = work / "register.jsonl"
                _run([str(VENV_BIN / "graphsvc"), "generate", "--people", str(args.people), "--seed", str(args.seed),
                      "--out", str(register), "--no-progress"], env)
                loaded = _run([str(VENV_BIN / "graphsvc"), "load", str(register), "--no-progress"], env)
                load_summary = json.loads(loaded.stdout)
                with Database(settings) as db:
                    keys = {role: auth.create_key(db, role=role, name=f"soak-{role}")[0]
                            for role in ("investigator", "case_system", "admin")}
                setup_s = time.monotonic() - t0

                port = free_port()
                log_path = work / "gunicorn.log"
                service_env = {**env, "GRAPHSVC_BIND": f"{HOST}:{port}", "GRAPHSVC_WORKERS": str(args.workers),
                               "GRAPHSVC_THREADS": str(args.threads), "GRAPHSVC_RATE_LIMIT_PER_S": "100000",
                               "GRAPHSVC_RATE_LIMIT_BURST": "100000"}
                with log_path.open("wb") as log:
                    gunicorn = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
                                                cwd=ROOT, env=service_env, stdout=log, stderr=subprocess.STDOUT)
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if _get(port, "/api/v1/ready")[0] == 200:
                            break
                    except OSError:
                        pass
                    if gunicorn.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("gunicorn did not become ready:\n" + log_path.read_text(errors="replace")[-3000:])
                    time.sleep(0.5)
                status, body = _get(port, "/api/v1/openapi.json")
                paths = set(json.loads(body)["paths"]) if status == 200 else set()
                plan = _plan(register, register.with_suffix(".truth.jsonl"), keys, paths, random.Random(args.seed))
                plan_path = work / "plan.json"
                plan_path.write_text(json.dumps(plan), encoding="utf-8")
                result_path = work / "generator.json"

                generator = subprocess.Popen(
                    [sys.executable, str(Path(__file__).resolve()), "--generate", "--plan", str(plan_path),
                     "--result", str(result_path), "--port", str(port), "--rate", str(args.rate),
                     "--minutes", str(args.minutes), "--clients", str(args.clients), "--seed", str(args.seed)],
                    cwd=ROOT, env=env,
                )
                samples: list[dict[str, Any]] = []
                started = time.monotonic()
                neo4j_pid = localdb.status(settings).pid
                while True:
                    workers = children(gunicorn.pid)
                    samples.append({
                        "t_s": round(time.monotonic() - started, 1),
                        "workers_kib": {str(pid): rss_kib(pid) for pid in workers},
                        "master_kib": rss_kib(gunicorn.pid),
                        "neo4j_kib": rss_kib(neo4j_pid) if neo4j_pid else None,
                    })
                    if generator.poll() is not None:
                        break
                    time.sleep(args.sample_s)
                if generator.returncode != 0 or not result_path.exists():
                    raise SystemExit(f"the load generator failed (exit status {generator.returncode})")
                generated = json.loads(result_path.read_text(encoding="utf-8"))
                if not generated["requests"]:
                    raise SystemExit("the load generator sent no requests (no known routes in the OpenAPI document?)")
                accepted: dict[str, str] = generated.pop("accepted_records")

                # Losses: every record the service accepted must be in the graph.
                with Database(settings) as db:
                    rows = db.execute(
                        "UNWIND $ids AS id OPTIONAL MATCH (n {id: id}) WHERE (n:Person OR n:Incident) "
                        "AND NOT coalesce(n.placeholder, false) WITH id, n WHERE n IS NULL RETURN collect(id) AS missing",
                        ids=sorted(accepted),
                    )
                missing = rows[0]["missing"]

                worker_pids = sorted({pid for s in samples for pid in s["workers_kib"]})
                warm = [s for s in samples if s["t_s"] >= min(60.0, args.minutes * 60 / 4)] or samples
                growth = {}
                for pid in worker_pids:
                    values = [s["workers_kib"][pid] for s in warm if s["workers_kib"].get(pid)]
                    if values:
                        growth[pid] = {"after_warmup_kib": values[0], "last_kib": values[-1], "max_kib": max(values),
                                       "growth_kib": values[-1] - values[0],
                                       "growth_pct": round(100 * (values[-1] - values[0]) / values[0], 1)}
                summary = {
                    "command": " ".join([Path(sys.executable).name, "bench/soak.py", *sys.argv[1:]]),
                    "config": {"minutes": args.minutes, "rate_per_s": args.rate, "clients": args.clients,
                               "gunicorn_workers": args.workers, "gunicorn_threads": args.threads,
                               "people": args.people, "seed": args.seed, "sample_s": args.sample_s},
                    "register": {k: load_summary.get(k) for k in ("read", "written", "persons", "incidents", "orders")},
                    "setup_s": round(setup_s, 1),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
                    **generated,
                    "records_accepted": len(accepted),
                    "records_missing": len(missing),
                    "missing_sample": missing[:20],
                    "worker_pids": worker_pids,
                    "worker_rss_after_warmup": growth,
                    "rss_samples": [{"t_s": s["t_s"], "workers_kib": [s["workers_kib"].get(p) for p in worker_pids],
                                     "master_kib": s["master_kib"], "neo4j_kib": s["neo4j_kib"]} for s in samples],
                }
            finally:
                if generator is not None and generator.poll() is None:
                    generator.terminate()
                    generator.wait(30)
                if gunicorn is not None and gunicorn.poll() is None:
                    gunicorn.send_signal(signal.SIGTERM)
                    try:
                        gunicorn.wait(60)
                    except subprocess.TimeoutExpired:
                        gunicorn.kill()
                        gunicorn.wait()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)
    text = json.dumps(summary, indent=1)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 1 if summary.get("errors") or summary.get("records_missing") else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the load phase (default 10)")
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second, scheduled (default 10)")
    parser.add_argument("--clients", type=int, default=4, help="load threads, one connection each (default 4)")
    parser.add_argument("--people", type=int, default=2000, help="synthetic register size (default 2000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    parser.add_argument("--sample-s", type=float, default=10.0, help="memory sampling interval (default 10 s)")
    parser.add_argument("--neo4j-heap-mib", type=int, default=768)
    parser.add_argument("--out", help="also write the JSON summary here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, register)")
    # the load generator's own arguments (it is this script run as a second process)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.minutes <= 0 or args.rate <= 0 or args.clients < 1:
        parser.error("--minutes and --rate must be positive, --clients at least 1")
    return generate_main(args) if args.generate else controller_main(args)


if __name__ == "__main__":
    sys.exit(main())
