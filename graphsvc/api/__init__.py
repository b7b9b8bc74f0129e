"""HTTP API, base ``/api/v1`` (contract section 4).

Routes live in one module per area and register on :data:`bp` when imported; every route but
``/health``, ``/ready`` and ``/openapi.json`` wears :func:`graphsvc.api.access.require`.
"""

from __future__ import annotations

from flask import Blueprint

from graphsvc.api.errors import register_error_handlers

__all__ = ["bp", "register_error_handlers"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from graphsvc.api import admin, docs, exports, health, persons, records  # noqa: E402,F401  (routes register on import)
from graphsvc.api import links  # noqa: E402,F401  (identity links)
