"""The analyses' entry points, called by the HTTP API and the CLI alike.

Each function validates its input (:class:`~graphsvc.errors.InvalidInput`,
:class:`~graphsvc.errors.NotFound`), reads through :mod:`graphsvc.repository.analysis`, hands plain
rows to :mod:`graphsvc.analysis` and returns a JSON-serialisable dict (dates as ISO strings),
unredacted: the API redacts by role. Shapes follow the contract (section 4); thresholds and
formulas are in docs/analysis.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gc
import json
import logging
import re
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict
from typing import Any, NamedTuple

from graphsvc.analysis import clusters as clusters_mod
from graphsvc.analysis.fixation import (
    Thresholds,
    cross_victim_pattern,
    escalation,
    fixation_report,
    order_active,
    order_ref,
)
from graphsvc.analysis.flags import flags as compute_flags
from graphsvc.analysis.identity import IdentityGroup, identity_group, identity_groups, link_graph
from graphsvc.analysis.matching import (
    IDENTIFIER_FIELDS,
    DeterministicScorer,
    ScoredCandidate,
    Scorer,
    lucene_query,
    name_initials,
    normalise_subject,
)
from graphsvc.analysis.risk import risk_score
from graphsvc.analysis.severity import SEVERITY
from graphsvc.config import Settings
from graphsvc.graph.db import Database
from graphsvc.errors import InvalidInput, JobPending, NotFound
from graphsvc.repository import analysis as repo
from loaders import normalise
from loaders.records import RECORD_ID, iso

log = logging.getLogger(__name__)

__all__ = ["check", "person_profile", "fixation", "linked_victims", "serial", "unidentified", "search",
           "LIMIT_CAP", "CHECK_LIMIT_CAP"]

LIMIT_CAP = 200
CHECK_LIMIT_CAP = 50
SEARCH_LIMIT_CAP = 100
_KIND = {"Phone": "phone", "Email": "email", "Handle": "handle", "Vehicle": "vehicle"}
_FIELD = {"phone": "phones", "email": "emails", "handle": "handles", "vehicle": "vehicles"}


# -- input checks and cursors -----------------------------------------------------------------
def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def _limit(limit: Any, cap: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidInput("limit must be a whole number", {"field": "limit"})
    if not 1 <= limit <= cap:
        raise InvalidInput(f"limit must be between 1 and {cap}", {"field": "limit", "max": cap})
    return limit


def _person_id(person_id: Any, field: str = "person_id") -> str:
    if not isinstance(person_id, str) or not RECORD_ID.match(person_id):
        raise InvalidInput("not a valid record id", {"field": field})
    return person_id


def _encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode_cursor(cursor: str | None, kinds: Sequence[type]) -> list[Any] | None:
    """The sort key inside ``cursor``; :class:`InvalidInput` unless it has the expected parts."""
    if cursor is None:
        return None
    bad = InvalidInput("cursor is not one this service issued", {"field": "cursor"})
    if not isinstance(cursor, str) or not 1 <= len(cursor) <= 512:
        raise bad
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeError):
        raise bad from None
    if not isinstance(key, list) or len(key) != len(kinds):
        raise bad
    for value, kind in zip(key, kinds):
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            raise bad
    return key



# -- perpetrators seen through identity links --------------------------------------------------
class _Perpetrator:
    """One person record and the records counted with it, their incidents and orders."""

    def __init__(self, group: IdentityGroup, incidents: list[dict[str, Any]], orders: list[dict[str, Any]],
                 by_offender: Mapping[str, list[int]] | None = None) -> None:
        """``by_offender``, when given, maps an offender id to the positions of their incidents in
        ``incidents`` (so a batch of perpetrators does not scan every incident once each)."""
        self.group = group
        members = set(group.members)
        if by_offender is not None:
            incidents = [incidents[k] for k in sorted({k for m in members for k in by_offender.get(m, ())})]
        self.incidents = []
        for i in incidents:
            offenders = i["offender_ids"]
            if members.issuperset(offenders):  # every offender named is one of them (the usual case)
                if offenders:
                    self.incidents.append(i)
                continue
            mine = [p for p in offenders if p in members]
            if mine:
                self.incidents.append({**i, "offender_ids": mine})
        self.orders = [o for o in orders if o.get("respondent_id") in members and o.get("issued_on") is not None]
        self.unidentified: list[dict[str, Any]] = []

    def report(self, today: dt.date, th: Thresholds) -> dict[str, Any]:
        return fixation_report(self.group.person_id, self.incidents, self.orders, self.group.members, today, th,
                               self.group.unconfirmed, time_ordered=True)  # incident_table's order


def _perpetrators(db: Database, person_ids: Sequence[str], threshold: float) -> dict[str, _Perpetrator]:
    """Batch: each person's identity group, incidents, orders and linked unidentified incidents
    (one transaction)."""
    if not person_ids:
        return {}
    return _perpetrators_from(repo.perpetrator_rows(db, person_ids, threshold))


def _perpetrators_from(rows: Mapping[str, Any]) -> dict[str, _Perpetrator]:
    """:func:`_perpetrators` from rows already read (``repo.perpetrator_rows``: one per person
    id it was given)."""
    groups = rows["groups"]
    by_offender: dict[str, list[int]] = {}
    for k, incident in enumerate(rows["incidents"]):
        for o in incident["offender_ids"]:
            by_offender.setdefault(o, []).append(k)
    out = {p: _Perpetrator(g, rows["incidents"], rows["orders"], by_offender) for p, g in groups.items()}
    for perp in out.values():
        members = set(perp.group.members)
        perp.unidentified = [u for u in rows["unidentified"] if u["person_id"] in members]
    return out


def _summary(db: Database, perps: Mapping[str, _Perpetrator], today: dt.date, th: Thresholds,
             complainant_id: str | None = None) -> dict[str, dict[str, Any]]:
    """victim_count, incident_count, orders, flags and identity of each perpetrator."""
    out: dict[str, dict[str, Any]] = {}
    for pid, perp in perps.items():
        report = perp.report(today, th)
        unid = perp.unidentified
        out[pid] = {
            "victim_count": len(report["victims"]),
            "incident_count": len(perp.incidents),
            "orders": [order_ref(o, today) for o in perp.orders],
            "flags": compute_flags(perp.incidents, perp.orders, report["victims"], unid, today, complainant_id),
            "identity": perp.group.as_dict(),
        }
    return out


# -- the intake check --------------------------------------------------------------------------
_SCORERS: dict[Any, tuple[Scorer, str]] = {}
_SCORERS_LOCK = threading.Lock()


def _default_scorer(settings: Settings) -> tuple[Scorer, str]:
    """The intake check's scorer and its name for the answer.

    ``settings.check_scorer`` ``model`` (the default): the trained linkage model (the register's,
    saved by ``graphsvc resolve --train``, else the packaged one) with the complainant-contact
    factor (:class:`LinkageScorer`). ``deterministic``: the hand-set rule scorer. If the model
    cannot be loaded the check still answers, with the deterministic scorer, and says so in
    ``scorer`` (an intake check must not fail because a model file is damaged); the error is logged.
    """
    if settings.check_scorer == "deterministic":
        return DeterministicScorer(), "deterministic"
    from graphsvc.analysis.matching import LinkageScorer
    from graphsvc.linkage.api import score_subject
    from graphsvc.linkage.errors import RecordError
    from graphsvc.linkage.records import from_contract_person, prepare_person
    from graphsvc.services.resolution import load_model

    try:
        loaded = load_model(settings)
    except Exception:  # a damaged model file: answer with the rule scorer, loudly
        log.exception("the linkage model could not be loaded; the intake check uses the deterministic scorer")
        return DeterministicScorer(), "deterministic (model unavailable)"
    with _SCORERS_LOCK:
        hit = _SCORERS.get(loaded.name)
        if hit is None:
            model = loaded.model

            def score(subject: dict, candidates: list[dict]) -> list[tuple[str, float, dict]]:
                # the adapter hands handles over as {platform, handle}: the linkage's shape is 'platform:handle'.
                # Records the model cannot compare (no name letters and no identifier: a placeholder,
                # a subject of only a date of birth) are left out here: LinkageScorer hands them to
                # the rule scorer. A subject it cannot compare raises RecordError (a ValueError).
                rows = []
                for c in candidates:
                    try:
                        rows.append(prepare_person(from_contract_person(c), 0))
                    except RecordError:
                        continue
                return score_subject(from_contract_person(subject), rows, model=model, prepared=True)

            hit = (LinkageScorer(score), f"model:{loaded.name}")
            _SCORERS.clear()
            _SCORERS[loaded.name] = hit
    return hit


def warm_process(settings: Settings) -> None:
    """Ready a long-running process (a gunicorn worker, a benchmark) for intake checks: load the
    check's scorer (the linkage model) now rather than on the first request, then move every
    object alive at this point (modules, the model) out of the cyclic garbage collector's view
    (:func:`gc.freeze`). A full collection walks every tracked object; with the model loaded
    one took up to 46 ms, several times per 500 checks, and set the check's p99 at 1M people
    (66 ms with, 38 ms after freezing; docs/analysis.md). Objects created later are collected
    as usual; what is frozen is never freed, so call it once, after start-up."""
    _, scorer = _default_scorer(settings)
    gc.collect()
    gc.freeze()
    log.info("process warmed: intake check scorer %s, %d objects frozen", scorer, gc.get_freeze_count())


def check(db: Database, subject: dict, complainant_id: str | None = None, limit: int = 10,
          *, scorer: Scorer | None = None) -> dict:
    """Is the described subject on the register? Candidates best first.

    Candidates come from Cypher (identifiers exactly through the unique-constraint indexes,
    also where the perpetrator used them in incidents; names through the full-text index
    ``person_names``; dates of birth, and their day/month transposition, through the
    ``Person.dob`` index), then ``scorer`` (default :class:`DeterministicScorer`) ranks them.

    Returns
    -------
    dict
        ``{"matches": [{"person_id", "score", "matched_on", "confident", "score_parts",
        "given_name", "family_name", "dob", "victim_count", "incident_count", "orders",
        "flags", "identity", "same_person_records"}], "candidates_considered", "unparsed"}``.
        Candidates with nothing in common with the subject are left out.
    """
    limit = _limit(limit, CHECK_LIMIT_CAP)
    if not isinstance(subject, Mapping):
        raise InvalidInput("subject must be an object", {"field": "subject"})
    if complainant_id is not None:
        _person_id(complainant_id, "complainant_id")
    try:
        norm = normalise_subject(subject)
    except ValueError as exc:
        raise InvalidInput(str(exc), {"field": "subject"}) from None
    threshold = db.settings.link_threshold
    th = db.settings.thresholds
    today = _today()

    names = [n for n in (norm["given_name"], norm["family_name"], *norm["aliases"]) if n]
    dobs: list[dt.date] = []
    if norm["dob"] is not None:
        dobs.append(norm["dob"])
        d = norm["dob"]
        if d.day <= 12 and d.day != d.month:
            try:
                dobs.append(dt.date(d.year, d.day, d.month))
            except ValueError:
                pass
    chosen, scorer_name = (scorer, type(scorer).__name__) if scorer is not None else _default_scorer(db.settings)
    scored: list[Any] = []

    def rank(candidates: list[dict[str, Any]], narrow: bool) -> list[str] | None:
        # runs inside the read transaction (it may be retried): keep it a function of its input
        scored[:] = [s for s in chosen.score_subject(norm, candidates) if s.matched_on]
        if narrow and not (scored and _first_rank(scored[0])):
            return None  # the identifiers alone do not settle it: search the names and dates of birth too
        # The records to read: the first `limit`, and further down the window only the candidates
        # with identity links (only they can fold into a group listed above, and take no place).
        linked = {c["person_id"] for c in candidates if c.get("identity_links")}
        out: list[str] = []
        unlinked = 0
        for s in scored[: limit + 5]:
            if s.person_id in linked or unlinked < limit:
                out.append(s.person_id)
                unlinked += s.person_id not in linked
        return out

    candidates, rows, narrowed = repo.check_reads(db, norm, lucene_query(names), dobs, complainant_id, rank,
                                                  threshold, initials=name_initials(norm))
    info = {c["person_id"]: c for c in candidates}

    # confirmed identity links: one perpetrator, shown once (its best-scoring record)
    top = scored[: limit + 5]
    perps = _perpetrators_from(rows)
    emitted: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for s in top:
        owner = next((o for o in order if s.person_id in perps[o].group.confirmed), None)
        if owner is not None:
            emitted[owner]["same_person_records"].append({"person_id": s.person_id, "score": s.score,
                                                          "matched_on": s.matched_on})
            continue
        if len(order) >= limit:
            continue
        c = info[s.person_id]
        emitted[s.person_id] = {
            "person_id": s.person_id, "score": s.score, "matched_on": s.matched_on, "confident": s.confident,
            "score_parts": s.parts, "given_name": c.get("given_name"), "family_name": c.get("family_name"),
            "aliases": c.get("aliases") or [], "dob": iso(c.get("dob")), "same_person_records": [],
        }
        order.append(s.person_id)
    summaries = _summary(db, {p: perps[p] for p in order}, today, th, complainant_id)
    matches = [{**emitted[p], **summaries[p]} for p in order]
    searched = [k for k, used in (("identifiers", any(norm[f] for f in IDENTIFIER_FIELDS)),
                                  ("names", bool(names) and not narrowed), ("dob", bool(dobs) and not narrowed))
                if used]
    return {"matches": matches, "candidates_considered": len(candidates), "searched": searched,
            "complainant_id": complainant_id, "unparsed": norm["unparsed"], "scorer": scorer_name}


def _first_rank(scored: ScoredCandidate) -> bool:
    """The intake rule's first rank: a shared identifier and an agreeing name or date of birth.
    Only the trained model's adapter marks it (:class:`LinkageScorer`, ``parts["rank"]``); a
    scorer that does not is never narrowed to the identifiers' persons."""
    return "rank" in scored.parts


