"""Admin routes: the audit log (``GET /audit``) and API keys (``/keys``); and the caller's own
key (``GET /whoami``, any role).

An admin key with an agency (contract section 5) manages only that agency's keys (others are
neither listed nor revocable: 404, as if absent) and reads only the audit entries of its
agency's actors and of reads that disclosed its agency's records; a national admin sees all.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app

from graphsvc.api.access import answer, audit_now, principal, require
from graphsvc.api.blueprint import bp
from graphsvc.api.openapi import ApiDoc, document
from graphsvc.api.parsing import is_key_id, parse_json_body, parse_query
from graphsvc.api.admin_schemas import (
    AnomalyList,
    AnomalyQuery,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyOut,
    AuditPage,
    AuditQuery,
    KeyCreateRequest,
    WhoAmI,
)
from graphsvc.errors import Forbidden, NotFound
from graphsvc.extensions import graph_db
from graphsvc.security import audit as audit_log
from graphsvc.security.anomalies import find_anomalies
from graphsvc.security import keys as auth
from graphsvc.security.policy import ROLE_PERMISSIONS, Permission
from graphsvc.repository import keys as key_store

# The admin routes are not audited by require (an administration entry is written for each
# change, none for reads of the log or the key list) and answer unredacted: admins see all.


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
        description="Filters: actor (name or name#key_id), action, person_id, since, until (ISO 8601), "
        "actor_agency, disclosed_agency. Pages with limit and cursor (the next_cursor of the previous page). "
        "An admin of an agency reads only its agency's actors' entries and those disclosing its records.",
    )
)
@require(Permission.ADMIN)
def get_audit() -> Response:
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
        actor_agency=q.actor_agency,
        disclosed_agency=q.disclosed_agency,
        scope_agency=principal().agency,
    )
    next_cursor = str(entries[-1]["seq"]) if len(entries) == q.limit else None
    return answer({"entries": entries, "next_cursor": next_cursor}, redact=False)


def _manages(key: dict[str, object] | None) -> bool:
    """Whether the calling admin manages ``key``: a national admin every key, an agency's
    admin its agency's keys."""
    if key is None:
        return False
    agency = principal().agency
    return agency is None or key.get("agency") == agency


@bp.get("/audit/anomalies")
@document(
    ApiDoc(
        summary="Keys whose reads are unusual, with the audit entries behind each (admin only)",
        tag="admin",
        query=AnomalyQuery,
        response=AnomalyList,
        errors=(400, 401, 403, 429, 503),
        description="quota_exceeded, volume, unlinked_read, own_victim_by_name_search over the audit entries "
        "since (default: 7 days). An admin of an agency sees its agency's keys only.",
    )
)
@require(Permission.ADMIN)
def get_anomalies() -> Response:
    q = parse_query(AnomalyQuery)
    since = q.since or dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    found = find_anomalies(graph_db.get(), since=str(_utc_text(since)), agency=principal().agency,
                           quotas=current_app.config["READ_QUOTAS"])
    return answer(found, redact=False)


@bp.get("/whoami")
@document(ApiDoc(summary="The calling key: its role, agency and permissions", tag="admin", response=WhoAmI,
                 errors=(401, 429, 503),
                 description="For a client to show only what its key may do (the console's Review view) "
                 "without trying a call it may not make. Reads no record; not audited."))
@require(Permission.IDENTIFY)
def get_whoami() -> Response:
    who = principal()
    return answer({"key_id": who.key_id, "name": who.name, "role": who.role.value, "agency": who.agency,
                   "permissions": sorted(p.value for p in ROLE_PERMISSIONS[who.role])}, redact=False)


@bp.get("/keys")
@document(ApiDoc(summary="Every API key the caller manages (never a hash)", tag="admin", response=ApiKeyList,
                 errors=(401, 403, 429, 503),
                 description="A national admin sees every key; an agency's admin its agency's keys."))
@require(Permission.ADMIN)
def get_keys() -> Response:
    return answer({"keys": [k for k in auth.list_keys(graph_db.get()) if _manages(k)]}, redact=False)


@bp.post("/keys")
@document(ApiDoc(summary="Create an API key (the key is in this answer only)", tag="admin",
                 body=KeyCreateRequest, response=ApiKeyCreated, errors=(400, 401, 403, 409, 415, 422, 429, 503)))
@require(Permission.ADMIN)
def post_key() -> Response:
    body = parse_json_body(KeyCreateRequest)
    own = principal().agency
    agency = body.agency if body.agency is not None else own
    if own is not None and agency != own:
        raise Forbidden(f"an admin of {own} creates keys of {own} only")
    token, public = auth.create_key(graph_db.get(), role=body.role, name=body.name, agency=agency)
    audit_now("administration", 201, {"op": "key_created", "key_id": public["key_id"], "key_role": body.role,
                                      "key_agency": agency}, [])
    return answer({**public, "key": token}, redact=False, status=201)


@bp.delete("/keys/<key_id>")
@document(ApiDoc(summary="Revoke an API key", tag="admin", response=ApiKeyOut, errors=(401, 403, 404, 429, 503)))
@require(Permission.ADMIN)
def delete_key(key_id: str) -> Response:
    db = graph_db.get()
    mine = is_key_id(key_id) and _manages(key_store.get_key(db, key_id))
    revoked = auth.revoke_key(db, key_id) if mine else None
    if revoked is None:
        raise NotFound("no active key with that id")
    current_app.extensions["graphsvc.keyring"].forget(key_id)
    audit_now("administration", 200, {"op": "key_revoked", "key_id": key_id}, [])
    return answer(revoked, redact=False)
