"""The analyses' entry points, called by the HTTP API and the CLI alike.

Each function validates its input (:class:`~graphsvc.errors.InvalidInput`,
:class:`~graphsvc.errors.NotFound`), reads through :mod:`graphsvc.repository`, hands plain
rows to :mod:`graphsvc.analysis` and returns a JSON-serialisable dict (dates as ISO strings),
unredacted: the API redacts by role. Shapes follow the contract (section 4); thresholds and
formulas are in docs/analysis.md.

This package re-exports them from one module per use case:

- :mod:`~graphsvc.services.intake`: :func:`check`, the intake check;
- :mod:`~graphsvc.services.persons`: :func:`person_profile`, :func:`fixation`, :func:`linked_victims`;
- :mod:`~graphsvc.services.patterns`: :func:`serial`, :func:`unidentified` (register-wide jobs);
- :mod:`~graphsvc.services.lookup`: :func:`search` and the parsing of its query;

and what they share:

- :mod:`~graphsvc.services.common`: the limits, the input checks, cursors and dates;
- :mod:`~graphsvc.services.perpetrators`: perpetrators seen through identity links, their summaries;
- :mod:`~graphsvc.services.scoring`: the intake check's scorer, :func:`warm_process`;
- :mod:`~graphsvc.services.jobs`: :class:`JobCache`, the app extension that keeps the
  register-wide jobs' answers and runs them in the background (:func:`current_jobs`).

:mod:`~graphsvc.services.resolution` (identity resolution) and :mod:`~graphsvc.services.ingest`
(loading records) are imported by their own callers.
"""

from __future__ import annotations

from graphsvc.services.common import CHECK_LIMIT_CAP, LIMIT_CAP, SEARCH_LIMIT_CAP
from graphsvc.services.intake import check
from graphsvc.services.jobs import JobAnswer, JobCache, current_jobs
from graphsvc.services.lookup import search
from graphsvc.services.patterns import serial, unidentified
from graphsvc.services.persons import fixation, linked_victims, person_profile
from graphsvc.services.scoring import warm_process

__all__ = ["check", "person_profile", "fixation", "linked_victims", "serial", "unidentified", "search",
           "warm_process", "JobCache", "JobAnswer", "current_jobs", "LIMIT_CAP", "CHECK_LIMIT_CAP",
           "SEARCH_LIMIT_CAP"]
