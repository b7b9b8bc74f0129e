"""Digest of the register's answers, to show that a change of structure changed no answer.

It asks the service (through ``graphsvc.app.create_app`` and the HTTP API, the interfaces a
restructuring must keep) for the intake check, fixation, linked victims, the serial ranking
and the unidentified clusters, over a register already loaded in the database that the
environment names (``NEO4J_URI`` ...), and prints one SHA-256 per analysis and one over all.
Run it with two versions of the code against the same database: equal digests, same answers.

    graphsvc generate --people 10000 --seed 1 --out /tmp/r10k.jsonl
    graphsvc load /tmp/r10k.jsonl
    python bench/answers_digest.py --register /tmp/r10k.jsonl --probes 300

Fields that say when an answer was computed (``computed_at``, ``stale``) are left out of the
digest; everything else is hashed as the API serialises it (keys sorted).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import secrets
import subprocess  # nosec B404: runs this project's own CLI
import sys
from pathlib import Path
from typing import Any

from benchlib import register_records

_TIMING = ("computed_at", "stale")


def _without_timing(payload: Any) -> Any:
    if isinstance(payload, dict):
        return {k: _without_timing(v) for k, v in payload.items() if k not in _TIMING}
    if isinstance(payload, list):
        return [_without_timing(v) for v in payload]
    return payload


def _key(graphsvc: str) -> str:
    name = f"answers-digest {secrets.token_hex(4)}"  # key names are unique
    out = subprocess.run([graphsvc, "keys", "create", "--role", "investigator", "--name", name],
                         check=True, capture_output=True, text=True).stdout  # nosec B603
    found = re.search(r"gsk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", out)
    if not found:
        raise SystemExit(f"no key in the output of keys create: {out!r}")
    return found.group(0)


def _probes(register: Path, count: int) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Check subjects (every k-th person, as a case system would describe them), offenders and
    victims, each list sorted by id and thinned evenly to ``count``."""
    persons: dict[str, dict[str, Any]] = {}
    offenders: set[str] = set()
    victims: set[str] = set()
    for r in register_records(register):
        if r.get("kind") == "person":
            persons[r["id"]] = r
        elif r.get("kind") == "incident":
            offenders.update(r.get("offender_ids") or [])
            victims.update(r.get("victim_ids") or [])

    def thin(ids: list[str]) -> list[str]:
        step = max(1, len(ids) // count)
        return ids[::step][:count]

    subjects = []
    for pid in thin(sorted(offenders & set(persons))):
        p = persons[pid]
        subject = {k: p[k] for k in ("given_name", "family_name", "dob") if p.get(k)}
        if p.get("phones"):
            subject["phones"] = p["phones"][:1]
        subjects.append(subject or {"family_name": "Nobody"})
    return subjects, thin(sorted(offenders)), thin(sorted(victims))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--register", type=Path, required=True, help="the JSON Lines file that was loaded")
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--graphsvc", default=str(Path(sys.executable).with_name("graphsvc")))
    parser.add_argument("--out", type=Path, help="also write every answer here (JSON Lines) to diff two runs")
    args = parser.parse_args()

    from graphsvc.app import create_app

    app = create_app({"TESTING": True, "JSON_LOGS": False, "RATE_LIMIT_PER_S": 1e9, "RATE_LIMIT_BURST": 10**9,
                      "JOB_WAIT_S": None})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {_key(args.graphsvc)}", "X-Purpose": "answers digest"}
    subjects, offenders, victims = _probes(args.register, args.probes)
    digests = {name: hashlib.sha256() for name in ("check", "fixation", "linked_victims", "serial", "unidentified")}
    dump = args.out.open("w", encoding="utf-8") if args.out else None

    def take(name: str, what: Any, response: Any) -> Any:
        body = response.get_json()
        if response.status_code != 200:
            raise SystemExit(f"{name} {what}: HTTP {response.status_code} {body}")
        text = json.dumps([what, _without_timing(body)], sort_keys=True, ensure_ascii=False)
        digests[name].update(text.encode("utf-8") + b"\n")
        if dump:
            dump.write(json.dumps({"analysis": name, "probe": what, "answer": _without_timing(body)},
                                  sort_keys=True) + "\n")
        return body

    for subject in subjects:
        take("check", subject, client.post("/api/v1/check", json={"subject": subject}, headers=headers))
    for pid in offenders:
        take("fixation", pid, client.get(f"/api/v1/persons/{pid}/fixation", headers=headers))
    for pid in victims:
        take("linked_victims", pid, client.get(f"/api/v1/persons/{pid}/linked-victims", headers=headers))
    for path, name in (("/api/v1/patterns/serial?min_victims=2&limit=200", "serial"),
                       ("/api/v1/patterns/unidentified?limit=200", "unidentified")):
        cursor: str | None = None
        while True:
            url = path + (f"&cursor={cursor}" if cursor else "")
            cursor = take(name, url.split("?", 1)[1], client.get(url, headers=headers)).get("next_cursor")
            if not cursor:
                break
    if dump:
        dump.close()
    total = hashlib.sha256()
    counts = {"check": len(subjects), "fixation": len(offenders), "linked_victims": len(victims)}
    for name, h in digests.items():
        total.update(h.digest())
        print(f"{name:15} {h.hexdigest()}  ({counts.get(name, 'all pages')})")
    print(f"{'all':15} {total.hexdigest()}")


if __name__ == "__main__":
    main()