# -- profile -----------------------------------------------------------------------------------
def person_profile(db: Database, person_id: str) -> dict:
    """A person's fields (unredacted), ``roles``, ``counts``, ``orders`` (as respondent or
    protected, each with ``active`` and ``role``), ``flags`` and ``identity``.

    Raises
    ------
    NotFound
        When no person has this id.
    """
    _person_id(person_id)
    row = repo.person_profile(db, person_id)
    if row is None:
        raise _no_person(person_id)
    today = _today()
    th = db.settings.thresholds
    perp = _perpetrators(db, [person_id], db.settings.link_threshold)[person_id]
    summary = _summary(db, {person_id: perp}, today, th)[person_id]
    all_orders = repo.person_orders(db, [person_id])
    roles = [r for r, label in (("offender", "Offender"), ("victim", "Victim")) if label in (row["labels"] or [])]
    victims = {v for i in perp.incidents for v in i["victim_ids"] if v not in perp.group.members}
    return {
        "person_id": person_id,
        "id": person_id,
        "given_name": row.get("given_name"),
        "family_name": row.get("family_name"),
        "aliases": row.get("aliases") or [],
        "dob": iso(row.get("dob")),
        "gender": row.get("gender"),
        "source": row.get("source"),
        "placeholder": bool(row.get("placeholder")),
        "phones": row["phones"], "emails": row["emails"], "handles": row["handles"],
        "vehicles": row["vehicles"], "addresses": row["addresses"],
        "roles": roles,
        "counts": {
            "incidents_as_offender": row["offender_incidents"],
            "incidents_as_victim": row["victim_incidents"],
            "victims": len(victims),
            "incidents_with_identity_links": summary["incident_count"],
            "orders_as_respondent": sum(1 for o in all_orders if o.get("respondent_id") == person_id),
            "orders_protecting": sum(1 for o in all_orders if person_id in (o.get("protected_ids") or [])),
        },
        "orders": [{**order_ref(o, today), "role": "respondent" if o.get("respondent_id") == person_id else "protected",
                    "respondent_id": o.get("respondent_id"), "protected_ids": o.get("protected_ids") or []}
                   for o in all_orders if o.get("issued_on") is not None],
        "flags": summary["flags"],
        "identity": summary["identity"],
    }


