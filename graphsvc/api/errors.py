"""The one JSON error shape, written by app-wide handlers: ``{"error": {code, message, details?}}``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from graphsvc.errors import DatabaseUnavailable, GraphsvcError

__all__ = ["register_error_handlers", "error_response"]

log = logging.getLogger("graphsvc.api")


def error_response(status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(GraphsvcError)
    def _graphsvc(exc: GraphsvcError):  # type: ignore[no-untyped-def]
        headers = {"Retry-After": "5"} if isinstance(exc, DatabaseUnavailable) else None
        if exc.status >= 500 and not isinstance(exc, DatabaseUnavailable):
            log.exception("server error")
        return error_response(exc.status, exc.code, exc.message, exc.details, headers)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name or "error")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error")
        return error_response(500, "internal_error", "an internal error occurred")
