"""Retention review (contract section 8, docs/retention.md): the worklist of records due for
review, and the decision on one.

Both need ``review`` (admins) and a purpose. An admin acting for an agency reviews that agency's
records only (the worklist is its own; a decision on another's record is 403). A retain is
audited as an ``alteration`` with its reason; a dispose as one ``erasure`` entry holding the
kind, id, source and reason (the actor is the entry's), never the record's content.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from graphsvc.analysis.retention import KINDS
from graphsvc.api.access import acting_on, answer, audited_with, principal, record, require
from graphsvc.api.blueprint import bp
from graphsvc.api.openapi import ApiDoc, document
from graphsvc.api.parsing import parse_json_body, parse_query
from graphsvc.errors import NotFound
from graphsvc.extensions import graph_db
from graphsvc.security.keys import AGENCY_PATTERN
from graphsvc.security.policy import Permission
from graphsvc.services import review as review_service
from loaders.records import RECORD_ID

__all__ = ["DueQuery", "DecisionRequest", "DuePage", "Decision"]


class DueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    before: dt.date | None = Field(default=None, description="records due on or before this day (default today)")
    agency: Annotated[str, StringConstraints(pattern=AGENCY_PATTERN.pattern)] | None = Field(
        default=None, description="only this agency's records; an agency's key may ask only its own (and gets "
                                  "it when it asks none)")
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=512)] | None = Field(
        default=None, description="the next_cursor of the previous page, unchanged")
    limit: int = Field(default=50, ge=1, le=200)


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["retain", "dispose"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        description="why: kept with the record (retain) or in the erasure's audit entry (dispose)")
    next_review_on: dt.date | None = Field(
        default=None, description="with retain: the next review, after today and at most 20 years on")


class DueRecord(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str
    id: str
    source: str
    review_on: str
    review_scheduled: str | None
    retained_until: str | None
    last_decision: dict[str, Any] | None
    what: dict[str, Any] = Field(description="what the record is (type, outcome, dates; a person's roles)")
    holds: list[dict[str, Any]] = Field(description="what keeps it from disposal today: code, message, evidence")


class DuePage(BaseModel):
    model_config = ConfigDict(extra="allow")
    records: list[DueRecord] = Field(description="earliest review first")
    next_cursor: str | None = None
    before: str
    as_of: str


class Decision(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str
    id: str
    source: str
    decision: str
    reason: str
    by: str
    on: str


@bp.get("/review/due")
@document(ApiDoc(summary="Records due for retention review, earliest first", tag="review", query=DueQuery,
                 response=DuePage, errors=(400, 401, 403, 422, 429, 503),
                 description="Every kind of record whose review_on is on or before `before`, with what holds "
                             "each (an order in force, a registration not ended, a perpetrator with several "
                             "victims). Admins; an agency's key reads its own agency's. Audited as a consultation."))
@require(Permission.REVIEW, purpose=True, audit="consultation")
def get_review_due() -> Response:
    q = parse_query(DueQuery)
    record({"params": q.model_dump(mode="json")})
    agency = acting_on(q.agency, "the review worklist")
    out = review_service.due(graph_db.get(), q.before, agency, cursor=q.cursor, limit=q.limit)
    # ids, dates, types and holds: no person's details to redact
    return answer(out, [r["id"] for r in out["records"] if r["kind"] == "person"], redact=False)


@bp.post("/review/<kind>/<record_id>")
@document(ApiDoc(summary="Retain or dispose of one record", tag="review", body=DecisionRequest, response=Decision,
                 errors=(400, 401, 403, 404, 409, 415, 422, 429, 503),
                 description="`retain` keeps it, to be reviewed again on next_review_on (the decision is kept with "
                             "it). `dispose` erases it and whatever only it created (placeholders, identifiers no "
                             "other record used, a person's identity links); every answer forgets it at once. 409 "
                             "with the holds when an order in force, a registration or public protection needs it. "
                             "Audited as an alteration (retain) or an erasure (dispose: kind, id, source, reason).",
                 example={"decision": "dispose", "reason": "MoPI review: no policing purpose remains"}))
@require(Permission.REVIEW, purpose=True, audit="alteration")
def post_review_decision(kind: str, record_id: str) -> Response:
    if kind not in KINDS or not RECORD_ID.match(record_id):
        raise NotFound(f"no such record (kinds: {', '.join(KINDS)})", {"field": "kind" if kind not in KINDS else "id"})
    body = parse_json_body(DecisionRequest)
    asked = {"op": "review", "kind": kind, "id": record_id, "decision": body.decision, "reason": body.reason}
    action = "erasure" if body.decision == "dispose" else "alteration"
    record(asked, action)
    db = graph_db.get()
    held = review_service.subject(db, kind, record_id)
    record({**asked, "source": held["source"]}, action)
    acting_on(held["source"], f"{kind} {record_id}")
    ids = [record_id] if kind == "person" else []
    # a disposal and its erasure entry in one transaction; a retain is audited after it, as any write
    log = (lambda work: audited_with(work, ids)) if body.decision == "dispose" else None
    out = review_service.decide(db, kind, record_id, body.decision, body.reason, principal().key_id,
                                next_review_on=body.next_review_on, held=held, log=log)
    return answer(out, ids, redact=False)
