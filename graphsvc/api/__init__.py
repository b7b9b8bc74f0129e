"""HTTP API, base ``/api/v1`` (contract section 4).

Routes live in one module per area and register on :data:`bp` (:mod:`graphsvc.api.blueprint`)
when imported; every route but ``/health``, ``/ready`` and ``/openapi.json`` wears
:func:`graphsvc.api.access.require`. :func:`register_error_handlers` is the one place errors
become HTTP answers.
"""

from __future__ import annotations

# Route modules register their routes on import; this order is the url map's.
from graphsvc.api import admin, docs, exports, health, persons, records  # noqa: F401
from graphsvc.api import alerts, links, register, review  # noqa: F401
from graphsvc.api.blueprint import bp
from graphsvc.api.errors import register_error_handlers

__all__ = ["bp", "register_error_handlers"]
