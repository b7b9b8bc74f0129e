"""The route preamble and the route's answer: who may call a route, why, how often, and what
the audit log says they were given.

``@require(Permission.READ, purpose=True, audit="consultation")`` on a view:

1. authenticates ``Authorization: Bearer KEY`` (401 otherwise),
2. takes a token from the key's rate-limit bucket (429 with ``Retry-After`` otherwise),
3. checks the key's role has the permission (403 otherwise, and the refusal is audited),
4. when ``purpose`` is set, requires a non-blank ``X-Purpose`` header (400 otherwise),
5. when ``audit`` is ``consultation`` or ``disclosure``, charges the key's daily read quota
   with the person ids of the answer (:mod:`graphsvc.security.quota`), in the answer's audit
   transaction: past it the answer is refused with 429 ``quota_exceeded`` and audited as
   ``access_denied`` instead,
6. when ``audit`` is set, writes one audit entry for the request before the answer leaves:
   the view calls :func:`record` with what was asked before it calls a service, and answers
   with :func:`answer`, which adds the person ids it returns; a view that fails with a graphsvc
   error is audited with that status and no ids. If the entry cannot be written the caller gets
   503 and no data.

The decorator marks the view (``view.required_permission``) so a test can walk ``url_map`` and
prove no route lacks it; ``view.api_doc`` carries the OpenAPI description
(:func:`graphsvc.api.openapi.document`). What needs no HTTP (checking the key against the key
ring, the audit entry, the permission table) is :mod:`graphsvc.security`'s.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar

from flask import Response, current_app, g, jsonify, request

from graphsvc.api.errors import PurposeRequired, RateLimited
from graphsvc.errors import Forbidden, GraphsvcError, Unauthorized
from graphsvc.extensions import graph_db
from graphsvc.security import access as security
from graphsvc.security import audit as audit_log
from graphsvc.security import quota
from graphsvc.security.keys import KeyRing, Principal
from graphsvc.security.policy import Permission, allowed
from graphsvc.security.ratelimit import TokenBucketLimiter
from graphsvc.security.redaction import person_ids_in
from graphsvc.security.visibility import Owner, shown_to

__all__ = [
    "require",
    "record",
    "answer",
    "audit_now",
    "audited_with",
    "request_audit_query",
    "principal",
    "purpose",
    "acting_on",
    "PURPOSE_HEADER",
]

F = TypeVar("F", bound=Callable[..., Any])

PURPOSE_HEADER = "X-Purpose"
_PURPOSE = re.compile(r"^[^\x00-\x1f\x7f]{1,500}$")


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
    # A client address that keeps failing is refused (429) before its next Argon2 check, until
    # its failure bucket refills (security.authenticate fills it).
    failures: TokenBucketLimiter = current_app.extensions["graphsvc.auth_failures"]
    client = request.remote_addr or "unknown"
    wait = failures.blocked(client)
    if wait is not None:
        raise RateLimited(wait, "failed authentications from this address")
    return security.authenticate(_keyring(), failures, graph_db.get(), token.strip(), client)


def acting_on(agency: str | None, what: str) -> str | None:
    """The agency a request acts on (contract sections 5 and 7): a key acting for an agency may
    act only on its own (``None`` means its own), a national key on any (``None``: the nation).
    :class:`Forbidden` otherwise; the route's audit records the refusal."""
    who = principal()
    if who.agency is None:
        return agency
    if agency is not None and agency != who.agency:
        raise Forbidden(f"a key of {who.agency} may not act on {what} of {agency}")
    return who.agency


def record(query: dict[str, Any], action: str | None = None) -> None:
    """What this request asks, for its audit entry. Call it before the service, so a request
    that fails is audited with it too; :func:`answer` adds the person ids returned. ``action``
    replaces the route's audit action for this request, for a route whose action depends on
    what is asked (a review decision: ``alteration`` to retain, ``erasure`` to dispose)."""
    if action is not None and action not in audit_log.ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    g.audit_query = query
    if action is not None:
        g.audit_action = action


