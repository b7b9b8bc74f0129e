"""Process-wide resources attached to the Flask app with ``init_app``.

The driver is opened on first use (never at import time) and closed at exit; one per process.
"""

from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from graphsvc.config import Settings
from graphsvc.graph.db import Database

__all__ = ["GraphDb", "graph_db"]


class GraphDb:
    """Holds the one :class:`Database` of a process (thread-safe, lazily opened)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def init_app(self, app: Flask) -> None:
        app.extensions["graphsvc.graph.db"] = {"db": None, "schema_applied": False}

    def get(self, app: Flask | None = None) -> Database:
        app = app or current_app._get_current_object()  # type: ignore[attr-defined]
        state = app.extensions["graphsvc.graph.db"]
        if state["db"] is None:
            with self._lock:
                if state["db"] is None:
                    settings: Settings = app.config["GRAPHSVC_SETTINGS"]
                    opened = Database(settings)
                    atexit.register(opened.close)
                    state["db"] = opened
        db: Database = state["db"]
        if not state["schema_applied"]:
            with self._lock:
                if not state["schema_applied"]:
                    db.apply_schema()
                    state["schema_applied"] = True
        return db


graph_db = GraphDb()
