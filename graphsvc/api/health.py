"""Liveness and readiness (no API key: probes and load balancers call them)."""

from __future__ import annotations

from flask import jsonify

from graphsvc.api import bp
from graphsvc.api.access import ApiDoc, document
from graphsvc.api.schemas import Status
from graphsvc.extensions import graph_db


@bp.get("/health")
@document(ApiDoc(summary="Liveness: the process answers (never touches Neo4j)", tag="service", response=Status))
def health():  # type: ignore[no-untyped-def]
    """Liveness: the process answers. Never touches Neo4j."""
    return jsonify({"status": "ok"})


@bp.get("/ready")
@document(ApiDoc(summary="Readiness: Neo4j answers (503 with Retry-After while it does not)", tag="service",
                 response=Status, errors=(503,)))
def ready():  # type: ignore[no-untyped-def]
    """Readiness: Neo4j answers a read (503 with Retry-After while it does not)."""
    db = graph_db.get()
    db.ping()
    return jsonify({"status": "ready"})
