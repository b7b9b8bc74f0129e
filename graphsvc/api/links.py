"""Identity links: a person in the loop (``/links``).

``POST /links/{a}/{b}/confirm|reject|undo`` with ``{"reason"}`` records a decision on a link
the resolution proposed (roles with ``resolve``: investigator, admin), audited as a
``combination``; ``GET /links?status=&person_id=`` lists links with their evidence (roles with
``read``), audited as a consultation. Unknown persons answer 404; a pair with no link 409.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from graphsvc.api.access import answer, principal, record, require
from graphsvc.api.blueprint import bp
from graphsvc.api.openapi import ApiDoc, document
from graphsvc.api.parsing import check_person_id, parse_json_body, parse_query
from graphsvc.errors import InvalidInput
from graphsvc.extensions import graph_db
from graphsvc.security.policy import Permission
from graphsvc.services import resolution as resolve
from loaders.records import RECORD_ID_PATTERN, RecordId

__all__ = ["DecisionRequest", "LinksQuery", "Link", "DecisionResponse", "LinksResponse", "LINK_CURSOR_PATTERN"]

# next_cursor of GET /links: the last pair's ids, "a|b", each by the one record-id rule.
_ID = RECORD_ID_PATTERN.removeprefix("^").removesuffix("$")
LINK_CURSOR_PATTERN = rf"^{_ID}\|{_ID}$"


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] = Field(
        description="Why the link is confirmed, rejected or undone (kept on the link and in the audit log)")


class LinksQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["proposed", "confirmed", "rejected"] | None = None
    person_id: RecordId | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: Annotated[str, StringConstraints(min_length=3, max_length=260, pattern=LINK_CURSOR_PATTERN)] | None = Field(
        default=None, description="opaque: the next_cursor of the previous page, unchanged (the last pair's "
        "two record ids); a cursor this service did not issue is refused with 422")


class Link(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: str = Field(description="lower person id of the pair")
    b: str = Field(description="higher person id of the pair")
    status: Literal["proposed", "confirmed", "rejected"]
    probability: float | None = None
    match_weight: float | None = None
    evidence: Any = Field(default=None, description="per-field evidence and the link rule, as the model gave it")
    model: str | None = None
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None


class DecisionResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    link: Link
    previous_status: str | None = None


class LinksResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    links: list[Link]
    next_cursor: str | None = None


def _decide(a: str, b: str, decision: str) -> Response:
    check_person_id(a)
    check_person_id(b)
    if a == b:  # before the body: whatever the reason, there is no such link to decide on
        raise InvalidInput("a record cannot be linked to itself: a and b must be two persons' ids",
                           [{"field": "b", "message": "must differ from a"}])
    body = parse_json_body(DecisionRequest)
    query = {"op": f"link_{decision}", "a": a, "b": b, "reason": body.reason}
    record(query)
    who = principal()
    out = resolve.decide(graph_db.get(), a, b, decision, actor=who.actor, role=who.role.value,
                         reason=body.reason, purpose=None, audit_it=False)  # the route's audit entry
    # Not redacted: a link's evidence is levels and weights keyed by field name ("phones"...), no
    # contact details, and redaction would blank it. The audit names the pair as the link has it.
    return answer(out, [out["link"]["a"], out["link"]["b"]], redact=False,
                  query={**query, "from_status": out["previous_status"], "to_status": out["link"]["status"]})


_DECISION_ERRORS = (400, 401, 403, 404, 409, 415, 422, 429, 503)


def _doc(verb: str, summary: str) -> ApiDoc:
    return ApiDoc(summary=summary, tag="links", body=DecisionRequest, response=DecisionResponse,
                  errors=_DECISION_ERRORS,
                  description=f"{verb} the POSSIBLY_SAME_AS link between persons a and b (either order). "
                  "a and b must differ: no link joins a record to itself (422). 404 when a person is unknown; 409 when the resolution proposed no link between them "
                  "(links are not created by hand). Audited as a combination with who, when and why.",
                  example={"reason": "same PNC photograph; confirmed with the officer in case"})


@bp.post("/links/<a>/<b>/confirm")
@document(_doc("Confirm", "Confirm an identity link: the records count as one perpetrator"))
@require(Permission.RESOLVE, purpose=True, audit="combination")
def post_link_confirm(a: str, b: str) -> Response:
    return _decide(a, b, "confirm")


@bp.post("/links/<a>/<b>/reject")
@document(_doc("Reject", "Reject an identity link: the records are never counted together"))
@require(Permission.RESOLVE, purpose=True, audit="combination")
def post_link_reject(a: str, b: str) -> Response:
    return _decide(a, b, "reject")


@bp.post("/links/<a>/<b>/undo")
@document(_doc("Undo a decision on", "Undo a decision: the link is a proposal again"))
@require(Permission.RESOLVE, purpose=True, audit="combination")
def post_link_undo(a: str, b: str) -> Response:
    return _decide(a, b, "undo")


@bp.get("/links")
@document(ApiDoc(summary="Identity links by status and person, with probability and evidence", tag="links",
                 query=LinksQuery, response=LinksResponse, errors=(400, 401, 403, 422, 429, 503)))
@require(Permission.READ, purpose=True, audit="consultation")
def get_links() -> Response:
    q = parse_query(LinksQuery)
    record({"params": q.model_dump(mode="json")})
    after: tuple[str, str] | None = None
    if q.cursor is not None:
        a, sep, b = q.cursor.partition("|")
        if not sep or not a or not b:
            raise InvalidInput("cursor is not one this service issued", {"field": "cursor"})
        after = (a, b)
    out = resolve.list_links(graph_db.get(), status=q.status, person_id=q.person_id, limit=q.limit, after=after)
    return answer(out, sorted({p for link in out["links"] for p in (link["a"], link["b"])}), redact=False)  # see _decide
