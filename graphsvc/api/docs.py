"""``GET /openapi.json``: the OpenAPI document, built once per app from the routes."""

from __future__ import annotations

from flask import Response, current_app

from graphsvc.api.access import answer
from graphsvc.api.blueprint import bp
from graphsvc.api.openapi import ApiDoc, build_document, document


@bp.get("/openapi.json")
@document(ApiDoc(summary="This API's OpenAPI 3.1 document", tag="service",
                 response_content={"application/json": {"schema": {"type": "object"}}}))
def openapi_document() -> Response:
    state = current_app.extensions.setdefault("graphsvc.api.openapi", {})
    if "doc" not in state:
        state["doc"] = build_document(current_app)
    return answer(state["doc"], redact=False)
