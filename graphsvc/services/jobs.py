"""The cache of register-wide jobs (the serial ranking, the unidentified clusters), a Flask
extension in the manner of flask-caching.

A :class:`JobCache` holds, per (database, job), the job's last answer and its one run under way.
The app factory builds one per app (:meth:`JobCache.init_app`: its refresh age from the app's
settings, ``pattern_cache_s`` / ``GRAPHSVC_PATTERN_CACHE_S``; its wait from ``JOB_WAIT_S`` /
``GRAPHSVC_JOB_WAIT_S``) and routes reach it with :func:`current_jobs`; the CLI builds one per
command, waiting for the answer (``wait_s=None``). Without one, ``services.serial`` and
``services.unidentified`` compute every answer afresh.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, NamedTuple

from graphsvc.errors import JobPending
from graphsvc.graph.db import Database
from graphsvc.repository import patterns as pattern_reads

if TYPE_CHECKING:  # Flask is imported by the service only: the CLI's commands never load it
    from flask import Flask

__all__ = ["EXTENSION", "JobAnswer", "JobCache", "Runner", "current_jobs", "uncached"]

#: the key of the app's :class:`JobCache` in ``app.extensions``
EXTENSION = "graphsvc.jobs"

#: Runs one job in the cache's background thread: called with the job's name and its compute,
#: it returns ``compute()``'s value (or lets its error through). The default calls ``compute()``;
#: another runner can time a run, or hold one (the tests hold a run to see what callers get meanwhile).
Runner = Callable[[str, Callable[[], Any]], Any]


class JobAnswer(NamedTuple):
    """A register-wide job's answer as :meth:`JobCache.answer` hands it out."""

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


def _call(name: str, compute: Callable[[], Any]) -> Any:
    return compute()


def uncached(compute: Callable[[], Any]) -> JobAnswer:
    """``compute()`` now, in the caller's thread, as a fresh answer (no cache, or a cache with
    a refresh age of 0)."""
    return JobAnswer(compute(), dt.datetime.now(dt.timezone.utc), False)


def _pending(name: str) -> JobPending:
    return JobPending(f"the {name} job is running over the whole register; ask again shortly",
                      {"job": name}, retry_after=10)


