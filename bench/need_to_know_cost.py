"""Benchmark: what the need-to-know rule (contract section 5) costs on ``POST /check`` and
``GET /persons/{id}/fixation``, an agency's key against a national key in the same run.

Both keys are investigators; the agency key acts for ``--agency``, so every answer naming
another agency's victims goes through the owner look-up and withholding that a national key
skips. A third endpoint, the profile of one of those victims (``GET /persons/{id}``), is the
worst case: every such answer is withheld from. The requests go through the whole service in-process (``create_app`` and Flask's test
client: authentication, the audit entry, the read quota, redaction and withholding, JSON), over
a register already loaded in the database the environment names::

    graphsvc generate --people 100000 --seed 1 --out bench/out/register-100000-1.jsonl
    graphsvc db start && graphsvc load bench/out/register-100000-1.jsonl
    python bench/need_to_know_cost.py --register bench/out/register-100000-1.jsonl --probes 300

Each probe is asked by both keys, one after the other, the order swapped from probe to probe
so neither key always finds the caches warm; ``--rounds`` repeats the whole set. Printed: per
endpoint and key, the requests, median, p95 and mean in ms, how many answers withheld
something (the rule was at work), and the agency/national ratios of the median and of the
total time. Reads are charged to each key's daily quota as in service, so both keys get
``--quota`` (default: larger than the run can reach).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import time
from pathlib import Path
from typing import Any

from benchlib import percentile, register_records

#: check and fixation (the issue's targets), and a profile of another agency's victim: the answer
#: the rule always withholds from, its worst case.
ENDPOINTS = ("check", "fixation", "victim_profile")


def _probes(register: Path, count: int, agency: str) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Offenders with at least one victim of an agency other than ``agency`` (so the rule has
    something to withhold), thinned evenly to ``count``: their check subjects (names, dob, a
    phone, as a case system describes a man), their ids for fixation, and for each his first
    such victim (her profile: an answer the rule always withholds from)."""
    persons: dict[str, dict[str, Any]] = {}
    foreign: set[str] = set()
    victims_of: dict[str, set[str]] = {}
    for r in register_records(register):
        if r.get("kind") == "person":
            persons[r["id"]] = r
        elif r.get("kind") == "incident":
            for o in r.get("offender_ids") or []:
                victims_of.setdefault(o, set()).update(r.get("victim_ids") or [])
    first_foreign: dict[str, str] = {}
    for offender, victims in victims_of.items():
        away = sorted(v for v in victims if persons.get(v, {}).get("source") not in (None, agency)
                      and v not in victims_of)  # recorded only as a victim: her details are withheld
        if offender in persons and away:
            foreign.add(offender)
            first_foreign[offender] = away[0]
    ids = sorted(foreign)
    ids = ids[::max(1, len(ids) // count)][:count]
    subjects = []
    for pid in ids:
        p = persons[pid]
        subject = {k: p[k] for k in ("given_name", "family_name", "dob") if p.get(k)}
        if p.get("phones"):
            subject["phones"] = p["phones"][:1]
        subjects.append(subject)
    return subjects, ids, [first_foreign[pid] for pid in ids]


def _stats(ms: list[float], withheld: int) -> dict[str, Any]:
    return {"requests": len(ms), "median_ms": round(statistics.median(ms), 2),
            "p95_ms": round(percentile(ms, 0.95), 2), "mean_ms": round(statistics.fmean(ms), 2),
            "total_s": round(sum(ms) / 1000, 2), "answers_withholding": withheld}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--register", type=Path, required=True, help="the JSON Lines file that was loaded")
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--agency", default="MPS", help="the agency key's agency (default MPS)")
    parser.add_argument("--quota", type=int, default=10_000_000)
    args = parser.parse_args()

    from graphsvc.app import create_app
    from graphsvc.extensions import graph_db
    from graphsvc.security.keys import create_key

    quotas = {role: args.quota for role in ("investigator", "offender_manager", "admin", "case_system")}
    app = create_app({"TESTING": True, "JSON_LOGS": False, "RATE_LIMIT_PER_S": 1e9, "RATE_LIMIT_BURST": 10**9,
                      "JOB_WAIT_S": None, "READ_QUOTAS": quotas})
    client = app.test_client()
    tag = secrets.token_hex(3)
    with app.app_context():
        national, _ = create_key(graph_db.get(), role="investigator", name=f"ntk-bench national {tag}")
        agency, _ = create_key(graph_db.get(), role="investigator", name=f"ntk-bench {args.agency} {tag}",
                               agency=args.agency)
    keys = {"national": national, "agency": agency}
    subjects, offenders, victims = _probes(args.register, args.probes, args.agency)
    print(f"{len(subjects)} probes: offenders with a victim outside {args.agency}", flush=True)

    def ask(who: str, endpoint: str, probe: int) -> tuple[float, bool]:
        headers = {"Authorization": f"Bearer {keys[who]}", "X-Purpose": "need-to-know benchmark"}
        start = time.perf_counter()
        if endpoint == "check":
            r = client.post("/api/v1/check", json={"subject": subjects[probe]}, headers=headers)
        elif endpoint == "fixation":
            r = client.get(f"/api/v1/persons/{offenders[probe]}/fixation", headers=headers)
        else:
            r = client.get(f"/api/v1/persons/{victims[probe]}", headers=headers)
        elapsed = (time.perf_counter() - start) * 1000
        if r.status_code != 200:
            raise SystemExit(f"{endpoint} {probe} by the {who} key: HTTP {r.status_code} {r.get_json()}")
        return elapsed, bool(r.get_json().get("withheld_by"))

    # a warm-up pass (plan caches, page cache), not counted
    for i in range(min(20, len(offenders))):
        for endpoint in ENDPOINTS:
            ask("national", endpoint, i)
            ask("agency", endpoint, i)
    results: dict[str, Any] = {}
    for endpoint in ENDPOINTS:
        ms: dict[str, list[float]] = {"national": [], "agency": []}
        withheld = {"national": 0, "agency": 0}
        for rnd in range(args.rounds):
            for i in range(len(offenders)):
                order = ("national", "agency") if (i + rnd) % 2 == 0 else ("agency", "national")
                for who in order:
                    elapsed, w = ask(who, endpoint, i)
                    ms[who].append(elapsed)
                    withheld[who] += w
        n, a = _stats(ms["national"], withheld["national"]), _stats(ms["agency"], withheld["agency"])
        results[endpoint] = {"national": n, "agency": a,
                             "ratio_median": round(a["median_ms"] / n["median_ms"], 3),
                             "ratio_total": round(a["total_s"] / n["total_s"], 3)}
    print(json.dumps({"agency": args.agency, "probes": len(offenders), "rounds": args.rounds,
                      "results": results}, indent=2))


if __name__ == "__main__":
    main()
