"""Keys whose reads are unusual (issue #18): the misuse of a valid key, read from the audit log.

``graphsvc audit anomalies`` and ``GET /audit/anomalies`` (admin) list, over a window of the
audit log (the last 7 days by default), each key whose reads show one of:

- ``quota_exceeded``: it was refused for reading past its daily quota of distinct persons
  (:mod:`graphsvc.security.quota`);
- ``volume``: on some London day it read at least ``near_quota`` (80 %) of its role's quota, or
  at least three times as many distinct persons as the median key of its role did that day
  (and at least 20);
- ``unlinked_read``: under one purpose, an answer whose persons have no link (within two
  person-steps through an incident, an order or an identity link) to the persons of the
  purpose's other answers, when there are at least two others: the look-up that does not belong
  to the case it claims;
- ``own_victim_by_name_search``: a key of agency A reached one of A's own victims (a person
  recorded only as a victim) by name search alone: every answer naming her under that purpose
  is the search or a read of her own record, none came through the case (an offender's
  fixation, a check, a network), and at least one is a read of her record after the search (a
  surname search that lists her among others is not one).

Each anomaly names the key (``actor``, ``actor_agency``), the persons and the audit entries
(``audit_seqs``) behind it. An agency's admin sees its own keys' anomalies only.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository import audit as store
from graphsvc.repository.records import record_owners
from graphsvc.security.quota import DEFAULT_QUOTAS
from loaders.times import local_day

__all__ = ["KINDS", "find_anomalies"]

KINDS = ("quota_exceeded", "volume", "unlinked_read", "own_victim_by_name_search")
_SEARCH = "/api/v1/search"


def _day(at: str) -> str:
    return local_day(dt.datetime.fromisoformat(at)).isoformat()


def _path(entry: Mapping[str, Any]) -> str:
    query = entry.get("query")
    return str(query.get("path", "")) if isinstance(query, dict) else ""


def _anomaly(kind: str, entry: Mapping[str, Any], summary: str, person_ids: list[str],
             seqs: list[int]) -> dict[str, Any]:
    return {"kind": kind, "actor": entry["actor"], "actor_agency": entry.get("actor_agency"),
            "role": entry.get("role"), "summary": summary, "person_ids": person_ids,
            "audit_seqs": sorted(set(seqs))}


def find_anomalies(db: Database, *, since: str, agency: str | None = None,
                   quotas: Mapping[str, int] = DEFAULT_QUOTAS, near_quota: float = 0.8) -> dict[str, Any]:
    """The anomalies in the audit entries at or after ``since`` (UTC text), of ``agency``'s keys
    (``None``: every key); see the module docs."""
    entries = store.reads_since(db, since, agency)
    reads = [e for e in entries if e["action"] in ("consultation", "disclosure") and e.get("status") == "200"]
    found: list[dict[str, Any]] = []

    refused: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in entries:
        if e["action"] == "access_denied" and isinstance(e.get("query"), dict) \
                and e["query"].get("reason") == "quota_exceeded":
            refused[e["actor"]].append(e)
    for actor, es in refused.items():
        found.append(_anomaly("quota_exceeded", es[0], f"refused {len(es)} time(s) past its daily read quota "
                              f"of {es[0]['query'].get('quota')} distinct persons", [], [e["seq"] for e in es]))

    found.extend(_volume(reads, quotas, near_quota))
    found.extend(_unlinked(db, reads))
    found.extend(_own_victims_by_search(db, reads))
    return {"since": since, "agency": agency, "anomalies": found}


def _volume(reads: list[dict[str, Any]], quotas: Mapping[str, int], near_quota: float) -> list[dict[str, Any]]:
    per: dict[tuple[str, str], dict[str, Any]] = {}
    for e in reads:
        slot = per.setdefault((e["actor"], _day(e["at"])), {"entry": e, "persons": set(), "seqs": []})
        slot["persons"].update(e.get("person_ids") or [])
        slot["seqs"].append(e["seq"])
    by_role_day: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (actor, day), slot in per.items():
        by_role_day[(slot["entry"].get("role"), day)].append(len(slot["persons"]))
    out = []
    for (actor, day), slot in sorted(per.items()):
        n = len(slot["persons"])
        role = slot["entry"].get("role")
        quota = int(quotas.get(role, DEFAULT_QUOTAS["investigator"]))
        median = statistics.median(by_role_day[(role, day)])
        if n >= near_quota * quota or (n >= 20 and n >= 3 * median and len(by_role_day[(role, day)]) > 1):
            out.append(_anomaly("volume", slot["entry"], f"read {n} distinct persons on {day} (quota {quota}; "
                                f"median of its role that day {median:g})", sorted(slot["persons"]), slot["seqs"]))
    return out


def _unlinked(db: Database, reads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in reads:
        if e["action"] == "consultation" and e.get("person_ids") and e.get("purpose"):
            groups[(e["actor"], e["purpose"])].append(e)
    out = []
    for (_, purpose), es in groups.items():
        if len(es) < 3:
            continue
        for e in es:
            # another answer naming one of its persons links it (a fixation and her profile)
            others = sorted({p for o in es if o["seq"] != e["seq"] for p in o["person_ids"]})
            if not others or store.linked_reads(db, list(e["person_ids"]), others):
                continue
            out.append(_anomaly("unlinked_read", e, f"read {', '.join(e['person_ids'][:5])} under purpose "
                                f"{purpose!r} with no link to the purpose's other {len(others)} persons",
                                list(e["person_ids"]), [e["seq"]]))
    return out


def _own_victims_by_search(db: Database, reads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    candidates: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in reads:
        if e.get("actor_agency"):
            candidates[(e["actor"], e.get("purpose") or "")].append(e)
    searched = {p for es in candidates.values() for e in es if _path(e) == _SEARCH for p in e["person_ids"]}
    owners = {row["id"]: row for row in record_owners(db, sorted(searched))} if searched else {}
    out = []
    for (_, purpose), es in candidates.items():
        agency = es[0]["actor_agency"]
        for pid in sorted({p for e in es if _path(e) == _SEARCH for p in e["person_ids"]}):
            owner = owners.get(pid)
            if not owner or owner["kind"] != "person" or not owner["victim"] or owner["source"] != agency:
                continue
            naming = [e for e in es if pid in e["person_ids"]]
            own_reads = [e for e in naming if _path(e).startswith(f"/api/v1/persons/{pid}")]
            direct = all(_path(e) == _SEARCH or e in own_reads for e in naming)
            if direct and own_reads and _path(naming[0]) == _SEARCH:
                out.append(_anomaly("own_victim_by_name_search", naming[0],
                                    f"reached {agency}'s own victim {pid} by name search alone under purpose "
                                    f"{purpose!r}", [pid], [e["seq"] for e in naming]))
    return out
