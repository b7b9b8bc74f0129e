"""Fail fast while Neo4j is down, recover by itself when it returns.

The driver retries a managed transaction for up to its retry budget (15 s and backoff) before
giving up, so without help every request during an outage would hold a worker thread for
~25 s. After any request finds Neo4j unreachable the breaker opens: while open, a request
first probes Neo4j with a cheap connectivity check (at most one probe per ``probe_interval_s``
per process; requests in between get 503 at once). The first probe that succeeds closes it.
No restart is needed: the driver reconnects on its own.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app, request

from graphsvc.errors import DatabaseUnavailable
from graphsvc.extensions import graph_db

__all__ = ["Breaker", "init_app"]

_EXEMPT = {"/api/v1/health", "/api/v1/openapi.json"}


class Breaker:
    """Per-process record of whether Neo4j was last found unreachable."""

    def __init__(self, probe_interval_s: float = 1.0) -> None:
        self.probe_interval_s = probe_interval_s
        self._open = False
        self._last_probe = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._open

    def trip(self) -> None:
        with self._lock:
            if not self._open:
                self._open = True
                self._last_probe = time.monotonic()

    def reset(self) -> None:
        with self._lock:
            self._open = False

    def guard(self) -> None:
        """Raise :class:`DatabaseUnavailable` unless Neo4j is believed (or just found) up."""
        if not self._open:
            return
        with self._lock:
            now = time.monotonic()
            if now - self._last_probe < self.probe_interval_s:
                raise DatabaseUnavailable("the graph database is unreachable; try again shortly")
            self._last_probe = now
        graph_db.get().ping()  # raises DatabaseUnavailable (fast: no transaction retries)
        self.reset()


def init_app(app: Flask) -> None:
    app.extensions["graphsvc.breaker"] = Breaker()

    @app.before_request
    def _guard() -> None:
        if request.path.startswith("/api/v1/") and request.path not in _EXEMPT:
            current_app.extensions["graphsvc.breaker"].guard()
