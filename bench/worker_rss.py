"""Benchmark: each service worker's peak memory while it serves the register-wide answers.

Run it against a running service (gunicorn) whose worker pids you pass::

    python bench/worker_rss.py --url http://127.0.0.1:8099 --key-file KEYFILE \\
        --truth REGISTER.truth.jsonl --pids PID1,PID2

``--clients`` threads at once each read the serial ranking's first ``--pages`` pages of 200
(cursor by cursor), a page of unidentified clusters and ``--checks`` intake checks (the
generator's probes). Prints each client's first-page time and each worker's ``VmHWM`` (peak
RSS) and ``VmRSS`` before and after. The key needs the read and check permissions
(``investigator``), with a read quota above what the run reads (``GRAPHSVC_READ_QUOTAS``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from api_check import _subjects


def _memory(pid: int) -> dict[str, int]:
    """``VmHWM`` and ``VmRSS`` of ``pid`` in MiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            out[name] = int(value.split()[0]) // 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--key-file", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--pids", required=True, help="the workers' pids, comma-separated")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--checks", type=int, default=200)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    headers = {"Authorization": f"Bearer {args.key_file.read_text(encoding='utf-8').strip()}",
               "X-Purpose": "worker memory benchmark", "Content-Type": "application/json"}
    subjects = _subjects(args.truth, args.clients * args.checks)
    pids = [int(p) for p in args.pids.split(",") if p]
    before = {pid: _memory(pid) for pid in pids}
    report: list[dict[str, Any]] = []

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=120)

        def get(path: str) -> dict[str, Any]:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = json.loads(response.read())
            if response.status != 200:
                raise SystemExit(f"GET {path}: HTTP {response.status} {body}")
            return body  # type: ignore[no-any-return]

        start = time.perf_counter()
        cursor = get("/api/v1/patterns/serial?min_victims=2").get("next_cursor")
        first_ms = (time.perf_counter() - start) * 1000
        pages = 1
        while cursor and pages < args.pages:
            cursor = get(f"/api/v1/patterns/serial?min_victims=2&limit=200&cursor={cursor}").get("next_cursor")
            pages += 1
        get("/api/v1/patterns/unidentified?limit=200")
        for body in subjects[n::args.clients][:args.checks]:
            conn.request("POST", "/api/v1/check", body=json.dumps(body), headers=headers)
            conn.getresponse().read()
        report.append({"client": n, "first_page_ms": round(first_ms, 1), "serial_pages": pages})

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"clients": sorted(report, key=lambda r: r["client"]),
                      "workers_mib": {pid: {"before": before[pid], "after": _memory(pid)} for pid in pids}}, indent=2))


if __name__ == "__main__":
    main()