def _require_person(db: Database, person_id: str) -> None:
    _person_id(person_id)
    if repo.person_profile(db, person_id) is None:
        raise _no_person(person_id)


def _no_person(person_id: str) -> NotFound:
    return NotFound("no person with this id", {"person_id": person_id})


# -- fixation ----------------------------------------------------------------------------------
def fixation(db: Database, person_id: str) -> dict:
    """Per-victim fixation and the cross-victim pattern of ``person_id`` (and the records
    identity links count with them).

    Returns
    -------
    dict
        ``{"person_id", "victims": [...], "pattern": {...}, "identity", "thresholds",
        "severity_scale"}``; see :func:`graphsvc.analysis.fixation.fixation_report`.
    """
    _person_id(person_id)
    th = db.settings.thresholds
    # the 404 comes from the records read (its `persons`), not from a profile read of its own:
    # that read counted the person's incidents, 5 ms for a 5,000-incident offender
    rows = repo.perpetrator_rows(db, [person_id], db.settings.link_threshold, unidentified=False)
    if person_id not in rows["persons"]:
        raise _no_person(person_id)
    perp = _perpetrators_from(rows)[person_id]
    out = perp.report(_today(), th)
    out["identity"] = perp.group.as_dict()
    out["thresholds"] = asdict(th)
    out["severity_scale"] = dict(SEVERITY)
    return out


