"""Reads of person data: check, profile, fixation, linked victims, patterns, search.

Thin routes: validate, record what was asked, call :mod:`graphsvc.services`, and
:func:`~graphsvc.api.access.answer`: redacted for the caller's role, audited as a consultation
with the person ids the answer names.
"""

from __future__ import annotations

from flask import Response

from graphsvc import services
from graphsvc.api.access import answer, record, require
from graphsvc.api.blueprint import bp
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
    return answer(services.check(graph_db.get(), subject, complainant_id=body.complainant_id, limit=body.limit))


@bp.get("/persons/<id>")
@document(ApiDoc(summary="A person's profile: fields (redacted by role), roles, counts, orders",
                 tag="persons", response=Profile, errors=_PERSON_ERRORS))
@require(Permission.READ, purpose=True, audit="consultation")
def get_person(id: str) -> Response:  # noqa: A002
    check_person_id(id)
    record({"person_id": id})
    return answer(services.person_profile(graph_db.get(), id), [id])


@bp.get("/persons/<id>/fixation")
@document(ApiDoc(summary="Per-victim fixation and the cross-victim pattern", tag="persons",
                 response=FixationResponse, errors=_PERSON_ERRORS))
@require(Permission.READ, purpose=True, audit="consultation")
def get_fixation(id: str) -> Response:  # noqa: A002
    check_person_id(id)
    record({"person_id": id})
    return answer(services.fixation(graph_db.get(), id), [id])


@bp.get("/persons/<id>/linked-victims")
@document(ApiDoc(summary="Victims linked to this person's victims, and how", tag="persons",
                 response=LinkedVictimsResponse, errors=_PERSON_ERRORS))
@require(Permission.READ, purpose=True, audit="consultation")
def get_linked_victims(id: str) -> Response:  # noqa: A002
    check_person_id(id)
    record({"person_id": id})
    return answer(services.linked_victims(graph_db.get(), id), [id])


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
                 query=SearchQuery, response=SearchResponse, errors=_READ_ERRORS))
@require(Permission.READ, purpose=True, audit="consultation")
def get_search() -> Response:
    q = parse_query(SearchQuery)
    record({"q": q.q, "limit": q.limit})
    return answer(services.search(graph_db.get(), q.q, limit=q.limit))
