"""Who may call a route, why, and how often: the one decorator every API route wears.

``@require(Permission.READ, purpose=True, audit="consultation")`` on a view:

1. authenticates ``Authorization: Bearer KEY`` (401 otherwise),
2. takes a token from the key's rate-limit bucket (429 with ``Retry-After`` otherwise),
3. checks the key's role has the permission (403 otherwise, and the refusal is audited),
4. when ``purpose`` is set, requires a non-blank ``X-Purpose`` header (400 otherwise),
5. when ``audit`` is set, writes one audit entry for the request before the answer leaves:
   the view calls :func:`record` with what was asked and the person ids it returns; a view that
   fails with a graphsvc error is audited with that status and no ids. If the entry cannot be
   written the caller gets 503 and no data.

The decorator marks the view (``view.required_permission``) so a test can walk ``url_map`` and
prove no route lacks it; ``view.api_doc`` carries the OpenAPI description (:mod:`graphsvc.api.openapi`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Response, current_app, g, request
from pydantic import BaseModel, ValidationError

from graphsvc.security import audit as audit_log
from graphsvc.security.keys import KeyRing, Principal, parse_key
from graphsvc.errors import Forbidden, GraphsvcError, InvalidInput, NotFound, Unauthorized
from graphsvc.extensions import graph_db
from graphsvc.security.policy import Permission, allowed
from graphsvc.security.ratelimit import TokenBucketLimiter

__all__ = [
    "require",
    "document",
    "record",
    "check_person_id",
    "audit_now",
    "principal",
    "purpose",
    "parse_query",
    "parse_json_body",
    "ApiDoc",
    "BadRequest",
    "RateLimited",
    "UnsupportedMediaType",
]

F = TypeVar("F", bound=Callable[..., Any])

PURPOSE_HEADER = "X-Purpose"
_PURPOSE = re.compile(r"^[^\x00-\x1f\x7f]{1,500}$")


class BadRequest(GraphsvcError):
    code = "bad_request"
    status = 400


class PurposeRequired(BadRequest):
    code = "purpose_required"


class RateLimited(GraphsvcError):
    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: int, what: str = "requests for this API key") -> None:
        super().__init__(f"too many {what}; retry after {retry_after} s", {"retry_after": retry_after})
        self.retry_after = retry_after


class UnsupportedMediaType(GraphsvcError):
    code = "unsupported_media_type"
    status = 415


@dataclass
class ApiDoc:
    """What :mod:`graphsvc.api.openapi` says about a route."""

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


def _keyring() -> KeyRing:
    return current_app.extensions["graphsvc.keyring"]  # type: ignore[no-any-return]


def _limiter() -> TokenBucketLimiter:
    return current_app.extensions["graphsvc.limiter"]  # type: ignore[no-any-return]


def principal() -> Principal:
    return g.principal  # type: ignore[no-any-return]


def purpose() -> str | None:
    return g.get("purpose")


def _authenticate() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send the API key as 'Authorization: Bearer KEY'")
    token = token.strip()
    # Each failed authentication costs an Argon2 check: a client address that keeps failing is
    # refused before any more are made (429) until its failure bucket refills.
    failures: TokenBucketLimiter = current_app.extensions["graphsvc.auth_failures"]
    client = request.remote_addr or "unknown"
    wait = failures.blocked(client)
    if wait is not None:
        raise RateLimited(wait, "failed authentications from this address")
    try:
        return _keyring().authenticate(graph_db.get(), token)
    except Unauthorized:
        if parse_key(token) is not None:  # only well-formed keys cost an Argon2 check
            failures.take(client)
        raise


_PERSON_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def check_person_id(person_id: str) -> None:
    """A path id that no record could have is simply not found (404)."""
    if not _PERSON_ID.match(person_id):
        raise NotFound("no person with that id")


def record(query: dict[str, Any], person_ids: list[str]) -> None:
    """What this request asked and which person ids it returns (written to the audit log)."""
    g.audit_query = query
    g.audit_person_ids = list(person_ids)


def audit_now(action: str, status: int, query: dict[str, Any], person_ids: list[str]) -> None:
    who: Principal = g.principal
    audit_log.append_entry(
        graph_db.get(),
        actor=who.actor,
        role=who.role.value,
        action=action,
        purpose=g.get("purpose"),
        query={"request_id": g.get("request_id"), "method": request.method, "path": request.path, **query},
        person_ids=person_ids,
        status=status,
    )


def require(permission: Permission, *, purpose: bool = False, audit: str | None = None) -> Callable[[F], F]:
    """Authenticate, rate-limit, authorise, demand a purpose, and audit (see module docs)."""
    if audit is not None and audit not in audit_log.ACTIONS:
        raise ValueError(f"unknown audit action {audit!r}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = _authenticate()
            g.principal = who
            wait = _limiter().take(who.key_id)
            if wait is not None:
                raise RateLimited(wait)
            raw_purpose = request.headers.get(PURPOSE_HEADER)
            g.purpose = raw_purpose.strip() if raw_purpose and raw_purpose.strip() else None
            if not allowed(who.role, permission):
                if audit is not None:
                    audit_now("access_denied", 403, {"wanted": audit}, [])
                raise Forbidden(f"the role {who.role.value} may not do this ({permission.value})")
            if purpose:
                if g.purpose is None:
                    raise PurposeRequired(
                        "every read of person data needs an X-Purpose header with the justification "
                        "(e.g. a case reference)"
                    )
                if not _PURPOSE.match(g.purpose):
                    raise PurposeRequired("X-Purpose must be 1-500 printable characters")
            if audit is None:
                return view(*args, **kwargs)
            try:
                result = view(*args, **kwargs)
            except GraphsvcError as exc:
                if exc.status < 500:
                    audit_now(audit, exc.status, g.get("audit_query") or {"args": kwargs}, [])
                raise
            status = result.status_code if isinstance(result, Response) else 200
            audit_now(audit, status, g.get("audit_query") or {"args": kwargs}, g.get("audit_person_ids") or [])
            return result

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        wrapper.requires_purpose = purpose  # type: ignore[attr-defined]
        wrapper.audit_action = audit  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def document(doc: ApiDoc) -> Callable[[F], F]:
    """Attach the OpenAPI description of a route (put it outermost, above :func:`require`)."""

    def decorate(view: F) -> F:
        view.api_doc = doc  # type: ignore[attr-defined]
        return view

    return decorate


def _field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or None, "message": err["msg"].removeprefix("Value error, ")}
        for err in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


M = TypeVar("M", bound=BaseModel)


def parse_query(model: type[M]) -> M:
    """The query string validated by ``model`` (400 with the faulty parameters otherwise)."""
    data: dict[str, Any] = {}
    for name in request.args:
        values = request.args.getlist(name)
        data[name] = values if len(values) > 1 else values[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadRequest("invalid query parameters", _field_errors(exc)) from None


def require_content_type(*allowed_types: str) -> str:
    mimetype = request.mimetype or ""
    if mimetype not in allowed_types:
        raise UnsupportedMediaType(
            f"send the body as {' or '.join(allowed_types)}", {"received": mimetype or None}
        )
    return mimetype


def parse_json_body(model: type[M]) -> M:
    """The JSON body validated by ``model``: 415 for another type, 400 for bad JSON, 422 invalid."""
    require_content_type("application/json")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the decoder's stack: not JSON we accept
        data = None
    if data is None:
        raise BadRequest("the body is not valid JSON")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput("the request body is not valid", _field_errors(exc)) from None
