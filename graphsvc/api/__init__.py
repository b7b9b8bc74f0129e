"""HTTP API, base ``/api/v1`` (contract section 4)."""

from __future__ import annotations

from flask import Blueprint

from graphsvc.api.errors import register_error_handlers

__all__ = ["bp", "register_error_handlers"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from graphsvc.api import health  # noqa: E402,F401  (routes register on import)
