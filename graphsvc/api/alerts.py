"""Alerts (contract section 6, docs/alerts.md): ``/subscriptions`` and ``/alerts``.

A subscription belongs to the key that made it and acts with that key's role and agency; an
admin lists and ends his agency's (a national admin's: all). ``GET /alerts`` serves the same
alerts the webhook sends, oldest first, shown to the caller like any answer (role redaction,
need-to-know), audited as a consultation with its purpose; ``POST /alerts/{id}/ack`` records
the triage with a note. The secret is never returned.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Response, current_app
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from graphsvc.api.access import answer, principal, record, require
from graphsvc.api.blueprint import bp
from graphsvc.api.openapi import ApiDoc, document
from graphsvc.api.parsing import parse_json_body, parse_query
from graphsvc.errors import NotFound
from graphsvc.extensions import graph_db
from graphsvc.security.policy import Permission
from graphsvc.services import alerts as alert_service
from loaders.records import RecordId

__all__ = ["SubscriptionRequest", "Subscription", "SubscriptionList", "AlertsQuery", "AckRequest", "Alert",
           "AlertPage"]

Rule = Literal["watched_person", "order_subject_named", "new_victim", "serial", "unidentified_link",
               "notification_overdue"]
_SUBSCRIPTION_ID = r"^SUB-[0-9a-f]{20}$"


class SubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[str, StringConstraints(min_length=8, max_length=2000)] = Field(
        description="where alerts are POSTed: http or https, no credentials, a host of GRAPHSVC_ALERT_HOSTS "
                    "(empty: loopback only)")
    secret: Annotated[str, StringConstraints(min_length=16, max_length=512)] = Field(
        description="the HMAC-SHA256 key each delivery is signed with; stored for that, never returned")
    rules: list[Rule] = Field(min_length=1, max_length=6)
    person_ids: list[RecordId] = Field(default_factory=list, max_length=alert_service.MAX_WATCHED,
                                       description="watched_person: whom to watch (and the persons linked "
                                                   "to them)")
    min_victims: int | None = Field(default=None, ge=1, le=1000, description="serial: the distinct victims "
                                                                             "that raise it (default 3)")


class Subscription(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    key_id: str
    agency: str | None = None
    url: str
    rules: list[str]
    person_ids: list[str]
    min_victims: int
    created_at: str
    active: bool = Field(default=True, description="false once the key is revoked: no alert is raised or sent")


class SubscriptionList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subscriptions: list[Subscription]


class AlertsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subscription_id: Annotated[str, StringConstraints(pattern=_SUBSCRIPTION_ID)] | None = None
    cursor: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,18}$")] | None = Field(
        default=None, description="the next_cursor of the previous page, unchanged")
    limit: int = Field(default=50, ge=1, le=500)


class AckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] = Field(
        description="what was done about it")


class Alert(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    rule: str
    subscription_id: str
    created_at: str
    person_ids: list[str]
    evidence: list[str] = Field(description="the record ids behind the alert")
    message: str
    delivery: dict[str, Any] | None = None
    ack: dict[str, Any] | None = None


class AlertPage(BaseModel):
    model_config = ConfigDict(extra="allow")
    alerts: list[Alert]
    next_cursor: str | None = None


@bp.post("/subscriptions")
@document(ApiDoc(summary="Subscribe to alerts", tag="alerts", body=SubscriptionRequest, response=Subscription,
                 errors=(400, 401, 403, 415, 422, 429, 503),
                 description="The subscription acts with this key's role and agency. 422 names the field at fault "
                             "(a URL that is not http(s), carries credentials or names a host not allowed).",
                 # nosec B105: the OpenAPI example's placeholder, not a secret
                 example={"url": "http://127.0.0.1:9000/alerts", "secret": "<shared with the receiver: 16-512 characters>",  # nosec B105
                          "rules": ["order_subject_named", "new_victim", "serial"], "min_victims": 3}))
@require(Permission.ALERTS, audit="administration")
def post_subscription() -> Response:
    body = parse_json_body(SubscriptionRequest)
    record({"op": "subscription_created", "rules": body.rules, "person_ids": body.person_ids})
    out = alert_service.subscribe(graph_db.get(), principal(), url=body.url, secret=body.secret, rules=body.rules,
                                  person_ids=body.person_ids, min_victims=body.min_victims,
                                  allowed_hosts=current_app.config["GRAPHSVC_SETTINGS"].alert_hosts)
    record({"op": "subscription_created", "subscription_id": out["id"], "rules": body.rules,
            "person_ids": body.person_ids})
    return answer(out, redact=False, status=201)


@bp.get("/subscriptions")
@document(ApiDoc(summary="This key's subscriptions (an admin's: his agency's)", tag="alerts",
                 response=SubscriptionList, errors=(401, 403, 429, 503)))
@require(Permission.ALERTS)
def get_subscriptions() -> Response:
    return answer({"subscriptions": alert_service.subscriptions(graph_db.get(), principal())}, redact=False)


@bp.delete("/subscriptions/<subscription_id>")
@document(ApiDoc(summary="End a subscription: its alerts stop", tag="alerts", response=Subscription,
                 errors=(401, 403, 404, 429, 503)))
@require(Permission.ALERTS, audit="administration")
def delete_subscription(subscription_id: str) -> Response:
    record({"op": "subscription_deleted", "subscription_id": subscription_id})
    if len(subscription_id) > 64:
        raise NotFound(f"no subscription {subscription_id[:64]} of this key", {"field": "subscription_id"})
    return answer(alert_service.unsubscribe(graph_db.get(), principal(), subscription_id), redact=False)


@bp.get("/alerts")
@document(ApiDoc(summary="Alerts of this key's subscriptions, oldest first (pull)", tag="alerts",
                 query=AlertsQuery, response=AlertPage, errors=(400, 401, 403, 404, 422, 429, 503),
                 description="The same alerts as the webhook, with their delivery and triage; shown to this key "
                             "as any answer is (other agencies' victims withheld). Audited as a consultation."))
@require(Permission.ALERTS, purpose=True, audit="consultation")
def get_alerts() -> Response:
    q = parse_query(AlertsQuery)
    record({"params": q.model_dump(mode="json")})
    out = alert_service.alerts_page(graph_db.get(), principal(), subscription_id=q.subscription_id,
                                    cursor=int(q.cursor) if q.cursor else None, limit=q.limit)
    return answer(out)


@bp.post("/alerts/<alert_id>/ack")
@document(ApiDoc(summary="Acknowledge an alert with a note", tag="alerts", body=AckRequest, response=Alert,
                 errors=(400, 401, 403, 404, 415, 422, 429, 503)))
@require(Permission.ALERTS, purpose=True, audit="alteration")
def post_alert_ack(alert_id: str) -> Response:
    body = parse_json_body(AckRequest)
    record({"op": "alert_ack", "alert_id": alert_id[:64], "note": body.note})
    out = alert_service.ack(graph_db.get(), principal(), alert_id[:64], body.note)
    return answer(out, out["person_ids"])
