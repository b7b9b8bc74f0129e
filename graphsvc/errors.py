"""One error tree for graphsvc.

Driver errors are translated into these at the repository edge (:mod:`graphsvc.graph.db`); the HTTP
layer maps each to one status and the one JSON error shape, the CLI to a message and an exit code.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "GraphsvcError",
    "InvalidInput",
    "NotFound",
    "Conflict",
    "DatabaseUnavailable",
    "QueryTimedOut",
    "DatabaseError",
    "JobPending",
    "Forbidden",
    "Unauthorized",
]


class GraphsvcError(Exception):
    """Base of every error graphsvc raises on purpose."""

    code = "error"
    status = 500

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(GraphsvcError):
    code = "invalid_input"
    status = 422


class NotFound(GraphsvcError):
    code = "not_found"
    status = 404


class Conflict(GraphsvcError):
    code = "conflict"
    status = 409


class Unauthorized(GraphsvcError):
    code = "unauthorized"
    status = 401


class Forbidden(GraphsvcError):
    code = "forbidden"
    status = 403


class DatabaseUnavailable(GraphsvcError):
    """Neo4j cannot be reached (or the cluster has no leader just now): try again later."""

    code = "database_unavailable"
    status = 503


class QueryTimedOut(DatabaseUnavailable):
    """A transaction ran past its timeout and Neo4j stopped it (the same answer to a caller as
    :class:`DatabaseUnavailable`; work that can be done another way, in smaller transactions,
    catches it)."""


class JobPending(GraphsvcError):
    """A register-wide job (the serial ranking, the clusters) is still running in the
    background: ask again after ``retry_after`` seconds, when its answer is cached."""

    code = "job_pending"
    status = 503

    def __init__(self, message: str, details: Any = None, retry_after: int = 10) -> None:
        super().__init__(message, details)
        self.retry_after = retry_after


class DatabaseError(GraphsvcError):
    """Neo4j refused a query for a reason that is not the caller's input."""

    code = "database_error"
    status = 500
