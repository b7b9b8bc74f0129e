"""The OpenAPI 3.1 document, generated from the routes themselves.

Every ``/api/v1`` route carries an :class:`ApiDoc` (attached with :func:`document`) naming the pydantic
models that validate its query string and body and describe its answer; :func:`build_document`
walks ``app.url_map``, turns each model into JSON Schema with pydantic's own
``model_json_schema`` (JSON Schema 2020-12, which OpenAPI 3.1 uses unchanged) and assembles the
paths, parameters, security and error responses. A route without an ``ApiDoc`` fails the build,
so the document cannot drift from what is served. Why this approach rather than a framework
(flask-openapi3, spectree): docs/api.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask
from pydantic import BaseModel, TypeAdapter

from graphsvc.api.parsing import KEY_ID_PATTERN, PATH_ID_PATTERN
from graphsvc.api.schemas import ErrorResponse, InvalidInputResponse, RecordsRejected

__all__ = ["ApiDoc", "document", "build_document", "PREFIX"]

F = TypeVar("F", bound=Callable[..., Any])

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"


@dataclass
class ApiDoc:
    """What the OpenAPI document says about a route."""

    summary: str
    tag: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | Any | None = None
    body_content: tuple[str, ...] = ("application/json",)
    response: type[BaseModel] | Any | None = None
    response_content: dict[str, Any] = field(default_factory=dict)  # mimetype -> schema (raw)
    errors: tuple[int, ...] = ()
    description: str = ""
    example: Any = None


def document(doc: ApiDoc) -> Callable[[F], F]:
    """Attach the OpenAPI description of a route (put it outermost, above
    :func:`graphsvc.api.access.require`)."""

    def decorate(view: F) -> F:
        view.api_doc = doc  # type: ignore[attr-defined]
        return view

    return decorate


_PATH_PARAMS: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "pattern": PATH_ID_PATTERN,
           "description": "a person's record id", "example": "WMP-P-1042"},
    "a": {"type": "string", "pattern": PATH_ID_PATTERN, "description": "one person's record id of the pair"},
    "b": {"type": "string", "pattern": PATH_ID_PATTERN,
          "description": "the other person's record id; must differ from a (no link joins a record to "
          "itself: the same id twice is refused with 422, details naming the field b)"},
    "key_id": {"type": "string", "pattern": KEY_ID_PATTERN, "description": "an API key's public id"},
}
_PURPOSE_PARAM = {
    "name": "X-Purpose",
    "in": "header",
    "required": True,
    "description": "The justification for this read of person data (e.g. a case reference); "
    "written to the audit log.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 500,
               "pattern": r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$"},
    "example": "OP-NIGHTJAR/2026/0142",
}
_ERROR_TEXT = {
    400: "Malformed request (bad JSON, bad query parameter, missing X-Purpose)",
    401: "Missing, malformed, unknown or revoked API key",
    403: "The key's role may not do this",
    404: "No such resource",
    409: "Conflicts with existing data",
    413: "Body too large",
    415: "Unsupported content type",
    422: "Invalid input",
    429: "Rate limit exceeded for this key",
    503: "Neo4j is unreachable, or a register-wide job is still running (job_pending); retry after Retry-After seconds",
}


class _Schemas:
    """Collects component schemas from pydantic models and adapters."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def _absorb(self, schema: dict[str, Any]) -> dict[str, Any]:
        for name, sub in schema.pop("$defs", {}).items():
            self.components.setdefault(name, sub)
        return schema

    def ref(self, model: Any, mode: str) -> dict[str, Any]:
        if isinstance(model, type) and issubclass(model, BaseModel):
            schema = self._absorb(model.model_json_schema(ref_template=REF, mode=mode))  # type: ignore[arg-type]
            self.components.setdefault(model.__name__, schema)
            return {"$ref": REF.format(model=model.__name__)}
        if isinstance(model, TypeAdapter):
            return self._absorb(model.json_schema(ref_template=REF, mode=mode))  # type: ignore[arg-type]
        raise TypeError(f"cannot describe {model!r}")