# -- linked victims ----------------------------------------------------------------------------
def linked_victims(db: Database, person_id: str) -> dict:
    """Victims linked to ``person_id``'s victimisation: other victims of the same
    perpetrator(s) (through identity links too), and victims of incidents that used the same
    identifiers (``unidentified`` marks incidents with no identified perpetrator).

    Returns
    -------
    dict
        ``{"person_id", "victims": [{"victim_id", "via": [evidence...]}], "perpetrators"}``.
    """
    _require_person(db, person_id)
    own = repo.victim_incidents(db, person_id)
    own_ids = {i["id"] for i in own}
    offenders = sorted({o for i in own for o in i["offender_ids"]})
    perps = _perpetrators(db, offenders, db.settings.link_threshold)
    linked: dict[str, list[dict[str, Any]]] = {}
    excluded = {person_id} | {m for p in perps.values() for m in p.group.members}
    for oid, perp in perps.items():
        mine = sorted(i["id"] for i in own if oid in i["offender_ids"])
        per_victim: dict[str, list[str]] = {}
        for inc in perp.incidents:
            if inc["id"] in own_ids:
                continue
            for v in inc["victim_ids"]:
                if v not in excluded:
                    per_victim.setdefault(v, []).append(inc["id"])
        for v, incs in per_victim.items():
            who = sorted({o for inc in perp.incidents if inc["id"] in incs for o in inc["offender_ids"]})
            unconfirmed = [{"person_id": p, **perp.group.unconfirmed[p]} for p in who if p in perp.group.unconfirmed]
            entry: dict[str, Any] = {"kind": "same_offender", "offender_id": oid, "offender_records": who,
                                     "incident_ids": mine, "linked_incident_ids": sorted(incs),
                                     "confirmed": not unconfirmed or any(p in perp.group.confirmed for p in who)}
            if unconfirmed:
                entry["unconfirmed_links"] = unconfirmed
            linked.setdefault(v, []).append(entry)
    values: dict[str, list[str]] = {k: [] for k in _FIELD.values()}
    used_by: dict[str, list[str]] = {}
    for inc in own:
        for ident in inc["identifiers"]:
            kind = _KIND.get(ident["kind"])
            if kind:
                values[_FIELD[kind]].append(ident["value"])
                used_by.setdefault(ident["value"], []).append(inc["id"])
    shared: dict[tuple[str, str], dict[str, Any]] = {}
    for row in repo.incidents_by_identifiers(db, {k: sorted(set(v)) for k, v in values.items()}):
        if row["incident_id"] in own_ids:
            continue
        for v in row["victim_ids"]:
            if v in excluded:
                continue
            e = shared.setdefault((v, row["identifier"]), {
                "kind": "shared_identifier", "identifier": row["identifier"],
                "incident_ids": sorted(set(used_by.get(row["identifier"], []))),
                "linked_incident_ids": [], "unidentified_incident_ids": [], "offender_ids": []})
            e["linked_incident_ids"].append(row["incident_id"])
            if not row["offender_ids"]:
                e["unidentified_incident_ids"].append(row["incident_id"])
            e["offender_ids"] = sorted(set(e["offender_ids"]) | set(row["offender_ids"]))
    for (v, _), e in sorted(shared.items()):
        e["unidentified"] = bool(e["unidentified_incident_ids"])
        linked.setdefault(v, []).append(e)
    return {
        "person_id": person_id,
        "victims": [{"victim_id": v, "via": via} for v, via in sorted(linked.items())],
        "perpetrators": [{"person_id": o, **p.group.as_dict()} for o, p in sorted(perps.items())],
    }


