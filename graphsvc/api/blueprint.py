"""The API's blueprint, base ``/api/v1``, in a module of its own: route modules register on it
and :mod:`graphsvc.api` imports them, so no route module imports the package that imports it."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")