def _strip_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a value, never JSON null."""
    any_of = schema.get("anyOf")
    if isinstance(any_of, list):
        rest = [s for s in any_of if s.get("type") != "null"]
        if len(rest) == 1:
            merged = {k: v for k, v in schema.items() if k != "anyOf"}
            merged.update(rest[0])
            if merged.get("default", 0) is None:
                merged.pop("default")
            return merged
    return schema


def _query_params(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = _strip_null(dict(prop))
        description = prop.pop("description", None)
        prop.pop("title", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _error_response(status: int, schemas: _Schemas, records: bool) -> dict[str, Any]:
    model = (RecordsRejected if records else InvalidInputResponse) if status == 422 else ErrorResponse
    out: dict[str, Any] = {
        "description": _ERROR_TEXT.get(status, "Error"),
        "content": {"application/json": {"schema": schemas.ref(model, "serialization")}},
    }
    if status in (429, 503):
        out["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}}
    if status == 401:
        out["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return out


def _operation(method: str, path: str, view: Any, schemas: _Schemas) -> dict[str, Any]:
    doc: ApiDoc | None = getattr(view, "api_doc", None)
    if doc is None:
        raise RuntimeError(f"{method.upper()} {path} has no ApiDoc: every route is documented")
    permission = getattr(view, "required_permission", None)
    op: dict[str, Any] = {
        "operationId": view.__name__,
        "summary": doc.summary,
        "tags": [doc.tag],
        "parameters": [],
        "responses": {},
    }
    description = doc.description
    if permission is not None:
        description = (description + "\n\n" if description else "") + f"Permission: `{permission.value}`."
    else:
        op["security"] = []
    if description:
        op["description"] = description
    for name in re.findall(r"{([^}]+)}", path):
        op["parameters"].append(
            {"name": name, "in": "path", "required": True, "schema": _PATH_PARAMS.get(name, {"type": "string"})}
        )
    if getattr(view, "requires_purpose", False):
        op["parameters"].append(dict(_PURPOSE_PARAM))
    if doc.query is not None:
        op["parameters"].extend(_query_params(doc.query))
    if doc.body is not None:
        body_schema = schemas.ref(doc.body, "validation")
        content: dict[str, Any] = {}
        for mimetype in doc.body_content:
            media: dict[str, Any] = {"schema": body_schema}
            if mimetype == "application/x-ndjson":
                media = {"schema": {"type": "string", "description": "one record (JSON) per line"}}
            elif doc.example is not None:
                media["example"] = doc.example
            content[mimetype] = media
        op["requestBody"] = {"required": True, "content": content}
    ok = "201" if method == "post" and view.__name__ in ("post_key", "post_subscription") else "200"
    success: dict[str, Any] = {"description": "OK"}
    if doc.response is not None:
        success["content"] = {"application/json": {"schema": schemas.ref(doc.response, "serialization")}}
    if doc.response_content:  # other types (files, pictures), beside the JSON answer if there is one
        success.setdefault("content", {}).update(doc.response_content)
    op["responses"][ok] = success
    for status in doc.errors:
        op["responses"][str(status)] = _error_response(status, schemas, records=view.__name__ == "post_records")
    if not op["parameters"]:
        del op["parameters"]
    return op


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every ``/api/v1`` route of ``app``."""
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX):])
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(method.lower(), path, view, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "graphsvc",
            "version": "1.0.0",
            "description": (
                "The stalking register's case-system API (contract section 4). Every endpoint but "
                "/health, /ready and /openapi.json needs `Authorization: Bearer KEY`; every read of "
                "person data needs `X-Purpose` and is written to the audit log. Errors are always "
                '`{"error": {"code", "message", "details"?}}`.'
            ),
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "gsk_<key_id>_<secret>"}
            },
        },
    }