# -- cache of register-wide jobs --------------------------------------------------------------
class _JobAnswer(NamedTuple):
    """A register-wide job's answer as :func:`_cached` hands it out."""

    value: Any
    computed_at: dt.datetime
    #: the register changed since ``computed_at`` and the run for the new state outlived the
    #: caller's wait: this is the last answer for the same question, a newer one is on its way
    stale: bool


class _Kept(NamedTuple):
    """One job's last answer in the cache."""

    stored: float  # time.monotonic() when it was stored: its refresh age counts from here
    key: tuple[Any, Any, Any]  # (question, state, fingerprint) it answers
    value: Any
    computed_at: dt.datetime


#: (database, job) -> the job's last answer; one per job, whatever the question
_job_cache: dict[tuple[int, str], _Kept] = {}
#: (database, job) -> (key, future) of the job's one run under way
_job_running: dict[tuple[int, str], tuple[Any, Future[Any]]] = {}
_job_lock = threading.Lock()


#: How long a request waits for a register-wide job before answering "ask again" (JobPending, a
#: 503 with Retry-After); None waits for the answer (the CLI). The service sets it from
#: ``GRAPHSVC_JOB_WAIT_S`` (see :func:`set_job_wait`), below gunicorn's worker timeout.
_job_wait_s: float | None = None


def set_job_wait(seconds: float | None) -> None:
    """How long requests wait for a running register-wide job (None: until it ends)."""
    global _job_wait_s
    _job_wait_s = seconds


def _pending(name: str) -> JobPending:
    return JobPending(f"the {name} job is running over the whole register; ask again shortly",
                      {"job": name}, retry_after=10)


def _cached(db: Database, name: str, question: Any, compute: Any, state: Any = None) -> _JobAnswer:
    """``compute()`` for ``question`` (the job's parameters), kept while the register's ``state``
    (what the caller knows changes the answer, e.g. the identity links' digest) and its
    fingerprint (count-store counts and the register's write counter, which every write of
    records bumps: ``repo.graph_fingerprint``) stay the same, and refreshed every
    ``GRAPHSVC_PATTERN_CACHE_S`` seconds (default 600; 0 disables the cache). The refresh only
    guards against writes made outside graphsvc (Cypher typed into the database by hand).

    A job runs in a background thread, at most one run per (database, job) at a time: callers
    asking for the answer it will give wait on it, at most the job wait (see
    :func:`set_job_wait`). An error in the job reaches every waiter, and the next request starts
    it again.

    - Past its refresh age, an answer whose key still holds is served at once while a run
      recomputes it (stale while revalidating): graphsvc wrote nothing since.
    - When the state or the fingerprint changed, the caller waits for the new run; if it outlives
      the wait, the last answer to the same question is served marked ``stale``; with none,
      :class:`JobPending` says to ask again, and the run goes on.
    - While a run for another key (an earlier state, another question) is under way, none starts
      beside it (at 1M people a run takes 100-150 s and up to 4.5 GB): the caller gets the last
      answer to its question marked ``stale``, or :class:`JobPending`; the first request after
      the run ends starts the next.
    """
    ttl = db.settings.pattern_cache_s
    if ttl <= 0:
        return _JobAnswer(compute(), dt.datetime.now(dt.timezone.utc), False)
    key = (question, state, repo.graph_fingerprint(db))
    slot = (id(db), name)
    with _job_lock:
        kept = _job_cache.get(slot)
        holds = kept is not None and kept.key == key
        if kept is not None and holds and time.monotonic() - kept.stored < ttl:
            return _JobAnswer(kept.value, kept.computed_at, False)
        running = _job_running.get(slot)
        if running is None:
            future: Future[Any] = Future()
            _job_running[slot] = (key, future)
            threading.Thread(target=_run_job, args=(slot, key, future, compute),
                             name=f"graphsvc-job-{name}", daemon=True).start()
        else:
            future = running[1]
        another = running is not None and running[0] != key  # the run under way answers another key
        if kept is not None and holds:
            return _JobAnswer(kept.value, kept.computed_at, False)  # past its refresh age: served while refreshed
        previous = kept if kept is not None and kept.key[0] == question else None
    if another:
        if previous is not None:
            return _JobAnswer(previous.value, previous.computed_at, True)
        if _job_wait_s is None:  # the CLI: wait for that run, then ask again
            wait([future])
            return _cached(db, name, question, compute, state)
        raise _pending(name)
    try:
        value, at = future.result(timeout=_job_wait_s)
        return _JobAnswer(value, at, False)
    except FutureTimeout:
        if previous is not None:
            return _JobAnswer(previous.value, previous.computed_at, True)
        raise _pending(name) from None


def _run_job(slot: tuple[int, str], key: Any, future: Future[Any], compute: Any) -> None:
    error: BaseException | None = None
    try:
        value = compute()
        at = dt.datetime.now(dt.timezone.utc)
    except BaseException as exc:  # noqa: BLE001 - handed to every waiter
        error = exc
    with _job_lock:  # the run leaves the table before its waiters wake (a retry starts afresh)
        if error is None:
            _job_cache[slot] = _Kept(time.monotonic(), key, value, at)
        if _job_running.get(slot, (None, None))[1] is future:
            del _job_running[slot]
    if error is None:
        future.set_result((value, at))
    else:
        future.set_exception(error)


