"""``graphsvc state verify``: the pattern state against the register-wide computation from the
raw records (docs/pattern-state.md, "Proof that the state is right").

:func:`verify` recomputes the serial ranking, every group's check card and the unidentified
clusters the way :func:`graphsvc.services.state.rebuild` does, and compares them with what is
stored, group by group and cluster by cluster.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository import state as store
from graphsvc.services.ranking import scored
from graphsvc.services.state import (
    _carded,
    _cluster_row,
    _finish,
    _meta_settings,
    _register_wide,
    rank_key,
    register_clusters,
)
from loaders.times import today as london_today

__all__ = ["verify"]


def verify(db: Database, *, today: dt.date | None = None) -> dict[str, Any]:
    """Recompute the ranking and the unidentified clusters from the raw records the register-wide
    way (the state's settings) and compare them with the state, group by group and cluster by
    cluster. Returns ``{"clean", "groups" (expected), "states" (stored), "clusters" (expected),
    "cluster_states" (stored), "pending" (outbox entries not yet applied: differences they
    explain are still reported), "differences": [{"person_id" or "cluster_id", "problem",
    "fields"?}]}``."""
    day = today or london_today()
    found = store.pending(db)
    meta = found["meta"]
    if meta is None or not meta.get("threshold"):
        return {"clean": False, "groups": None, "states": 0, "pending": int(found["pending"] or 0),
                "differences": [{"person_id": None, "problem": "no state: run graphsvc state rebuild"}]}
    threshold, th = _meta_settings(meta)
    expected = {parts[0]["person_id"]: scored(*parts, day) for parts in _register_wide(db, threshold, th)}
    stored = {r["person_id"]: r for r in store.all_states(db)}
    diffs: list[dict[str, Any]] = []
    for pid in sorted(set(expected) | set(stored)):
        if pid not in stored:
            diffs.append({"person_id": pid, "problem": "missing"})
            continue
        if pid not in expected:
            diffs.append({"person_id": pid, "problem": "extra"})
            continue
        want, row = json.loads(json.dumps(expected[pid], default=str)), stored[pid]
        got = json.loads(json.dumps(_finish(row, day), default=str))
        fields = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        if fields:
            diffs.append({"person_id": pid, "problem": "changed", "fields": fields})
        if sorted(row["member_ids"]) != sorted(want["person_ids"]):
            diffs.append({"person_id": pid, "problem": "members"})
        holds = row["as_of"] <= day < row["valid_until"]
        if holds and row["rank"] != rank_key(want["risk_score"], want["victim_count"], pid):
            diffs.append({"person_id": pid, "problem": "rank"})
    # each group's check card, read again the way the check reads it
    kept = [{"person_id": pid, "member_ids": sorted(expected[pid]["person_ids"])} for pid in sorted(expected)
            if pid in stored]
    for want_card in _carded(db, kept, threshold, th, day):
        pid = want_card["person_id"]
        if stored[pid].get("check") != want_card["check"]:
            diffs.append({"person_id": pid, "problem": "check card",
                          "fields": _card_fields(stored[pid].get("check"), want_card["check"])})
    clusters = _verify_clusters(db)
    diffs += clusters["differences"]
    if not meta.get("ready"):
        diffs.append({"person_id": None, "problem": "not ready (a rebuild is under way or died)"})
    if not meta.get("clusters_ready"):
        diffs.append({"cluster_id": None, "problem": "no cluster states: run graphsvc state rebuild"})
    return {"clean": not diffs, "groups": len(expected), "states": len(stored), "clusters": clusters["expected"],
            "cluster_states": clusters["stored"], "pending": int(found["pending"] or 0), "differences": diffs}


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else list(value)


def _verify_clusters(db: Database) -> dict[str, Any]:
    """The unidentified clusters computed register-wide against the cluster states, cluster by
    cluster: ``{"expected", "stored", "differences": [{"cluster_id", "problem", "fields"?}]}``."""
    want = {c["incident_ids"][0]: _cluster_row(c) for c in register_clusters(db)}
    got = {r["cluster_id"]: r for r in store.all_cluster_states(db)}
    diffs: list[dict[str, Any]] = []
    for cid in sorted(set(want) | set(got)):
        if cid not in got:
            diffs.append({"cluster_id": cid, "problem": "missing"})
        elif cid not in want:
            diffs.append({"cluster_id": cid, "problem": "extra"})
        else:
            fields = [k for k in ("bridging_identifiers", "identifiers", "incident_ids", "rank", "shared_identifiers")
                      if _plain(got[cid][k]) != want[cid][k]]
            if sorted(got[cid]["linked_ids"]) != want[cid]["incident_ids"]:
                fields.append("links")
            if fields:
                diffs.append({"cluster_id": cid, "problem": "changed", "fields": fields})
    return {"expected": len(want), "stored": len(got), "differences": diffs}


def _card_fields(got: str | None, want: str) -> list[str]:
    if got is None:
        return ["(none)"]
    a, b = json.loads(got), json.loads(want)
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
