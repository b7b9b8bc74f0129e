"""Reads of person data: check, profile, fixation, linked victims, patterns, search.

Thin routes: validate, record what was asked, call :mod:`graphsvc.services`, and
:func:`~graphsvc.api.access.answer`: redacted for the caller's role, audited as a consultation
with the person ids the answer names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from graphsvc import services
from graphsvc.api.access import answer, record, require
from graphsvc.api.blueprint import bp
from graphsvc.api.exports import TIMELINE_CONTENT, timeline_picture
from graphsvc.api.openapi import ApiDoc, document
from graphsvc.api.parsing import check_person_id, parse_json_body, parse_query
from graphsvc.api.schemas import (
    CheckRequest,
    CheckResponse,
    FixationResponse,
    LinkedVictimsResponse,
    Profile,
    SearchQuery,
    SearchResponse,
    SerialQuery,
    SerialResponse,
    UnidentifiedQuery,
    UnidentifiedResponse,
)
from graphsvc.extensions import graph_db
from graphsvc.security.policy import Permission
from graphsvc.security.visibility import Owner
from graphsvc.services.timeline import timeline
from loaders.records import iso

class SearchByNameQuery(SearchQuery):
    """``q`` and ``limit`` as before, and the date of birth that ranks an exact name first."""

    dob: dt.date | None = Field(default=None, description="date of birth (YYYY-MM-DD): a name hit whose date of "
                                "birth agrees ranks higher, one whose differs lower",
                                json_schema_extra={"format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"})

    @field_validator("dob", mode="before")
    @classmethod
    def _a_calendar_date(cls, value: Any) -> Any:
        # not a number of seconds since 1970 (pydantic's lax mode reads "0" as 1970-01-01)
        if value is not None and not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
            raise ValueError("dob must be a date written YYYY-MM-DD")
        return value


# -- the timeline's schemas (here, beside their one route) -------------------------------------


class TimelineQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["json", "svg", "png"] = Field(
        default="json", description="json (the rows, orders and breaches); svg or png: the same answer drawn "
        "(graphsvc/export/timeline.py), as an attachment")


class TimelineIncident(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    occurred_at: str = Field(description="Europe/London with offset (contract section 9); a date when "
                                         "occurred_precision is date")
    occurred_precision: Literal["date", "datetime"]
    type: str | None
    severity: int = Field(description="the severity scale's level of the type (severity_scale)")
    breach: bool = Field(description="breaches an order: recorded against one, of type breach, or while an "
                                     "order protecting this victim was in force (fixation's rule)")
    order_id: str | None


class TimelineRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    victim_id: str = Field(description="the row's representative record id (the first of record_ids)")
    record_ids: list[str] = Field(description="every record of this one victim (her identity group)")
    proposed: bool = Field(description="the row joins records through an identity link that is only proposed")
    label: str
    source: str | None
    first_contact: str
    last_contact: str
    incidents: list[TimelineIncident]


class TimelineRange(BaseModel):
    start: str | None
    end: str | None


class TimelineResponse(BaseModel):
    """One row per distinct victim (fixation's victims), the perpetrator's orders and breaches."""

    model_config = ConfigDict(extra="allow")
    person_id: str
    identity: dict[str, Any]
    range: TimelineRange
    rows: list[TimelineRow]
    orders: list[dict[str, Any]]
    breaches: list[str]
    victim_count: int
    victim_count_note: str | None = Field(description="where the count rests on a proposed identity link")
    severity_scale: dict[str, int]


_READ_ERRORS = (400, 401, 403, 422, 429, 503)
_PERSON_ERRORS = (400, 401, 403, 404, 422, 429, 503)


@bp.post("/check")
@document(
    ApiDoc(
        summary="Is this subject known? Matches best first, with orders and risk flags",
        tag="check",
        body=CheckRequest,
        response=CheckResponse,
        errors=(400, 401, 403, 415, 422, 429, 503),
        description="Victims' contact details and addresses are redacted for roles without "
        "victim_contact. Audited as a consultation with every person id returned.",
    )
)
@require(Permission.CHECK, purpose=True, audit="consultation")
def post_check() -> Response:
    body = parse_json_body(CheckRequest)
    subject = body.subject.model_dump(mode="json", exclude_none=True)
    record({"subject_fields": sorted(k for k, v in subject.items() if v), "complainant_id": body.complainant_id})
    owners: dict[str, Owner] = {}  # read with the candidates: the need-to-know rule looks nothing up again
    result = services.check(graph_db.get(), subject, complainant_id=body.complainant_id, limit=body.limit,
                            owners=owners)
    return answer(result, owners=owners)


@bp.get("/persons/<id>")
@document(ApiDoc(summary="A person's profile: fields (redacted by role), roles, counts, orders",
                 tag="persons", response=Profile, errors=_PERSON_ERRORS))
@require(Permission.READ, purpose=True, audit="consultation")
def get_person(id: str) -> Response:  # noqa: A002
    check_person_id(id)
    record({"person_id": id})
    owners: dict[str, Owner] = {}  # hers, read with her fields: the need-to-know rule looks nothing up again
    result = services.person_profile(graph_db.get(), id, owners=owners)
    return answer(result, [id], owners=owners)


@bp.get("/persons/<id>/fixation")
@document(ApiDoc(summary="Per-victim fixation and the cross-victim pattern", tag="persons",
                 response=FixationResponse, errors=_PERSON_ERRORS))
@require(Permission.READ, purpose=True, audit="consultation")
def get_fixation(id: str) -> Response:  # noqa: A002
    check_person_id(id)
    record({"person_id": id})
    result = services.fixation(graph_db.get(), id)
    return answer(result, [id])


@bp.get("/persons/<id>/timeline")
@document(ApiDoc(summary="One row per distinct victim with her incidents, the orders and the breaches",
                 tag="persons", query=TimelineQuery, response=TimelineResponse, errors=_PERSON_ERRORS,
                 response_content=TIMELINE_CONTENT,
                 description="The rows are fixation's victims (records of one victim joined by identity links "
                 "are one row, marked proposed when a link is only proposed). format=svg and format=png "
                 "draw the same answer (image/svg+xml, image/png, with a Content-Disposition filename). "
                 "Audited and redacted as fixation."))
@require(Permission.READ, purpose=True, audit="consultation")
def get_timeline(id: str) -> Response:  # noqa: A002
    check_person_id(id)
    q = parse_query(TimelineQuery)
    record({"person_id": id, "format": q.format})
    result = timeline(graph_db.get(), id)
    if q.format != "json":
        return timeline_picture(id, q.format, result, [id])
    return answer(result, [id])


@bp.get("/persons/<id>/linked-victims")
@document(ApiDoc(summary="Victims linked to this person's victims, and how", tag="persons",
                 response=LinkedVictimsResponse, errors=_PERSON_ERRORS))
@require(Permission.READ, purpose=True, audit="consultation")
def get_linked_victims(id: str) -> Response:  # noqa: A002
    check_person_id(id)
    record({"person_id": id})
    result = services.linked_victims(graph_db.get(), id)
    return answer(result, [id])


@bp.get("/patterns/serial")
@document(ApiDoc(summary="Persons with at least min_victims distinct victims, highest risk first",
                 tag="patterns", query=SerialQuery, response=SerialResponse, errors=_READ_ERRORS))
@require(Permission.READ, purpose=True, audit="consultation")
def get_serial() -> Response:
    q = parse_query(SerialQuery)
    record({"params": q.model_dump(mode="json")})
    result = services.serial(
        graph_db.get(), min_victims=q.min_victims, agency=q.agency, since=q.since, until=q.until,
        limit=q.limit, cursor=q.cursor, jobs=services.current_jobs(),
    )
    return answer(result)


@bp.get("/patterns/unidentified")
@document(ApiDoc(summary="Clusters of incidents with no identified perpetrator, linked by shared identifiers",
                 tag="patterns", query=UnidentifiedQuery, response=UnidentifiedResponse, errors=_READ_ERRORS))
@require(Permission.READ, purpose=True, audit="consultation")
def get_unidentified() -> Response:
    q = parse_query(UnidentifiedQuery)
    record({"params": q.model_dump(mode="json")})
    return answer(services.unidentified(graph_db.get(), limit=q.limit, cursor=q.cursor, jobs=services.current_jobs()))


@bp.get("/search")
@document(ApiDoc(summary="Persons by name (fuzzy) or identifier (exact, normalised)", tag="persons",
                 query=SearchByNameQuery, response=SearchResponse, errors=_READ_ERRORS,
                 description="An exact full name (and dob, when given) ranks first; each result explains its "
                 "score (score_parts, score_explained) and groups the records identity links join "
                 "(linked_record_ids, linked_records with status confirmed or proposed)."))
@require(Permission.READ, purpose=True, audit="consultation")
def get_search() -> Response:
    q = parse_query(SearchByNameQuery)
    record({"q": q.q, "limit": q.limit, "dob": iso(q.dob)})
    result = services.search(graph_db.get(), q.q, limit=q.limit, dob=q.dob)
    # a hit on another agency's victim is dropped: the hit itself would confirm her name
    return answer(result, hits="drop")
