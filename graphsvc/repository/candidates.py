"""The intake check's reads: its candidates and their records in one read transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository.perpetrators import perpetrator_rows_in
from graphsvc.repository.persons import CANDIDATE_LIMIT
from graphsvc.repository.rows import identifier_params
from graphsvc.repository.state import check_cards_in

__all__ = ["check_reads", "check_candidates", "check_candidates_in"]


def check_reads(db: Database, identifiers: Mapping[str, Sequence[str]], lucene: str | None,
                dobs: Sequence[dt.date], complainant_id: str | None,
                choose: Callable[[list[dict[str, Any]], bool], Sequence[str] | None], threshold: float, *,
                name_limit: int = 50, dob_limit: int = 100, initials: Sequence[str] | None = None,
                cards_usable: Callable[[Mapping[str, Any]], bool] | None = None,
                ) -> tuple[list[dict[str, Any]], dict[str, Any], bool, dict[str, str]]:
    """The intake check's reads, in ONE read transaction: the candidates (:func:`check_candidates_in`),
    then ``choose(candidates, narrow)`` (the caller's scoring: the person ids worth a summary), then
    :func:`perpetrator_rows_in` for those. Returns ``(candidates, perpetrator rows, narrowed)``.

    When the subject has identifiers, the persons they reach are read first, alone
    (``narrow=True``); ``choose`` returns None when they do not settle the answer, and the
    names and dates of birth are searched as well. ``narrowed`` says the name and date-of-birth
    search was not needed (docs/analysis.md: the full-text name search is most of a check's
    database time).

    With ``cards_usable``, the pattern state's check cards of the chosen persons are read in the
    same transaction (:func:`graphsvc.repository.state.check_cards_in`); when
    ``cards_usable(read)`` says the state holds the register as it is, the records are read only
    for the chosen persons with no card. Returns ``(candidates, perpetrator rows, narrowed,
    cards)`` (``cards``: person id -> card JSON text, those used).

    One transaction instead of two saves a BEGIN and a COMMIT round trip per check; ``choose``
    runs inside it, so it must be a pure function of its input (a managed transaction may be
    retried)."""

    def work(tx: Any) -> tuple[list[dict[str, Any]], dict[str, Any], bool, dict[str, str]]:
        chosen: Sequence[str] | None = None
        if any(identifier_params(identifiers).values()):
            candidates = check_candidates_in(db, tx, identifiers, None, (), complainant_id, threshold,
                                             name_limit=name_limit, dob_limit=dob_limit, initials=initials)
            chosen = choose(candidates, True) if candidates else None
        narrowed = chosen is not None
        if chosen is None:
            candidates = check_candidates_in(db, tx, identifiers, lucene, dobs, complainant_id, threshold,
                                             name_limit=name_limit, dob_limit=dob_limit, initials=initials)
            chosen = choose(candidates, False) or []
        cards: dict[str, str] = {}
        if cards_usable is not None and chosen:
            read = check_cards_in(db, tx, list(chosen))
            if cards_usable(read):
                cards = read["cards"]
        known = {c["person_id"]: c["identity_links"] for c in candidates}
        rest = [p for p in chosen if p not in cards]
        return candidates, perpetrator_rows_in(db, tx, rest, threshold, known), narrowed, cards

    return db.read_tx(work)


def check_candidates(db: Database, identifiers: Mapping[str, Sequence[str]], lucene: str | None,
                     dobs: Sequence[dt.date], complainant_id: str | None, threshold: float, *,
                     name_limit: int = 50, dob_limit: int = 100,
                     initials: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """:func:`check_candidates_in` in a read transaction of its own (the benchmark's raw lookup)."""
    return db.read_tx(lambda tx: check_candidates_in(db, tx, identifiers, lucene, dobs, complainant_id, threshold,
                                                     name_limit=name_limit, dob_limit=dob_limit, initials=initials))


def check_candidates_in(db: Database, tx: Any, identifiers: Mapping[str, Sequence[str]], lucene: str | None,
                        dobs: Sequence[dt.date], complainant_id: str | None, threshold: float, *,
                        name_limit: int = 50, dob_limit: int = 100,
                        initials: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Candidates by identifier (up to ``CANDIDATE_LIMIT`` hits), by name (``name_limit``) and by
    date of birth (``dob_limit``; only those whose given or family name starts with one of
    ``initials``, unless None), with what the scorer needs of each, ``identifier_hits``
    (``[{"field", "value", "how", "incident_ids"?}]``) and ``identity_links`` (the links that
    count at ``threshold`` touching the candidate, as ``find_identity_links`` returns them), in
    the order first found (identifier hits, then names, then dates of birth):
    ``find_check_candidates``, one round trip."""
    # the subject's values in one map: one parameter type, so one cached plan (the query's header)
    subject = {"q": lucene, "dobs": list(dobs), "complainant": complainant_id,
               "initials": None if initials is None else sorted(set(initials)), **identifier_params(identifiers)}
    rows = db.run_in(tx, "find_check_candidates", s=subject, limit=CANDIDATE_LIMIT, name_limit=name_limit,
                     dob_limit=dob_limit, threshold=threshold)
    for row in rows:
        # the only driver temporal value in a row: converted alone, since a recursive native()
        # walk of every row was a measurable part of a check (docs/analysis.md)
        if row["dob"] is not None:
            row["dob"] = row["dob"].to_native()
        for hit in row["identifier_hits"]:
            if not hit["incident_ids"]:
                del hit["incident_ids"]
    return rows
