"""The intake check's scorer: which one (``settings.check_scorer``), loading the trained linkage
model once per process, and :func:`warm_process` for long-running processes."""

from __future__ import annotations

import gc
import logging
import threading
from typing import Any

from graphsvc.analysis.matching import DeterministicScorer, LinkageScorer, Scorer
from graphsvc.config import Settings
from graphsvc.services.resolution import load_model

log = logging.getLogger(__name__)

__all__ = ["warm_process"]

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
    from graphsvc.linkage.api import score_subject  # heavy: splink/duckdb
    from graphsvc.linkage.errors import LinkageRecordError  # heavy: splink/duckdb (graphsvc.linkage's package)
    from graphsvc.linkage.records import from_contract_person, prepare_person  # heavy: splink/duckdb

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
                # the rule scorer. A subject it cannot compare raises LinkageRecordError (a ValueError).
                rows = []
                for c in candidates:
                    try:
                        rows.append(prepare_person(from_contract_person(c), 0))
                    except LinkageRecordError:
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
