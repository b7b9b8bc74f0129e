"""Identity resolution on the register: ``POSSIBLY_SAME_AS`` links written, refreshed and decided.

The linkage itself (model, link rule, evidence) is :mod:`graphsvc.linkage`; this module puts it
to work on the register (the queries are :mod:`graphsvc.repository.links`'s):

* :func:`resolve_all` reads every loaded person in pages, scores all blocked pairs (Splink on
  DuckDB) and writes the proposals that pass the link rule at ``probability >= floor``;
* :func:`resolve_persons` scores a few persons (new or changed records) against candidates
  fetched from the graph by blocking keys, with the in-process scorer, and writes the same way;
* :func:`decide` records a person's decision (confirm, reject, undo) on a link;
* :func:`list_links` lists links by status or person.

Links are stored once per pair, from the lower id to the higher id. A new link is ``proposed``;
a human decision (``confirmed``, ``rejected``) is never overwritten by a re-run, only its
probability and evidence refreshed. A re-run on an unchanged register changes nothing (even
``updated_at``), and proposals the model no longer makes are removed unless decided.
Every write is audited as a ``combination`` (Data Protection Act 2018 s.62).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from graphsvc.analysis.matching import lucene_query
from graphsvc.config import Settings
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.graph.db import Database
from graphsvc.repository import links as store
from graphsvc.security import audit
from graphsvc.services import state as pattern_state
from loaders.records import RECORD_ID

__all__ = [
    "DEFAULT_FLOOR",
    "resolve_path",
    "STATUSES",
    "DECISIONS",
    "LoadedModel",
    "model_path",
    "load_model",
    "fetch_persons",
    "resolve_all",
    "resolve_persons",
    "decide",
    "list_links",
]

#: Proposals under this probability are not written (the analyses' own threshold,
#: ``GRAPHSVC_LINK_THRESHOLD``, then decides which written proposals count).
DEFAULT_FLOOR = 0.5

#: The cost model that picks how a load resolves its persons (:func:`resolve_path`), measured by
#: bench/resolve_crossover.py (docs/identity-resolution.md, "Which path a load takes"): seconds
#: per person scored incrementally, and a full resolve's fixed and per-register-person seconds.
INCREMENTAL_S_PER_PERSON = 0.014  # 11.6-14.9 ms measured at 2k-100k people
FULL_FIXED_S = 1.2  # the fit of 1.52 s at 2k, 4.17 s at 20k, 16.02 s at 100k people
FULL_S_PER_PERSON = 0.00015


def resolve_path(written: int, register: int, incremental_max: int) -> Literal["incremental", "full"]:
    """How to resolve ``written`` persons just loaded into a register of ``register`` persons:
    ``incremental`` (each scored against its candidates) while that costs less than one full
    resolve of the register by the measured cost model, and never for more than
    ``incremental_max`` persons; otherwise ``full``. A load of any size then costs at most about
    the load plus one full resolve."""
    if written > incremental_max:
        return "full"
    incremental = written * INCREMENTAL_S_PER_PERSON
    full = FULL_FIXED_S + register * FULL_S_PER_PERSON
    return "incremental" if incremental <= full else "full"


STATUSES = ("proposed", "confirmed", "rejected")
#: decision verb -> the status it sets
DECISIONS = {"confirm": "confirmed", "reject": "rejected", "undo": "proposed"}
PAGE = 5000
WRITE_BATCH = 1000
CANDIDATES_PER_KEY = 50


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


# -- the model ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadedModel:
    model: Any  # graphsvc.linkage.LinkageModel
    name: str  # what links record as their ``model``: label and content hash

    @classmethod
    def of(cls, model: Any, label: str) -> LoadedModel:
        digest = hashlib.sha256(model.to_json().encode("utf-8")).hexdigest()[:12]
        return cls(model, f"{label}#{digest}")


def model_path(settings: Settings) -> Path:
    """Where ``graphsvc resolve --train`` saves the register's model (under ``GRAPHSVC_HOME``)."""
    return settings.home / "linkage" / "person_model.json"


def load_model(settings: Settings, path: Path | None = None) -> LoadedModel:
    """The model to resolve with: ``path`` if given, else the register's trained model under
    ``GRAPHSVC_HOME`` if there is one, else the packaged default model."""
    from graphsvc.linkage import LinkageModel, default_model  # heavy: splink/duckdb

    file: Path | None = path if path is not None else model_path(settings)
    label = path.name if path is not None else "register"
    if path is None and file is not None and not file.exists():
        file, label = None, "default"
    key = (str(file), file.stat().st_mtime_ns if file is not None else 0)
    with _MODELS_LOCK:  # the service's threads share one loaded model
        hit = _MODELS.get(key)
        if hit is None:
            hit = LoadedModel.of(LinkageModel.load(file) if file is not None else default_model(), label)
            _MODELS.clear()  # one model in use at a time; a retrained file has a new mtime
            _MODELS[key] = hit
    return hit


