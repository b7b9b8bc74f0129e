"""The service as deployed: gunicorn with the project's ``gunicorn.conf.py`` (gthread workers,
the ``post_worker_init`` hook that loads the check's model), against this run's Neo4j."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from graphsvc.security import keys as auth
from graphsvc.graph.db import Database
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _request(url: str, headers: dict[str, str] | None = None, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={**(headers or {}), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 (loopback URL built here)
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_gunicorn_workers_boot_with_the_project_config_and_answer_checks(db: Database, load, neo4j_env,
                                                                        tmp_path: Path) -> None:
    load([{"kind": "person", "id": "GS-P-1", "source": "GS", "given_name": "Daniel", "family_name": "Okafor",
           "phones": ["07700 900123"]}])
    key, _ = auth.create_key(db, role="investigator", name="gunicorn-test")
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, **neo4j_env, "GRAPHSVC_BIND": f"127.0.0.1:{port}", "GRAPHSVC_WORKERS": "2",
           "GRAPHSVC_THREADS": "2"}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, _ = _request(f"{base}/ready")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert status == 200, log.read_text()[-3000:]

        # every answer comes from a booted worker: several requests reach both
        for _ in range(4):
            status, body = _request(f"{base}/check", {"Authorization": f"Bearer {key}", "X-Purpose": "OP-GUNICORN"},
                                {"subject": {"given_name": "Danny", "phones": ["07700900123"]}})
            assert status == 200, body
            assert body["matches"][0]["person_id"] == "GS-P-1"
            assert body["scorer"].startswith("model:")  # the model loaded by post_worker_init
        text = log.read_text()
        assert "Worker failed to boot" not in text and "Traceback" not in text, text[-3000:]
        assert text.count("Booting worker") == 2
        assert text.count("process warmed: intake check scorer model:") == 2  # post_worker_init, each worker
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=40)
