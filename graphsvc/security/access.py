"""The checks behind the API's route preamble that need no HTTP: who a bearer key is (with a
budget of failed attempts per client), and the audit entry of one caller's request.

:mod:`graphsvc.api.access` reads the headers, calls these and turns their answers into HTTP
errors; the rate limits themselves are :class:`~graphsvc.security.ratelimit.TokenBucketLimiter`
and the permission table :mod:`graphsvc.security.policy`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphsvc.errors import Unauthorized
from graphsvc.graph.db import Database
from graphsvc.repository.quota import Charge
from graphsvc.security import audit as audit_log
from graphsvc.security.keys import KeyRing, Principal, parse_key
from graphsvc.security.ratelimit import TokenBucketLimiter

__all__ = ["authenticate", "audit_request"]


def authenticate(
    keyring: KeyRing, failures: TokenBucketLimiter, db: Database, token: str, client: str
) -> Principal:
    """The caller behind ``token``; :class:`~graphsvc.errors.Unauthorized` otherwise.

    Each failed authentication of a well-formed key costs an Argon2 check, so it also takes a
    token from ``client``'s bucket in ``failures``: a client that keeps failing is refused
    before any more are made (the caller asks ``failures.blocked(client)`` first). A malformed
    key costs nothing and takes nothing.
    """
    try:
        return keyring.authenticate(db, token)
    except Unauthorized:
        if parse_key(token) is not None:
            failures.take(client)
        raise


def audit_request(
    db: Database,
    who: Principal,
    *,
    action: str,
    purpose: str | None,
    query: dict[str, Any],
    person_ids: Iterable[str],
    status: int,
    charge: Charge | None = None,
    refusal_query: Callable[[int], dict[str, Any]] | None = None,
    effect: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Append the audit entry of one request by ``who``, with the answer's read quota
    ``charge`` if any, or the ``effect`` done in its transaction (see
    :func:`graphsvc.security.audit.append_entry`)."""
    return audit_log.append_entry(
        db,
        actor=who.actor,
        role=who.role.value,
        action=action,
        purpose=purpose,
        query=query,
        person_ids=list(person_ids),
        status=status,
        actor_agency=who.agency,
        charge=charge,
        refusal_query=refusal_query,
        effect=effect,
    )
