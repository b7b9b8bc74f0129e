"""Liveness and readiness (no API key: probes and load balancers call them)."""

from __future__ import annotations

from flask import Response

from graphsvc.api.access import answer
from graphsvc.api.blueprint import bp
from graphsvc.api.openapi import ApiDoc, document
from graphsvc.api.schemas import Status
from graphsvc.extensions import graph_db


@bp.get("/health")
@document(ApiDoc(summary="Liveness: the process answers (never touches Neo4j)", tag="service", response=Status))
def health() -> Response:
    """Liveness: the process answers. Never touches Neo4j."""
    return answer({"status": "ok"}, redact=False)


@bp.get("/ready")
@document(ApiDoc(summary="Readiness: Neo4j answers (503 with Retry-After while it does not)", tag="service",
                 response=Status, errors=(503,)))
def ready() -> Response:
    """Readiness: Neo4j answers a read (503 with Retry-After while it does not)."""
    graph_db.get().ping()
    return answer({"status": "ready"}, redact=False)
