"""Benchmark: the serial ranking past its refresh age, on the register in the running database.

Computes the first page (waiting for it), lets the cache pass its refresh age, asks again with
the HTTP job wait (20 s) and times that answer, then polls until the background refresh has
replaced it::

    GRAPHSVC_HOME=... GRAPHSVC_NEO4J_PORT=... .venv/bin/python bench/serial_refresh.py

Results are in docs/analysis.md ("Refreshed in the background").
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    from graphsvc import services
    from graphsvc.config import Settings
    from graphsvc.graph.db import Database

    db = Database(Settings.from_env())
    jobs = services.JobCache(ttl_s=120, wait_s=None)
    t = time.perf_counter()
    a = services.serial(db, jobs=jobs)
    print("first page", round(time.perf_counter() - t, 1), "s; computed_at", a["computed_at"], flush=True)
    jobs.ttl_s = 1
    time.sleep(1.5)
    jobs.wait_s = 20
    t = time.perf_counter()
    b = services.serial(db, jobs=jobs)
    print("past the refresh age", round((time.perf_counter() - t) * 1000, 1), "ms; computed_at", b["computed_at"],
          "; same page", b["persons"] == a["persons"], flush=True)
    t0 = time.perf_counter()
    while True:
        c = services.serial(db, jobs=jobs)
        if c["computed_at"] != a["computed_at"]:
            break
        time.sleep(2)
    print("refreshed after", round(time.perf_counter() - t0, 1), "s; computed_at", c["computed_at"],
          "; same page", c["persons"] == a["persons"])
    db.close()


if __name__ == "__main__":
    main()
