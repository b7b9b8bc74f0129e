"""The HTTP error edge: the API's own errors and the one JSON error shape,
``{"error": {code, message, details?}}``, written by app-wide handlers.

Every failure leaves through :func:`register_error_handlers`: graphsvc errors with their status
(the kinds of :mod:`graphsvc.errors` and the HTTP-only ones below), HTTP errors from routing and
body limits (404, 405, 413...), driver errors that escaped translation (503), and anything
unexpected (500, logged with its traceback server-side, never shown to the client).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify
from neo4j.exceptions import DriverError, ServiceUnavailable, SessionExpired
from werkzeug.exceptions import HTTPException

from graphsvc.errors import DatabaseUnavailable, GraphsvcError, JobPending

__all__ = [
    "register_error_handlers",
    "error_response",
    "field_faults",
    "RETRY_AFTER_UNAVAILABLE_S",
    "BadRequest",
    "PurposeRequired",
    "RateLimited",
    "UnsupportedMediaType",
    "RecordsInvalid",
    "TooManyRecords",
]

log = logging.getLogger("graphsvc.api")
RETRY_AFTER_UNAVAILABLE_S = 5

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class BadRequest(GraphsvcError):
    """The request cannot be read: bad JSON, a bad query parameter."""

    code = "bad_request"
    status = 400


class PurposeRequired(BadRequest):
    """A read of person data without a usable ``X-Purpose``."""

    code = "purpose_required"


class RateLimited(GraphsvcError):
    """Too many requests (or failed authentications); ``retry_after`` becomes ``Retry-After``."""

    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: int, what: str = "requests for this API key") -> None:
        super().__init__(f"too many {what}; retry after {retry_after} s", {"retry_after": retry_after})
        self.retry_after = retry_after


class UnsupportedMediaType(GraphsvcError):
    code = "unsupported_media_type"
    status = 415


class RecordsInvalid(GraphsvcError):
    """``POST /records`` found faults: every one is in ``details`` and in the top-level ``errors``."""

    code = "invalid_records"
    status = 422

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} fault(s) found; nothing was written", errors)
        self.extra = {"errors": errors}


class TooManyRecords(GraphsvcError):
    code = "payload_too_large"
    status = 413


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    payload: dict[str, Any] = {"error": body}
    payload.update(extra or {})
    response = jsonify(payload)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def field_faults(message: str, details: Any) -> list[dict[str, Any]]:
    """A 422's ``details`` in the one documented shape, a list of ``{field, message, ...}``
    (docs/api.md). The use cases name a faulty field as ``{"field": ...}`` (one fault, the
    error's message being its message) or list several; the API answered the first as an object
    and the second as a list, so a client had to handle both. Every 422 leaves through here."""
    if details is None:
        return [{"field": None, "message": message}]
    items = details if isinstance(details, list) else [details]
    faults: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict):
            faults.append({**item, "field": item.get("field"), "message": str(item.get("message") or message)})
        else:
            faults.append({"field": None, "message": str(item)})
    return faults


def _trip_breaker() -> None:
    breaker = current_app.extensions.get("graphsvc.breaker")
    if breaker is not None:
        breaker.trip()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(GraphsvcError)
    def _graphsvc(exc: GraphsvcError) -> Response:
        headers: dict[str, str] = {}
        if isinstance(exc, DatabaseUnavailable):
            _trip_breaker()
            headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE_S)
            log.warning("database unavailable: %s", exc.message)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="graphsvc"'
        if exc.status >= 500 and not isinstance(exc, (DatabaseUnavailable, JobPending)):
            log.exception("server error")
            return error_response(exc.status, exc.code, "an internal error occurred")
        details = field_faults(exc.message, exc.details) if exc.status == 422 else exc.details
        return error_response(exc.status, exc.code, exc.message, details, headers, getattr(exc, "extra", None))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = _HTTP_CODES.get(status) or (exc.name or "error").lower().replace(" ", "_")
        headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else None  # type: ignore[attr-defined]
        if status >= 500:
            log.error("http error %s", status)
            return error_response(status, "internal_error", "an internal error occurred")
        return error_response(status, code, exc.description or exc.name or "error", headers=headers)

    @app.errorhandler(ServiceUnavailable)
    @app.errorhandler(SessionExpired)
    def _driver_unavailable(exc: DriverError) -> Response:
        log.warning("database unavailable (untranslated driver error): %s", type(exc).__name__)
        _trip_breaker()
        return error_response(
            503, DatabaseUnavailable.code, "the graph database is unreachable; try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE_S)},
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "an internal error occurred")
