"""Request ids and structured JSON logs.

Every request gets an id: the caller's ``X-Request-Id`` when it is a sane token (the record-id
rule, :data:`loaders.records.RECORD_ID`: 1-128 of ``A-Z a-z 0-9 . _ : -``), else a fresh one; it is echoed in the response's ``X-Request-Id``,
stamped on every log line written while the request runs, and stored in its audit entry.

One access-log line per request: method, path (never the query string, which may hold names),
status, duration, the key id and role. Person data is written to the audit log, not to logs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from loaders.records import RECORD_ID

__all__ = ["JsonFormatter", "RequestIdFilter", "init_app", "configure_logging"]

access_log = logging.getLogger("graphsvc.access")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record logged inside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    _SKIP = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._SKIP and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (it may be replaced after start-up)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # type: ignore[no-untyped-def]
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the ``graphsvc`` loggers (unless something configured them)."""
    logger = logging.getLogger("graphsvc")
    if logger.handlers:
        return
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    # Neo4j's query notifications (e.g. "property key does not exist" on a young database)
    # are not operational events; keep errors only.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if RECORD_ID.match(given) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-Id"] = request_id
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        who = g.get("principal")
        access_log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
                "key_id": who.key_id if who else None,
                "role": who.role.value if who else None,
            },
        )
        return response
