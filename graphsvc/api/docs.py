"""``GET /openapi.json``: the OpenAPI document, built once per app from the routes."""

from __future__ import annotations

from flask import current_app, jsonify

from graphsvc.api import bp
from graphsvc.api.access import ApiDoc, document


@bp.get("/openapi.json")
@document(ApiDoc(summary="This API's OpenAPI 3.1 document", tag="service",
                 response_content={"application/json": {"schema": {"type": "object"}}}))
def openapi_document():  # type: ignore[no-untyped-def]
    from graphsvc.api.openapi import build_document

    state = current_app.extensions.setdefault("graphsvc.api.openapi", {})
    if "doc" not in state:
        state["doc"] = build_document(current_app)
    return jsonify(state["doc"])