# -- serial offenders --------------------------------------------------------------------------
def _at_midnight(day: dt.date | None, field: str) -> dt.datetime | None:
    if day is None:
        return None
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise InvalidInput(f"{field} must be a date (YYYY-MM-DD)", {"field": field}) from None
    if isinstance(day, dt.datetime):
        day = day.date()
    if not isinstance(day, dt.date):
        raise InvalidInput(f"{field} must be a date", {"field": field})
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def _serial_entry(rep: str, group: IdentityGroup, incidents: list[dict[str, Any]], orders: list[dict[str, Any]],
                  today: dt.date, th: Thresholds, canon: Mapping[str, str] | None = None,
                  unidentified: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    members = set(group.members)
    same = canon or {}
    by_victim: dict[str, list[dict[str, Any]]] = {}
    for i in incidents:
        for v in dict.fromkeys(same.get(v, v) for v in i["victim_ids"] if v not in members):
            by_victim.setdefault(v, []).append(i)
    # victims of incidents with no identified offender that used one of their identifiers:
    # possible victims, listed apart with the incidents and identifiers that link them
    possible: dict[str, list[str]] = {}
    bridges: set[str] = set()
    for u in unidentified:
        for v in dict.fromkeys(same.get(v, v) for v in u["victim_ids"] if v not in members):
            if v not in by_victim:
                possible.setdefault(v, []).append(u["incident_id"])
                bridges.update(u["identifiers"])
    light = []
    for v, rows in by_victim.items():
        rows.sort(key=lambda r: (r["occurred_at"], r["id"]))
        light.append({"victim_id": v, "first_contact": rows[0]["occurred_at"].isoformat(),
                      "last_contact": rows[-1]["occurred_at"].isoformat(), "incident_ids": [r["id"] for r in rows]})
    pattern = cross_victim_pattern(light, orders, th)
    esc = escalation(incidents, th.trend_alpha)
    def of(kind: str) -> list[str]:
        return [i["id"] for i in incidents if i.get("type") == kind]
    stats = {
        "victim_count": len(by_victim),
        "breach_incident_ids": sorted({i["id"] for i in incidents if i.get("breached_order_ids")}),
        "assault_incident_ids": of("assault"), "threat_incident_ids": of("threat"),
        "damage_incident_ids": of("damage"), "escalation_trend": esc["trend"],
        "active_order_ids": [o["id"] for o in orders if order_active(o, today)],
        "new_fixation_order_ids": sorted({a["order_id"] for a in pattern["new_fixation_after_order"]}),
    }
    score, parts = risk_score(stats)
    ordered = sorted(incidents, key=lambda r: (r["occurred_at"], r["id"]))
    return {
        "person_id": rep,
        "person_ids": group.members,
        "victim_count": len(by_victim),
        "possible_victim_count": len(possible),
        "possible_victims": [{"victim_id": v, "incident_ids": sorted(ids)} for v, ids in sorted(possible.items())],
        "possible_victims_via": sorted(bridges),
        "incident_count": len(incidents),
        "risk_score": score,
        "risk_factors": parts,
        "victim_ids": pattern["sequence"],
        "max_concurrent_victims": pattern["max_concurrent_victims"],
        "first_incident": ordered[0]["occurred_at"].isoformat() if ordered else None,
        "last_incident": ordered[-1]["occurred_at"].isoformat() if ordered else None,
        "identity": group.as_dict(),
    }


def _rank_serial(db: Database, links: list[dict[str, Any]], threshold: float, th: Thresholds, today: dt.date,
                 min_victims: int, agency: str | None, since_at: dt.datetime | None,
                 until_at: dt.datetime | None) -> list[dict[str, Any]]:
    """The whole serial ranking (register-wide Cypher aggregation, identity groups merged)."""
    groups = identity_groups(links, threshold)
    graph = link_graph(links, threshold)
    unidentified = repo.unidentified_victim_links(db, agency=agency, since=since_at, until=until_at)
    linked_ids = sorted({p for g in groups for p in g} | set(unidentified))
    rows = repo.serial_rows(db, min_victims=min_victims, agency=agency, since=since_at, until=until_at,
                            linked_ids=linked_ids)
    by_id = {r["person_id"]: r for r in rows}
    group_of = {p: g for g in groups for p in g}
    # victims' records joined by identity links are one victim (counted once, under the lowest id)
    canon = {p: min(g) for g in groups for p in g}
    done: set[str] = set()
    entries: list[dict[str, Any]] = []
    for pid in sorted(by_id):
        if pid in done:
            continue
        members = group_of.get(pid, {pid})
        present = [by_id[m] for m in sorted(members) if m in by_id]
        done |= set(members)
        rep = min(present, key=lambda r: (-len(r["incidents"]), r["person_id"]))["person_id"]
        group = identity_group(rep, links, threshold, graph)
        incidents = list({i["id"]: i for r in present for i in r["incidents"]}.values())
        orders = list({o["id"]: {**o, "respondent_id": r["person_id"]} for r in present for o in r["orders"]
                       if o.get("issued_on") is not None}.values())
        unid = list({u["incident_id"]: u for m in members for u in unidentified.get(m, [])}.values())
        entry = _serial_entry(rep, group, incidents, orders, today, th, canon, unid)
        if entry["victim_count"] >= min_victims:
            entries.append(entry)
        elif entry["victim_count"] + entry["possible_victim_count"] >= min_victims:
            entry["via_unidentified"] = True  # listed because of possible victims: marked as such
            entries.append(entry)
    entries.sort(key=lambda e: (-e["risk_score"], -e["victim_count"], e["person_id"]))
    return entries


def serial(db: Database, min_victims: int = 2, agency: str | None = None, since: dt.date | None = None,
           until: dt.date | None = None, limit: int = 50, cursor: str | None = None) -> dict:
    """Persons (identity groups) with at least ``min_victims`` distinct victims in incidents
    reported by ``agency`` that occurred in [``since``, ``until``), highest risk first.

    The filtering and aggregation run register-wide in Cypher (``list_serial_offenders``);
    identity groups are merged and the risk score (:func:`graphsvc.analysis.risk.risk_score`)
    computed here. Order: ``risk_score`` desc, ``victim_count`` desc, ``person_id``.

    Returns
    -------
    dict
        ``{"persons": [{"person_id", "victim_count", "incident_count", "risk_score",
        "risk_factors", ...}], "next_cursor", "computed_at", "stale"}``: ``computed_at`` is when the
        ranking was computed (it is cached and refreshed in the background); ``stale`` says the
        register changed since and a newer ranking is on its way (see :func:`_cached`).
    """
    if isinstance(min_victims, bool) or not isinstance(min_victims, int) or not 1 <= min_victims <= 1000:
        raise InvalidInput("min_victims must be a whole number from 1 to 1000", {"field": "min_victims"})
    limit = _limit(limit, LIMIT_CAP)
    if agency is not None and (not isinstance(agency, str) or not 1 <= len(agency) <= 32):
        raise InvalidInput("agency must be an agency code of 1-32 characters", {"field": "agency"})
    since_at, until_at = _at_midnight(since, "since"), _at_midnight(until, "until")
    if since_at and until_at and since_at > until_at:
        raise InvalidInput("since is after until", {"field": "since"})
    after = _decode_cursor(cursor, (float, int, str))
    threshold = db.settings.link_threshold
    th = db.settings.thresholds
    today = _today()
    # the links are read by the job, not per request: the cache's state is a digest of them instead
    question = (min_victims, agency, iso(since_at), iso(until_at), threshold, asdict(th), today.isoformat())
    answer = _cached(db, "serial", question,
                     lambda: _rank_serial(db, repo.all_identity_links(db, threshold), threshold, th, today,
                                          min_victims, agency, since_at, until_at),
                     state=repo.identity_links_digest(db))
    entries = list(answer.value)
    if after is not None:
        cut = (-float(after[0]), -int(after[1]), str(after[2]))
        entries = [e for e in entries if (-e["risk_score"], -e["victim_count"], e["person_id"]) > cut]
    page = entries[:limit]
    more = len(entries) > limit
    nxt = _encode_cursor([page[-1]["risk_score"], page[-1]["victim_count"], page[-1]["person_id"]]) if more else None
    return {"persons": page, "next_cursor": nxt, "computed_at": iso(answer.computed_at), "stale": answer.stale}


# -- unidentified perpetrators -----------------------------------------------------------------
def _all_clusters(db: Database) -> _JobAnswer:
    """The register-wide cluster job: one Cypher scan returning only identifiers shared by two
    or more unidentified incidents, NetworkX on that projection (cached, see :func:`_cached`);
    with when it was computed."""

    def compute() -> list[dict[str, Any]]:
        rows = [{"incident_id": r["incident_id"],
                 "identifier": f"{_KIND.get(r['kind'], r['kind'].lower())}:{r['value']}"}
                for r in repo.unidentified_edges(db)]
        return clusters_mod.clusters(clusters_mod.incident_identifier_graph(rows))

    return _cached(db, "clusters", None, compute)


def unidentified(db: Database, limit: int = 50, cursor: str | None = None) -> dict:
    """Clusters of incidents with no identified perpetrator that share identifiers used,
    largest first (ties: first incident id).

    Returns
    -------
    dict
        ``{"clusters": [{"cluster_id", "incident_ids", "victim_ids", "identifiers" [{"kind",
        "value", "incident_count", "bridging"}], "bridging_identifiers", "linked_person_ids",
        "linked_persons", "first_incident", "last_incident", "types"}], "next_cursor",
        "computed_at", "stale"}``: when the register-wide cluster job ran, and whether the
        register changed since (see :func:`_cached`).
    """
    limit = _limit(limit, LIMIT_CAP)
    after = _decode_cursor(cursor, (int, str))
    answer = _all_clusters(db)
    found: list[dict[str, Any]] = answer.value
    if after is not None:
        key = (-int(after[0]), str(after[1]))
        found = [c for c in found if (-len(c["incident_ids"]), c["incident_ids"][0]) > key]
    page, more = found[:limit], len(found) > limit
    details = {r["incident_id"]: r for r in repo.cluster_incidents(db, [i for c in page for i in c["incident_ids"]])}
    values: dict[str, set[str]] = {k: set() for k in _FIELD.values()}
    for r in details.values():
        for ident in r["identifiers"]:
            kind = _KIND.get(ident["kind"])
            if kind:
                values[_FIELD[kind]].add(ident["value"])
    persons = repo.persons_by_identifiers(db, {k: sorted(v) for k, v in values.items()}, limit=5000)
    out = []
    for c in page:
        incs = [details[i] for i in c["incident_ids"] if i in details]
        counts: dict[tuple[str, str], int] = {}
        for r in incs:
            for ident in r["identifiers"]:
                kind = _KIND.get(ident["kind"], ident["kind"].lower())
                counts[(kind, ident["value"])] = counts.get((kind, ident["value"]), 0) + 1
        bridging = set(c["bridging_identifiers"])
        idents = [{"kind": k, "value": v, "incident_count": n, "bridging": f"{k}:{v}" in bridging}
                  for (k, v), n in sorted(counts.items())]
        mine = {v for (_, v) in counts}
        people: dict[str, dict[str, Any]] = {}
        for p in persons:
            if p["value"] in mine:
                e = people.setdefault(p["person_id"], {"person_id": p["person_id"], "identifiers": [], "how": [],
                                                       "incident_ids": []})
                e["identifiers"] = sorted(set(e["identifiers"]) | {p["value"]})
                e["how"] = sorted(set(e["how"]) | {p["how"]})
                e["incident_ids"] = sorted(set(e["incident_ids"]) | set(p["incident_ids"] or []))
        times = sorted(r["occurred_at"] for r in incs)
        types: dict[str, int] = {}
        for r in incs:
            types[r["type"] or "other"] = types.get(r["type"] or "other", 0) + 1
        out.append({
            "cluster_id": c["incident_ids"][0],
            "incident_ids": c["incident_ids"],
            "victim_ids": sorted({v for r in incs for v in r["victim_ids"]}),
            "identifiers": idents,
            "bridging_identifiers": c["bridging_identifiers"],
            "linked_person_ids": sorted(people),
            "linked_persons": [people[p] for p in sorted(people)],
            "first_incident": times[0].isoformat() if times else None,
            "last_incident": times[-1].isoformat() if times else None,
            "types": dict(sorted(types.items())),
        })
    nxt = _encode_cursor([len(page[-1]["incident_ids"]), page[-1]["incident_ids"][0]]) if more else None
    return {"clusters": out, "next_cursor": nxt, "computed_at": iso(answer.computed_at), "stale": answer.stale}


# -- search ------------------------------------------------------------------------------------
_PLATFORMS = ("instagram", "facebook", "x", "twitter", "tiktok", "snapchat", "whatsapp", "telegram")


def _identifier_forms(q: str) -> dict[str, list[str]]:
    """Every stored form ``q`` could be: phone, email, ``platform:handle`` (or ``@handle`` on
    common platforms), vehicle registration."""
    out: dict[str, list[str]] = {k: [] for k in _FIELD.values()}
    text = q.strip()
    if "@" in text and not text.startswith("@") and " " not in text:
        try:
            out["emails"].append(normalise.email(text))
        except ValueError:
            pass
    if re.fullmatch(r"[+0-9()\-. ]{6,25}", text) and sum(ch.isdigit() for ch in text) >= 6:
        try:
            out["phones"].append(normalise.phone(text))
        except ValueError:
            pass
    m = re.fullmatch(r"([A-Za-z0-9._\-]+):@?(\S+)", text)
    if m:
        try:
            out["handles"].append(":".join(normalise.handle(m.group(1), m.group(2))))
        except ValueError:
            pass
    elif text.startswith("@") and len(text) > 1:
        for plat in _PLATFORMS:
            try:
                out["handles"].append(":".join(normalise.handle(plat, text)))
            except ValueError:
                break
    compact = re.sub(r"[\s\-]", "", text)
    if re.fullmatch(r"[A-Za-z0-9]{2,8}", compact) and any(c.isdigit() for c in compact) and any(c.isalpha() for c in compact):
        out["vehicles"].append(compact.upper())
    return out


def search(db: Database, q: str, limit: int = 20) -> dict:
    """Persons by exact normalised identifier (score 1) or fuzzy name (full-text index
    ``person_names``, score relative to the best name hit, at most 0.9).

    Returns
    -------
    dict
        ``{"persons": [{"person_id", "given_name", "family_name", "aliases", "dob", "roles",
        "score", "matched_on"}]}``.
    """
    if not isinstance(q, str) or not q.strip() or len(q) > 200:
        raise InvalidInput("q must be 1-200 characters", {"field": "q"})
    limit = _limit(limit, SEARCH_LIMIT_CAP)
    scores: dict[str, tuple[float, list[str]]] = {}
    for row in repo.persons_by_identifiers(db, _identifier_forms(q), limit=limit * 5):
        _, fields = scores.get(row["person_id"], (1.0, []))
        scores[row["person_id"]] = (1.0, sorted(set(fields) | {row["field"]}))
    name_rows = repo.persons_by_names(db, lucene_query([q]), limit=limit) if any(ch.isalpha() for ch in q) else []
    best = max((r["score"] for r in name_rows), default=0.0)
    for r in name_rows:
        if r["person_id"] not in scores and best > 0:
            scores[r["person_id"]] = (round(0.9 * r["score"] / best, 4), ["name"])
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
    info = {c["person_id"]: c for c in repo.match_candidates(db, [p for p, _ in ranked], None)}
    persons = []
    for pid, (score, fields) in ranked:
        c = info.get(pid, {})
        labels = c.get("labels") or []
        persons.append({"person_id": pid, "given_name": c.get("given_name"), "family_name": c.get("family_name"),
                        "aliases": c.get("aliases") or [], "dob": iso(c.get("dob")),
                        "roles": [r for r, lab in (("offender", "Offender"), ("victim", "Victim")) if lab in labels],
                        "score": score, "matched_on": fields})
    return {"persons": persons}
