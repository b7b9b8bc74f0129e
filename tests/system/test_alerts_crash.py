"""Alerts survive crashes (issue #20): the service killed with kill -9 between the commit of a
write and the delivery of its alert delivers it after it restarts; Neo4j killed at the same
point, the same. Nothing is lost, and a repeat carries the same id. gunicorn as deployed (its
workers run the dispatcher), a receiver in the test on loopback, this run's Neo4j."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from graphsvc.config import Settings
from graphsvc.graph import localdb
from graphsvc.graph.db import Database
from graphsvc.security import keys as auth
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "crash-secret-0123456789abcdef"


class Receiver:
    """Answers 503 while ``down``, else 204; keeps every attempt's (status, alert id)."""

    def __init__(self) -> None:
        self.down = True
        self.seen: list[tuple[int, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = 503 if outer.down else 204
                outer.seen.append((status, self.headers.get("X-Graphsvc-Alert-Id", "")))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[str]:
        return [i for s, i in self.seen if s == 204]

    def refused(self) -> list[str]:
        return [i for s, i in self.seen if s == 503]


def _request(url: str, key: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Authorization": f"Bearer {key}", "X-Purpose": "OP-CRASH",
                                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 (loopback URL built here)
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _wait(condition: Any, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("a") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://{env['GRAPHSVC_BIND']}/api/v1"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{base}/ready", timeout=5) as r:  # noqa: S310
                return r.status == 200
        except OSError:
            return False

    _wait(lambda: ready() or proc.poll() is not None, 90, "gunicorn ready")
    assert proc.poll() is None, log.read_text()[-3000:]
    return proc


def _incident(n: int) -> list[dict[str, Any]]:
    return [{"kind": "incident", "id": f"CR-I{n}", "source": "WMP", "occurred_at": f"2024-0{n}-01T10:00:00",
             "type": "visit", "offender_ids": ["CR-R"], "victim_ids": [f"CR-V{n}"]}]


def test_alerts_are_delivered_after_the_service_and_then_neo4j_are_killed(
        db: Database, neo4j_env: dict[str, str], neo4j_settings: Settings, tmp_path: Path) -> None:
    rx = Receiver()
    writer, _ = auth.create_key(db, role="case_system", name="crash-writer")
    reader, _ = auth.create_key(db, role="investigator", name="crash-reader")
    port = free_port()
    env = {**os.environ, **neo4j_env, "GRAPHSVC_BIND": f"127.0.0.1:{port}", "GRAPHSVC_WORKERS": "2",
           "GRAPHSVC_THREADS": "2", "GRAPHSVC_ALERT_POLL_S": "0.1", "GRAPHSVC_ALERT_LEASE_S": "3",
           "GRAPHSVC_AUTO_RESOLVE": "0"}
    base = f"http://127.0.0.1:{port}/api/v1"
    log = tmp_path / "gunicorn.log"
    proc = _serve(env, log)
    killed_db = False
    try:
        status, sub = _request(f"{base}/subscriptions", reader, {"url": rx.url, "secret": SECRET, "rules": ["new_victim"]})
        assert status == 201, sub
        # 1. the write commits, its alert is refused by the receiver (down), the service is killed
        status, out = _request(f"{base}/records", writer, _incident(1))
        assert status == 200, out
        _wait(lambda: bool(rx.refused()), 30, "a first, refused attempt")
        first = rx.refused()[0]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        rx.down = False
        proc = _serve(env, log)
        _wait(lambda: bool(rx.delivered()), 60, "the delivery after the restart")
        assert rx.delivered() == [first], rx.seen

        # 2. the same with Neo4j killed while the alert waits
        rx.down = True
        status, out = _request(f"{base}/records", writer, _incident(2))
        assert status == 200, out
        _wait(lambda: len(set(rx.refused())) == 2, 30, "the second alert's refused attempt")
        second = [i for i in dict.fromkeys(rx.refused()) if i != first][0]
        assert localdb.kill(neo4j_settings)
        killed_db = True
        time.sleep(2)
        rx.down = False
        localdb.start(neo4j_settings)
        killed_db = False
        _wait(lambda: second in rx.delivered(), 90, "the delivery after Neo4j's restart")
        assert set(rx.delivered()) == {first, second}, rx.seen
        query = "MATCH (a:Alert) RETURN a.id AS id, a.delivered_at IS NOT NULL AS delivered ORDER BY a.seq"
        _wait(lambda: all(r["delivered"] for r in db.execute(query)), 30, "the deliveries recorded")
        assert [(r["id"], r["delivered"]) for r in db.execute(query)] == [(first, True), (second, True)]
    finally:
        if killed_db:
            localdb.start(neo4j_settings)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=40)
        except ProcessLookupError:
            pass
        rx.server.shutdown()
