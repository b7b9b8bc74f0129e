"""Benchmark: from a write's answer to the alert at the receiver, under a steady ``POST /records``
load, and the write rate with alerts on against off, in the same run (issue #20, docs/alerts.md).

Run against a running service (gunicorn, whose workers run the dispatcher)::

    python bench/alert_latency.py --url http://127.0.0.1:8099 --writer-key-file case.key \\
        --reader-key-file inv.key --clients 4 --seconds 60 --rounds 2

A receiver runs here, on loopback. Each write is one new incident by a new offender against a
new victim (``--with-persons`` sends their person records too, which the service then resolves
against the register), so each raises exactly one ``new_victim`` alert. Phases alternate: "off"
(no subscription: the rules find none and raise nothing) and "on" (one national subscription to
``new_victim``), ``--rounds`` times. For each "on" phase: the alert latency (receiver's arrival
minus the write's answer, per incident), and for every phase the writes per second and their
latency. Prints one JSON object per phase.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchlib import percentile

SECRET = "bench-alert-secret-0123456789"


class Receiver:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.monotonic()
                alert = json.loads(body)
                with outer.lock:
                    for rid in alert.get("evidence") or []:
                        outer.arrived.setdefault(rid, now)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _call(conn: http.client.HTTPConnection, method: str, path: str, key: str, body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}", "X-Purpose": "BENCH-ALERTS"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    raw = r.read()
    return r.status, (json.loads(raw) if raw else None)


def _records(run: str, n: int, with_persons: bool) -> tuple[str, list[dict[str, Any]]]:
    off, vic, inc = f"BA-{run}-O{n}", f"BA-{run}-V{n}", f"BA-{run}-I{n}"
    recs: list[dict[str, Any]] = []
    if with_persons:
        recs += [{"kind": "person", "id": off, "source": "BENCH", "given_name": "Bench", "family_name": f"Off{run}{n}"},
                 {"kind": "person", "id": vic, "source": "BENCH", "given_name": "Bench", "family_name": f"Vic{run}{n}"}]
    recs.append({"kind": "incident", "id": inc, "source": "BENCH", "occurred_at": "2024-05-01T10:00:00",
                 "type": "text", "offender_ids": [off], "victim_ids": [vic]})
    return inc, recs


def phase(args: argparse.Namespace, writer: str, rx: Receiver, name: str) -> dict[str, Any]:
    run = uuid.uuid4().hex[:6]
    answered: dict[str, float] = {}
    write_ms: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    end = time.monotonic() + args.seconds
    target = urllib.parse.urlsplit(args.url)

    def client(c: int) -> None:
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        n = 0
        while time.monotonic() < end:
            inc, recs = _records(run, c * 1_000_000 + n, args.with_persons)
            n += 1
            t0 = time.monotonic()
            try:
                status, _ = _call(conn, "POST", "/api/v1/records", writer, recs)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
                status = type(exc).__name__  # type: ignore[assignment]
            t1 = time.monotonic()
            with lock:
                if status == 200:
                    answered[inc] = t1
                    write_ms.append((t1 - t0) * 1000)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1
            if args.interval_s:
                time.sleep(args.interval_s)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    out: dict[str, Any] = {"phase": name, "writes": len(answered), "seconds": round(took, 1),
                           "writes_per_s": round(len(answered) / took, 2),
                           "write_p50_ms": round(percentile(write_ms, 0.5), 1) if write_ms else None,
                           "write_p99_ms": round(percentile(write_ms, 0.99), 1) if write_ms else None, "errors": errors}
    if name == "on":
        deadline = time.monotonic() + args.drain_s
        while time.monotonic() < deadline:
            with rx.lock:
                if all(i in rx.arrived for i in answered):
                    break
            time.sleep(0.05)
        with rx.lock:
            lat = [(rx.arrived[i] - t) * 1000 for i, t in answered.items() if i in rx.arrived]
        out.update(alerts=len(lat), missing=len(answered) - len(lat),
                   alert_p50_ms=round(percentile(lat, 0.5), 1) if lat else None,
                   alert_p99_ms=round(percentile(lat, 0.99), 1) if lat else None,
                   alert_max_ms=round(max(lat), 1) if lat else None,
                   alert_min_ms=round(min(lat), 1) if lat else None)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--writer-key-file", type=Path, required=True, help="a case_system key")
    ap.add_argument("--reader-key-file", type=Path, required=True, help="a national investigator key")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--interval-s", type=float, default=0.0, help="pause between one client's writes")
    ap.add_argument("--drain-s", type=float, default=60)
    ap.add_argument("--with-persons", action="store_true")
    args = ap.parse_args()
    writer = args.writer_key_file.read_text().strip()
    reader = args.reader_key_file.read_text().strip()
    rx = Receiver()
    target = urllib.parse.urlsplit(args.url)

    def control() -> http.client.HTTPConnection:  # a fresh connection: a phase outlives keep-alive
        return http.client.HTTPConnection(target.hostname, target.port, timeout=60)

    for _ in range(args.rounds):
        print(json.dumps(phase(args, writer, rx, "off")), flush=True)
        status, sub = _call(control(), "POST", "/api/v1/subscriptions", reader,
                            {"url": rx.url, "secret": SECRET, "rules": ["new_victim"]})
        if status != 201:
            raise SystemExit(f"subscribing failed: {status} {sub}")
        print(json.dumps(phase(args, writer, rx, "on")), flush=True)
        _call(control(), "DELETE", f"/api/v1/subscriptions/{sub['id']}", reader)


if __name__ == "__main__":
    main()
