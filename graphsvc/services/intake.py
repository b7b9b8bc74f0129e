"""The intake check: is the described subject on the register? Candidates best first."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from graphsvc.analysis.matching import (
    IDENTIFIER_FIELDS,
    ScoredCandidate,
    Scorer,
    lucene_query,
    name_initials,
    normalise_subject,
)
from graphsvc.errors import InvalidInput
from graphsvc.graph.db import Database
from graphsvc.repository import candidates as candidate_reads
from graphsvc.security.visibility import Owner
from graphsvc.services.common import CHECK_LIMIT_CAP, _limit, _person_id, _today
from graphsvc.services import register as register_service
from graphsvc.services import state as pattern_state
from graphsvc.services.perpetrators import _perpetrators_from, _summary, card_summary
from graphsvc.services.scoring import _default_scorer
from loaders.records import iso

__all__ = ["check"]


def check(db: Database, subject: dict, complainant_id: str | None = None, limit: int = 10,
          *, scorer: Scorer | None = None, owners: dict[str, Owner] | None = None, from_state: bool = True) -> dict:
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

    ``owners``, when given, is filled with the owner of every candidate (contract section 5),
    read in the check's own transaction, for the need-to-know rule to use rather than look up.

    The top matches' summaries come from the pattern state's check cards when it holds the
    register as it is (:func:`graphsvc.services.state.cards_usable`), and from their records
    otherwise, or for a match whose group has no state, or with ``from_state=False``: the same
    answer either way (docs/pattern-state.md, "The intake check").
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

    candidates, rows, narrowed, cards = candidate_reads.check_reads(
        db, norm, lucene_query(names), dobs, complainant_id, rank, threshold, initials=name_initials(norm),
        cards_usable=(lambda read: pattern_state.cards_usable(read, threshold, th)) if from_state else None)
    info = {c["person_id"]: c for c in candidates}
    if owners is not None:
        owners.update({pid: Owner.of_node("person", c.get("source"), c["labels"]) for pid, c in info.items()})

    # confirmed identity links: one perpetrator, shown once (its best-scoring record)
    top = scored[: limit + 5]
    perps = _perpetrators_from(rows)
    carded = {p: json.loads(c) for p, c in cards.items()}
    groups = {p: perp.group for p, perp in perps.items()}
    groups.update({p: pattern_state.card_group(p, card, threshold) for p, card in carded.items()})
    emitted: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for s in top:
        owner = next((o for o in order if s.person_id in groups[o].confirmed), None)
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
    summaries = _summary(db, {p: perps[p] for p in order if p not in carded}, today, th, complainant_id)
    summaries.update({p: card_summary(carded[p], groups[p], today, complainant_id) for p in order if p in carded})
    # the register's flags (contract section 7), for the records each match counts
    registered = register_service.flags_for_groups(db, {p: groups[p].members for p in order}, today)
    matches = [{**emitted[p], **summaries[p], "flags": [*summaries[p]["flags"], *registered[p]]} for p in order]
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
