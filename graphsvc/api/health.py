"""Liveness and readiness."""

from __future__ import annotations

from flask import jsonify

from graphsvc.api import bp
from graphsvc.extensions import graph_db


@bp.get("/health")
def health():  # type: ignore[no-untyped-def]
    """Liveness: the process answers. Never touches Neo4j."""
    return jsonify({"status": "ok"})


@bp.get("/ready")
def ready():  # type: ignore[no-untyped-def]
    """Readiness: Neo4j answers a read (503 with Retry-After while it does not)."""
    db = graph_db.get()
    db.ping()
    return jsonify({"status": "ready"})