class JobCache:
    """Register-wide jobs' answers, kept and refreshed, each job run in a background thread.

    ``ttl_s``: an answer's refresh age in seconds (the service's ``GRAPHSVC_PATTERN_CACHE_S``,
    default 600; 0 or less disables the cache: every answer is computed in the caller's thread).
    ``wait_s``: how long a caller waits for a register-wide job before answering "ask again"
    (:class:`JobPending`, a 503 with Retry-After); None waits for the answer (the CLI). The
    service sets it from ``GRAPHSVC_JOB_WAIT_S``, below gunicorn's worker timeout. Both are
    read on each :meth:`answer`, so they may be changed at any time. ``runner``: see
    :data:`Runner`.

    The kept answers, the runs under way and the lock that guards them are the instance's: one
    cache per app (or per CLI command), shared by its threads.
    """

    def __init__(self, ttl_s: float = 600.0, wait_s: float | None = None, *, runner: Runner | None = None) -> None:
        self.ttl_s = ttl_s
        self.wait_s = wait_s
        self.runner: Runner = runner or _call
        #: (database, job) -> the job's last answer; one per job, whatever the question
        self._kept: dict[tuple[int, str], _Kept] = {}
        #: (database, job) -> (key, future) of the job's one run under way
        self._running: dict[tuple[int, str], tuple[Any, Future[Any]]] = {}
        self._lock = threading.Lock()

    def init_app(self, app: Flask) -> None:
        """Make this the app's cache (``app.extensions["graphsvc.jobs"]``), its refresh age
        from the app's settings (``GRAPHSVC_SETTINGS.pattern_cache_s``), its wait from
        ``app.config["JOB_WAIT_S"]``."""
        self.ttl_s = app.config["GRAPHSVC_SETTINGS"].pattern_cache_s
        self.wait_s = app.config["JOB_WAIT_S"]
        app.extensions[EXTENSION] = self

    def clear(self) -> None:
        """Forget every kept answer (a run under way goes on, and keeps its answer when it ends)."""
        with self._lock:
            self._kept.clear()

    def answer(self, db: Database, name: str, question: Any, compute: Callable[[], Any],
               state: Any = None) -> JobAnswer:
        """``compute()`` for ``question`` (the job's parameters), kept while the register's ``state``
        (what the caller knows changes the answer, e.g. the identity links' digest) and its
        fingerprint (count-store counts and the register's write counter, which every write of
        records bumps: ``pattern_reads.graph_fingerprint``) stay the same, and refreshed every ``ttl_s``
        seconds (``GRAPHSVC_PATTERN_CACHE_S``, default 600; 0 disables the cache). The refresh
        only guards against writes made outside graphsvc (Cypher typed into the database by hand).

        A job runs in a background thread, at most one run per (database, job) at a time: callers
        asking for the answer it will give wait on it, at most the job wait (``wait_s``). An error
        in the job reaches every waiter, and the next request starts it again.

        - Past its refresh age, an answer whose key still holds is served at once while a run
          recomputes it (stale while revalidating): graphsvc wrote nothing since.
        - When the state or the fingerprint changed, the caller waits for the new run; if it outlives
          the wait, the last answer to the same question is served marked ``stale``; with none,
          :class:`JobPending` says to ask again, and the run goes on.
        - While a run for another key (an earlier state, another question) is under way, none starts
          beside it (at 1M people a run takes 100-150 s and up to 4.5 GB): the caller gets the last
          answer to its question marked ``stale``, or :class:`JobPending`; the first request after
          the run ends starts the next. With ``wait_s`` None (the CLI) the caller waits for that
          run, then asks again.
        """
        ttl = self.ttl_s
        if ttl <= 0:
            return uncached(compute)
        key = (question, state, pattern_reads.graph_fingerprint(db))
        slot = (id(db), name)
        with self._lock:
            kept = self._kept.get(slot)
            holds = kept is not None and kept.key == key
            if kept is not None and holds and time.monotonic() - kept.stored < ttl:
                return JobAnswer(kept.value, kept.computed_at, False)
            running = self._running.get(slot)
            if running is None:
                future: Future[Any] = Future()
                self._running[slot] = (key, future)
                threading.Thread(target=self._run, args=(slot, key, future, name, compute),
                                 name=f"graphsvc-job-{name}", daemon=True).start()
            else:
                future = running[1]
            another = running is not None and running[0] != key  # the run under way answers another key
            if kept is not None and holds:
                return JobAnswer(kept.value, kept.computed_at, False)  # past its refresh age: served while refreshed
            previous = kept if kept is not None and kept.key[0] == question else None
        wait_s = self.wait_s
        if another:
            if previous is not None:
                return JobAnswer(previous.value, previous.computed_at, True)
            if wait_s is None:  # the CLI: wait for that run, then ask again
                wait([future])
                return self.answer(db, name, question, compute, state)
            raise _pending(name)
        try:
            value, at = future.result(timeout=wait_s)
            return JobAnswer(value, at, False)
        except FutureTimeout:
            if previous is not None:
                return JobAnswer(previous.value, previous.computed_at, True)
            raise _pending(name) from None

    def _run(self, slot: tuple[int, str], key: Any, future: Future[Any], name: str, compute: Callable[[], Any]) -> None:
        error: BaseException | None = None
        try:
            value = self.runner(name, compute)
            at = dt.datetime.now(dt.timezone.utc)
        except BaseException as exc:  # noqa: BLE001 - handed to every waiter
            error = exc
        with self._lock:  # the run leaves the table before its waiters wake (a retry starts afresh)
            if error is None:
                self._kept[slot] = _Kept(time.monotonic(), key, value, at)
            if self._running.get(slot, (None, None))[1] is future:
                del self._running[slot]
        if error is None:
            future.set_result((value, at))
        else:
            future.set_exception(error)


def current_jobs(app: Flask | None = None) -> JobCache:
    """The app's :class:`JobCache` (``app``, else the current app), for routes."""
    if app is None:
        from flask import current_app  # only ever called inside the service, where Flask is loaded

        app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs: JobCache = app.extensions[EXTENSION]
    return jobs