def answer(
    payload: Any,
    ids: Iterable[str] = (),
    *,
    query: dict[str, Any] | None = None,
    redact: bool = True,
    status: int = 200,
    hits: Literal["stub", "drop"] = "stub",
    owners: Mapping[str, Owner] | None = None,
) -> Response:
    """The route's answer: ``payload`` as JSON (or a ready :class:`Response`, such as a file),
    audited with the person ids ``ids``.

    With ``redact`` (the default: a route that forgets fails closed), victims' contact details
    in ``payload`` are redacted for the caller's role (:func:`~graphsvc.security.redaction.redact_response`)
    and every person id the redacted answer names is audited after ``ids``. Without it the
    payload is sent as given and only ``ids`` are audited: for answers that hold no contact
    details or were redacted where they were made. ``query`` replaces what :func:`record` said
    was asked, when the answer tells more (how many nodes an export held).

    With ``redact``, a key acting for an agency also gets the need-to-know rule of contract
    section 5 (:func:`~graphsvc.security.visibility.withhold`): other agencies' victims' details,
    incident descriptions and order conditions withheld, and ``hits`` (``stub`` for a check,
    ``drop`` for a search) says what becomes of a scored hit on another agency's victim;
    ``owners`` are record owners read with the payload (not looked up again). An answer sent
    ready-made (a file) was built with the caller's agency where it was made.
    """
    person_ids = list(ids)
    if redact:
        if isinstance(payload, Response):
            raise TypeError("a ready Response cannot be redacted: redact the data it was made from")
        who = principal()
        payload = shown_to(graph_db.get(), payload, who.role.value, who.agency, hits=hits, known=owners)
        person_ids.extend(person_ids_in(payload))
    if query is not None:
        g.audit_query = query
    g.audit_person_ids = person_ids
    response = payload if isinstance(payload, Response) else jsonify(payload)
    if status != 200:
        response.status_code = status
    return response


def request_audit_query(query: dict[str, Any]) -> dict[str, Any]:
    """``query`` with the request it came in (request id, method, path), as the audit stores it."""
    return {"request_id": g.get("request_id"), "method": request.method, "path": request.path, **query}


def audit_now(action: str, status: int, query: dict[str, Any], person_ids: list[str]) -> None:
    """Write an audit entry for this request at once (beside the one :func:`require` writes)."""
    security.audit_request(
        graph_db.get(),
        g.principal,
        action=action,
        purpose=g.get("purpose"),
        query=request_audit_query(query),
        person_ids=person_ids,
        status=status,
    )


def audited_with(effect: Callable[[Any], None], person_ids: list[str]) -> None:
    """Write this request's audit entry (the action and query :func:`record` set, status 200)
    in one transaction with ``effect``, the request's own write: both or neither (an erasure and
    its log entry). :func:`require` then writes no second entry; if ``effect`` raises, nothing
    is written and the route's error is audited as any refusal is."""
    security.audit_request(
        graph_db.get(),
        g.principal,
        action=g.get("audit_action") or g.route_audit,
        purpose=g.get("purpose"),
        query=request_audit_query(g.get("audit_query") or {}),
        person_ids=person_ids,
        status=200,
        effect=effect,
    )
    g.audit_written = True


#: The audited actions that read person data: the ones the daily read quota counts.
_READS = ("consultation", "disclosure")


def _audit_answer(who: Principal, action: str, status: int, query: dict[str, Any], person_ids: list[str]) -> None:
    """The answer's audit entry; a read (``_READS``, 200) is charged to ``who``'s daily quota in
    the same transaction. Past the quota the refusal is audited instead (``access_denied``, 429,
    the reason) and :class:`~graphsvc.security.quota.QuotaExceeded` raised."""
    quotas = current_app.config["READ_QUOTAS"]
    charge = quota.read_charge(who, person_ids, quotas) if action in _READS and status == 200 else None
    asked = request_audit_query(query)
    if charge is None:
        security.audit_request(graph_db.get(), who, action=action, purpose=g.get("purpose"), query=asked,
                               person_ids=person_ids, status=status)
        return
    refusal = request_audit_query({"wanted": action, "reason": "quota_exceeded", "quota": charge.quota,
                                   "asked": query})
    try:
        security.audit_request(
            graph_db.get(), who, action=action, purpose=g.get("purpose"), query=asked,
            person_ids=person_ids, status=status, charge=charge,
            # made by the audit writer (no request context there) only if the charge is refused
            refusal_query=lambda would_be: {**refusal, "would_be": would_be},
        )
    except audit_log.ChargeRefused as refused:
        current_app.logger.warning("read quota exceeded", extra={"key_id": who.key_id, "agency": who.agency,
                                                                  "quota": charge.quota})
        raise quota.QuotaExceeded(charge.quota, refused.would_be, quota.today()[1]) from None


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
            g.route_audit = audit
            try:
                result = view(*args, **kwargs)
            except GraphsvcError as exc:
                if exc.status < 500:
                    audit_now(g.get("audit_action") or audit, exc.status, g.get("audit_query") or {"args": kwargs}, [])
                raise
            status = result.status_code if isinstance(result, Response) else 200
            if g.get("audit_written"):  # written with the request's write (audited_with)
                return result
            _audit_answer(who, g.get("audit_action") or audit, status, g.get("audit_query") or {"args": kwargs}, g.get("audit_person_ids") or [])
            return result

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        wrapper.requires_purpose = purpose  # type: ignore[attr-defined]
        wrapper.audit_action = audit  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