_MODELS: dict[tuple[str, int], LoadedModel] = {}
_MODELS_LOCK = threading.Lock()


# -- reading persons ---------------------------------------------------------------------------
def _clean(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v not in (None, [], "")}


def fetch_persons(db: Database, page: int = PAGE) -> Iterator[dict[str, Any]]:
    """Every loaded person (placeholders left out) in the linkage's shape, read in pages."""
    after = ""
    while True:
        rows = store.linkage_persons_after(db, after, page)
        for row in rows:
            yield _clean(row)
        if len(rows) < page:
            return
        after = rows[-1]["id"]


def _prepared(rows: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows the linkage accepts, and those it refuses (with the reason), never aborting."""
    from graphsvc.linkage import LinkageRecordError, prepare_person  # heavy: splink/duckdb

    good, bad = [], []
    for i, row in enumerate(rows):
        try:
            prepare_person(row, i)
        except LinkageRecordError as exc:
            bad.append({"id": row.get("id"), "field": exc.field, "reason": exc.reason})
            continue
        good.append(dict(row))
    return good, bad


# -- writing links -----------------------------------------------------------------------------
def _round(value: Any) -> Any:
    """Evidence with floats rounded to 6 places: the batch and incremental engines agree to 1e-9,
    so rounding makes their evidence text identical and re-runs idempotent."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    return value


def _link_row(p: Any) -> dict[str, Any]:
    a, b = sorted((str(p.id_l), str(p.id_r)))
    return {
        "a": a,
        "b": b,
        "probability": round(float(p.match_probability), 6),
        "match_weight": round(float(p.match_weight), 6),
        "evidence": json.dumps(_round(p.evidence), sort_keys=True, separators=(",", ":")),
    }


def _writable(proposals: Iterable[Any], floor: float) -> list[dict[str, Any]]:
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for p in proposals:
        if not p.link_rule_passed or p.match_probability < floor or p.id_l == p.id_r:
            continue
        row = _link_row(p)
        key = (row["a"], row["b"])
        if key not in best or row["probability"] > best[key]["probability"]:
            best[key] = row
    return [best[k] for k in sorted(best)]


def _write(db: Database, rows: list[dict[str, Any]], model_name: str) -> dict[str, int]:
    written = changed = 0
    now = _now()
    for start in range(0, len(rows), WRITE_BATCH):
        out = store.merge_links(db, rows[start : start + WRITE_BATCH], model_name, now)
        written += out["written"]
        changed += out["changed"]
    return {"written": written, "changed": changed}


def _drop_stale(db: Database, rows: list[dict[str, Any]], ids: Sequence[str] | None) -> int:
    """Delete proposals (never decided links) touching ``ids`` (all when None) not in ``rows``."""
    keep = {(r["a"], r["b"]) for r in rows}
    existing = store.link_pairs(db, ids)
    stale = [{"a": e["a"], "b": e["b"]} for e in existing
             if e["status"] == "proposed" and (e["a"], e["b"]) not in keep]
    deleted = 0
    for start in range(0, len(stale), WRITE_BATCH):
        deleted += store.delete_stale_links(db, stale[start : start + WRITE_BATCH])
    return deleted


def _decided(db: Database, rows: list[dict[str, Any]]) -> dict[str, int]:
    pairs = {(r["a"], r["b"]) for r in rows}
    out = {s: 0 for s in STATUSES}
    if not pairs:
        return out
    existing = store.link_pairs(db, sorted({p for pair in pairs for p in pair}))
    for e in existing:
        if (e["a"], e["b"]) in pairs:
            out[e["status"]] = out.get(e["status"], 0) + 1
    return out


def _outcome(db: Database, rows: list[dict[str, Any]], counts: dict[str, int], deleted: int, floor: float,
             loaded: LoadedModel) -> dict[str, Any]:
    """What a full and an incremental resolve both report of the links they wrote."""
    return {"links": len(rows), "changed": counts["changed"], "deleted": deleted, "decided": _decided(db, rows),
            "floor": floor, "model": loaded.name}


def _audit(db: Database, *, actor: str, role: str, purpose: str | None, query: dict[str, Any],
           rows: list[dict[str, Any]]) -> None:
    ids = sorted({p for r in rows for p in (r["a"], r["b"])})
    audit.append_entry(db, actor=actor, role=role, action="combination", purpose=purpose, query=query,
                       person_ids=ids, status=200)


def _check_floor(floor: float) -> None:
    if isinstance(floor, bool) or not isinstance(floor, (int, float)) or not 0.0 <= floor <= 1.0:
        raise InvalidInput("the proposal floor must be between 0 and 1", {"field": "threshold"})


def resolve_all(
    db: Database,
    loaded: LoadedModel,
    *,
    floor: float = DEFAULT_FLOOR,
    actor: str = "cli:resolve",
    role: str = "admin",
    purpose: str | None = "identity resolution (graphsvc resolve)",
    threads: int | None = 2,
    memory_limit: str | None = "2GB",
) -> dict[str, Any]:
    """Resolve the whole register and write ``POSSIBLY_SAME_AS`` links.

    Parameters
    ----------
    db : Database
    loaded : LoadedModel
        From :func:`load_model` (or :meth:`LoadedModel.of` on a freshly trained model).
    floor : float, optional (default 0.5)
        Proposals that pass the link rule at or above this probability are written.

    Returns
    -------
    dict
        ``persons``, ``skipped`` [{id, field, reason}], ``proposals`` (pairs at or above the
        floor), ``links`` (those passing the link rule, written), ``changed``, ``deleted``
        (stale proposals removed), ``decided`` {status: n}, ``model``, ``seconds``.
    """
    from graphsvc.linkage import predict_pairs, proposals_from_pairs  # heavy: splink/duckdb

    _check_floor(floor)
    t0 = time.perf_counter()
    persons, skipped = _prepared(fetch_persons(db))
    rows: list[dict[str, Any]] = []
    proposals = 0
    if len(persons) >= 2:
        # Splink cannot take 1.0 (an infinite match weight): score a little lower, filter after.
        pairs = predict_pairs(loaded.model, persons, threshold=min(floor, 0.999), use_model_tf=True, threads=threads,
                              memory_limit=memory_limit)
        proposals = int((pairs["match_probability"] >= floor).sum()) if len(pairs) else 0
        rows = _writable(proposals_from_pairs(loaded.model, pairs), floor)
    counts = _write(db, rows, loaded.name)
    deleted = _drop_stale(db, rows, None)
    summary = {
        "mode": "full",
        "persons": len(persons),
        "skipped": skipped,
        "proposals": proposals,
        **_outcome(db, rows, counts, deleted, floor, loaded),
    }
    _audit(db, actor=actor, role=role, purpose=purpose,
           query={"op": "resolve", "mode": "full", "floor": floor, "model": loaded.name, "links": len(rows)},
           rows=rows)
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    pattern_state.settle(db)
    return summary


def _candidate_ids(db: Database, persons: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    rows = [{"id": p["id"], "q": lucene_query([n for n in (p.get("given_name"), p.get("family_name"),
                                                           *(p.get("aliases") or [])) if n])}
            for p in persons]
    out: dict[str, list[str]] = {}
    for r in store.resolve_candidates(db, rows, CANDIDATES_PER_KEY):
        out[r["id"]] = list(dict.fromkeys(r["candidate_ids"]))
    return out


def resolve_persons(
    db: Database,
    person_ids: Sequence[str],
    loaded: LoadedModel,
    *,
    floor: float = DEFAULT_FLOOR,
    actor: str = "cli:resolve",
    role: str = "admin",
    purpose: str | None = "identity resolution (graphsvc resolve --incremental)",
    audit_query: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Score ``person_ids`` against their candidates (fetched by blocking keys) and write links.

    No full re-run: candidates are the persons sharing an identifier, the dob (or its day/month
    transposition), the folded family name with the birth year or initial, or a full-text name
    hit; the trained model scores them in-process (:class:`graphsvc.linkage.Register`).
    Unknown ids and placeholders are reported under ``missing``. When a link was written,
    refreshed or removed, one ``combination`` entry is audited with ``actor``, ``role`` and
    ``purpose``; ``audit_query`` adds to its ``query`` (e.g. the request id of ``POST /records``).

    Returns
    -------
    dict
        ``persons``, ``missing``, ``skipped``, ``candidates``, ``links``, ``changed``,
        ``deleted``, ``decided``, ``model``, ``seconds``, ``ms_per_person``.
    """
    from graphsvc.linkage import Register  # heavy: splink/duckdb

    _check_floor(floor)
    ids = list(dict.fromkeys(str(p) for p in person_ids))
    t0 = time.perf_counter()
    found, skipped = _prepared(_clean(r) for r in store.linkage_persons(db, ids))
    missing = sorted(set(ids) - {p["id"] for p in found} - {s["id"] for s in skipped})
    cands = _candidate_ids(db, found) if found else {}
    wanted = sorted({c for cs in cands.values() for c in cs})
    cand_rows, _ = _prepared(_clean(r) for r in store.linkage_persons(db, wanted)) if wanted else ([], [])
    by_id = {r["id"]: r for r in cand_rows}
    proposals = []
    for person in found:
        mine = [by_id[c] for c in cands.get(person["id"], []) if c in by_id and c != person["id"]]
        if not mine:
            continue
        reg = Register(loaded.model, mine, compare_all=True)
        proposals.extend(reg.score(person, min_probability=floor))
    rows = _writable(proposals, floor)
    counts = _write(db, rows, loaded.name)
    deleted = _drop_stale(db, rows, [p["id"] for p in found])
    seconds = time.perf_counter() - t0
    summary = {
        "mode": "incremental",
        "persons": len(found),
        "missing": missing,
        "skipped": skipped,
        "candidates": len(wanted),
        **_outcome(db, rows, counts, deleted, floor, loaded),
    }
    if rows or deleted:  # a combination happened (or was undone by the model)
        _audit(db, actor=actor, role=role, purpose=purpose,
               query={**(audit_query or {}), "op": "resolve", "mode": "incremental", "person_ids": ids[:1000],
                      "floor": floor, "model": loaded.name, "links": len(rows), "deleted": deleted},
               rows=rows)
    summary["seconds"] = round(seconds, 4)
    summary["ms_per_person"] = round(1000 * seconds / max(1, len(ids)), 2)
    pattern_state.settle(db)
    return summary


# -- a person in the loop ----------------------------------------------------------------------
def _link_view(a: str, b: str, link: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"a": a, "b": b}
    for key, value in (link or {}).items():
        out[key] = value.iso_format() if hasattr(value, "iso_format") else value
    if isinstance(out.get("evidence"), str):
        try:
            out["evidence"] = json.loads(out["evidence"])
        except ValueError:
            pass
    return out


def _valid_id(value: Any, field: str) -> str:
    if not isinstance(value, str) or not RECORD_ID.fullmatch(value):
        raise NotFound("no person with this id", {"field": field})
    return value


def decide(
    db: Database,
    a: str,
    b: str,
    decision: str,
    *,
    actor: str,
    role: str,
    reason: str,
    purpose: str | None,
    audit_it: bool = True,
) -> dict[str, Any]:
    """Confirm, reject or undo (back to proposed) the link between persons ``a`` and ``b``.

    The pair may be given in either order. Only a link the resolution proposed can be decided:
    a link that does not exist is a :class:`Conflict` (409), an unknown person :class:`NotFound`.
    ``decided_by``, ``decided_at`` and ``reason`` are kept on the link (undo clears them) and
    the decision is audited as a ``combination`` with who, when and why.

    Raises
    ------
    InvalidInput
        For an unknown decision, a blank reason, or ``a == b``.
    """
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}", {"field": "decision"})
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        raise InvalidInput("a reason of 1-1000 characters is required", {"field": "reason"})
    a, b = _valid_id(a, "a"), _valid_id(b, "b")
    if a == b:
        raise InvalidInput("a person cannot be linked to themselves", {"field": "b"})
    lo, hi = sorted((a, b))
    found = store.get_link(db, lo, hi)
    for pid, key in ((lo, "a_exists"), (hi, "b_exists")):
        if not found.get(key):
            raise NotFound("no person with this id", {"person_id": pid})
    if not found.get("link_exists"):
        raise Conflict("no link between these persons to decide on; run graphsvc resolve first",
                       {"a": lo, "b": hi})
    status = DECISIONS[decision]
    undo = decision == "undo"
    before = found.get("link") or {}
    decided = store.decide_link(db, lo, hi, status=status, decided_by=None if undo else actor,
                                decided_at=None if undo else _now(), reason=None if undo else reason.strip())
    pattern_state.settle(db)
    link = _link_view(lo, hi, decided)
    if audit_it:
        audit.append_entry(db, actor=actor, role=role, action="combination", purpose=purpose,
                           query={"op": f"link_{decision}", "a": lo, "b": hi, "reason": reason.strip(),
                                  "from_status": before.get("status"), "to_status": status},
                           person_ids=[lo, hi], status=200)
    return {"link": link, "previous_status": before.get("status")}


def list_links(db: Database, *, status: str | None = None, person_id: str | None = None, limit: int = 50,
               after: tuple[str, str] | None = None) -> dict[str, Any]:
    """Links by ``status`` and/or ``person_id``, in (a, b) order, with their evidence.

    Returns ``{"links": [...], "next_cursor": "a|b" or None}``.
    """
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", {"field": "status"})
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 500:
        raise InvalidInput("limit must be between 1 and 500", {"field": "limit"})
    after_a, after_b = after if after is not None else ("", "")
    rows = store.link_details(db, status=status, person_id=person_id, after_a=after_a, after_b=after_b,
                              limit=limit + 1)
    page = rows[:limit]
    links = [_link_view(r["a"], r["b"], r["link"]) for r in page]
    nxt = f"{page[-1]['a']}|{page[-1]['b']}" if len(rows) > limit else None
    return {"links": links, "next_cursor": nxt}
