"""Admin routes: the audit log (``GET /audit``) and API keys (``/keys``)."""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app, jsonify

from graphsvc.security import audit as audit_log
from graphsvc.security import keys as auth
from graphsvc.api import bp
from graphsvc.api.access import ApiDoc, audit_now, document, parse_json_body, parse_query, require
from graphsvc.api.schemas import ApiKeyCreated, ApiKeyList, ApiKeyOut, AuditPage, AuditQuery, KeyCreateRequest
from graphsvc.errors import NotFound
from graphsvc.extensions import graph_db
from graphsvc.security.policy import Permission

_KEY_ID = re.compile(r"^[0-9a-f]{16}$")


def _utc_text(value: dt.datetime | None) -> str | None:
    """The audit log's timestamp text for ``value`` (naive times are UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


@bp.get("/audit")
@document(
    ApiDoc(
        summary="The audit log, newest first (admin only)",
        tag="admin",
        query=AuditQuery,
        response=AuditPage,
        errors=(400, 401, 403, 429, 503),
        description="Filters: actor (name or name#key_id), action, person_id, since, until (ISO 8601). "
        "Pages with limit and cursor (the next_cursor of the previous page).",
    )
)
@require(Permission.ADMIN)
def get_audit():  # type: ignore[no-untyped-def]
    q = parse_query(AuditQuery)
    entries = audit_log.find_entries(
        graph_db.get(),
        actor=q.actor,
        action=q.action,
        person_id=q.person_id,
        since=_utc_text(q.since),
        until=_utc_text(q.until),
        limit=q.limit,
        before_seq=int(q.cursor) if q.cursor else None,
    )
    next_cursor = str(entries[-1]["seq"]) if len(entries) == q.limit else None
    return jsonify({"entries": entries, "next_cursor": next_cursor})


@bp.get("/keys")
@document(ApiDoc(summary="Every API key (never a hash)", tag="admin", response=ApiKeyList,
                 errors=(401, 403, 429, 503)))
@require(Permission.ADMIN)
def get_keys():  # type: ignore[no-untyped-def]
    return jsonify({"keys": auth.list_keys(graph_db.get())})


@bp.post("/keys")
@document(ApiDoc(summary="Create an API key (the key is in this answer only)", tag="admin",
                 body=KeyCreateRequest, response=ApiKeyCreated, errors=(400, 401, 403, 409, 415, 422, 429, 503)))
@require(Permission.ADMIN)
def post_key():  # type: ignore[no-untyped-def]
    body = parse_json_body(KeyCreateRequest)
    token, public = auth.create_key(graph_db.get(), role=body.role, name=body.name)
    audit_now("administration", 201, {"op": "key_created", "key_id": public["key_id"], "key_role": body.role}, [])
    response = jsonify({**public, "key": token})
    response.status_code = 201
    return response


@bp.delete("/keys/<key_id>")
@document(ApiDoc(summary="Revoke an API key", tag="admin", response=ApiKeyOut, errors=(401, 403, 404, 429, 503)))
@require(Permission.ADMIN)
def delete_key(key_id: str):  # type: ignore[no-untyped-def]
    revoked = auth.revoke_key(graph_db.get(), key_id) if _KEY_ID.match(key_id) else None
    if revoked is None:
        raise NotFound("no active key with that id")
    current_app.extensions["graphsvc.keyring"].forget(key_id)
    audit_now("administration", 200, {"op": "key_revoked", "key_id": key_id}, [])
    return jsonify(revoked)
