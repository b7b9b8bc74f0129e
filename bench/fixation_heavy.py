"""Benchmark: fixation of one offender with 50 victims and 5,000 incidents (issue 3's case).

Adds that offender to the register of the running local database (``GRAPHSVC_HOME`` /
``GRAPHSVC_NEO4J_PORT`` as for every ``graphsvc`` command; ids start ``BENCH-HEAVY-`` so nothing
else is touched, and reloading is idempotent), then times, warm and in the same run:

* ``services.fixation`` (what ``GET /persons/{id}/fixation`` and ``graphsvc fixation`` call:
  the identity group, incidents, orders, per-victim fixation, escalation, FOUR, the pattern);
* the raw Cypher round trip that reads the same incidents and orders
  (``get_perpetrator_records``; since session 6 fixation does not read the linked unidentified
  incidents, which it never showed, and neither does this).

    GRAPHSVC_HOME=... GRAPHSVC_NEO4J_PORT=... .venv/bin/python bench/fixation_heavy.py --repeat 20

The offender: 50 victims over eight years, 100 incidents each (remote contact first, then
presence, some threats and assaults late), a restraining order protecting a fifth of the
victims, breaches recorded against it. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OFFENDER = "BENCH-HEAVY-P-0"
REMOTE = ["call", "text", "email", "social_media"]
PHYSICAL = ["visit", "following", "loitering", "damage", "threat", "assault"]


def records(victims: int, per_victim: int, seed: int) -> list[dict[str, Any]]:
    """The offender, his victims, their incidents and the orders (contract record shapes)."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = [{
        "kind": "person", "id": OFFENDER, "source": "BENCH", "given_name": "Heavy", "family_name": "Benchmark",
        "dob": "1979-03-04", "phones": ["07700 900001"],
    }]
    start = dt.datetime(2016, 1, 1, tzinfo=dt.timezone.utc)
    for v in range(victims):
        vid = f"BENCH-HEAVY-V-{v}"
        out.append({"kind": "person", "id": vid, "source": "BENCH", "given_name": f"Victim{v}",
                    "family_name": "Benchmark"})
        first = start + dt.timedelta(days=v * 55)
        order_id = None
        if v % 5 == 0:
            order_id = f"BENCH-HEAVY-O-{v}"
            out.append({"kind": "order", "id": order_id, "source": "BENCH", "type": "restraining_order",
                        "issued_on": (first + dt.timedelta(days=60)).date().isoformat(),
                        "expires_on": (first + dt.timedelta(days=60 + 730)).date().isoformat(),
                        "respondent_id": OFFENDER, "protected_ids": [vid]})
        for n in range(per_victim):
            at = first + dt.timedelta(hours=n * 20 + rng.randrange(12))
            phase = n / per_victim
            kinds = REMOTE if phase < 0.4 else (PHYSICAL[:3] if phase < 0.8 else PHYSICAL)
            rec: dict[str, Any] = {
                "kind": "incident", "id": f"BENCH-HEAVY-I-{v}-{n}", "source": "BENCH",
                "occurred_at": at.isoformat(), "type": rng.choice(kinds),
                "offender_ids": [OFFENDER], "victim_ids": [vid],
            }
            if order_id and phase > 0.6 and n % 10 == 0:
                rec["breached_order_ids"] = [order_id]
            out.append(rec)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--victims", type=int, default=50)
    parser.add_argument("--per-victim", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    from graphsvc import services
    from graphsvc.config import Settings
    from graphsvc.graph.db import Database
    from graphsvc.services.ingest import load
    from loaders.sources import read_jsonl

    db = Database(Settings.from_env())
    recs = records(args.victims, args.per_victim, args.seed)
    t0 = time.perf_counter()
    payload = "".join(json.dumps(r) + "\n" for r in recs).encode("utf-8")
    summary = load(db, read_jsonl(io.BytesIO(payload), "fixation_heavy"), batch_size=2000)
    load_s = time.perf_counter() - t0
    persons = db.execute("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]
    services.warm_process(db.settings)  # as each gunicorn worker does after start-up (gunicorn.conf.py)

    fixation_ms: list[float] = []
    raw_ms: list[float] = []
    first = None
    for k in range(args.repeat + 1):
        t = time.perf_counter()
        fx = services.fixation(db, OFFENDER)
        ms = (time.perf_counter() - t) * 1000
        if k == 0:
            first = ms
        else:
            fixation_ms.append(ms)
        t = time.perf_counter()
        rows = db.read("get_perpetrator_records", ids=[OFFENDER], pairs=[], threshold=0.9, unidentified=False)
        raw_ms.append((time.perf_counter() - t) * 1000)
    victims = fx["victims"]
    result = {
        "register_persons": persons,
        "offender": OFFENDER,
        "victims": len(victims),
        "incidents": sum(v["incident_count"] for v in victims),
        "raw_rows": len(rows[0]["incidents"]) if rows else 0,
        "records_loaded": summary.written.total,
        "load_seconds": round(load_s, 2),
        "fixation_ms_first": round(first or 0.0, 1),
        "fixation_ms_warm_p50": round(statistics.median(fixation_ms), 1),
        "fixation_ms_warm_p99": round(percentile(fixation_ms, 0.99), 1),
        "raw_cypher_ms_p50": round(statistics.median(raw_ms), 1),
        "raw_cypher_ms_p99": round(percentile(raw_ms, 0.99), 1),
        "repeat": args.repeat,
    }
    db.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
