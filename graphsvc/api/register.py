"""The register (contract section 7, docs/register.md): one person's registrations, notifications
and duties, the overdue worklist, and the transfer of a registration to another agency.

Reads need ``read`` and a purpose and are audited as consultations; what they show passes the
need-to-know rule like any answer (a notification's home address, station and reference only to
the agency managing the registration, or a national key). The worklist of an agency's key is its
agency's; a transfer is made by the managing agency (or a national key), audited as an
alteration with its reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from graphsvc.api.access import acting_on, answer, principal, record, require
from graphsvc.api.blueprint import bp
from graphsvc.api.openapi import ApiDoc, document
from graphsvc.api.parsing import check_person_id, parse_json_body, parse_query
from graphsvc.errors import NotFound
from graphsvc.extensions import graph_db
from graphsvc.security.keys import AGENCY_PATTERN
from graphsvc.security.policy import Permission
from graphsvc.services import register as register_service
from loaders.records import RECORD_ID

__all__ = ["OverdueQuery", "TransferRequest", "RegisterPerson", "OverduePage", "Transfer"]

_AGENCY = AGENCY_PATTERN.pattern


class OverdueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: Annotated[str, StringConstraints(pattern=_AGENCY)] | None = Field(
        default=None, description="the managing agency; an agency's key may ask only its own (and gets it "
                                  "when it asks none), a national key any or none (the nation's)")
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=512)] | None = Field(
        default=None, description="the next_cursor of the previous page, unchanged")
    limit: int = Field(default=50, ge=1, le=200)


class TransferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Annotated[str, StringConstraints(pattern=_AGENCY)] = Field(description="the agency that will manage him")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        description="why (the notification that gave the new home address, say)")


class RegisterPerson(BaseModel):
    model_config = ConfigDict(extra="allow")
    person_id: str
    registrations: list[dict[str, Any]] = Field(description="each with in_force, its kept due duty, its "
                                                            "transfers and transfer_proposed")
    notifications: list[dict[str, Any]] = Field(description="newest first")
    last_notified: dict[str, Any] | None = Field(description="names, home_address, notified_on, evidence")
    duties: list[dict[str, Any]] = Field(description="kind, due_on (the last day), met_on, late, overdue, "
                                                     "evidence, registration_id; by last day")
    flags: list[dict[str, Any]]
    as_of: str = Field(description="the day (Europe/London) overdue is judged on")


class OverdueRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    person_id: str
    registration_id: str
    duty: str = Field(description="initial, name, address or annual")
    due_on: str = Field(description="the duty's last day")
    managing_agency: str | None
    days_overdue: int


class OverduePage(BaseModel):
    model_config = ConfigDict(extra="allow")
    persons: list[OverdueRow] = Field(description="longest overdue first")
    next_cursor: str | None = None
    as_of: str


class Transfer(BaseModel):
    model_config = ConfigDict(extra="allow")
    registration_id: str
    to: str
    on: str
    by: str
    reason: str


@bp.get("/register/persons/<person_id>")
@document(ApiDoc(summary="A person's registrations, notifications and duties", tag="register",
                 response=RegisterPerson, errors=(400, 401, 403, 404, 429, 503),
                 description="Each duty with its last day and the notification that met it; a notification's "
                             "home address, station and reference are withheld from agencies other than the "
                             "managing one. Audited as a consultation."))
@require(Permission.READ, purpose=True, audit="consultation")
def get_register_person(person_id: str) -> Response:
    check_person_id(person_id)
    record({"person_id": person_id})
    return answer(register_service.register_person(graph_db.get(), person_id), [person_id])


@bp.get("/register/overdue")
@document(ApiDoc(summary="The overdue worklist, longest overdue first", tag="register", query=OverdueQuery,
                 response=OverduePage, errors=(400, 401, 403, 422, 429, 503),
                 description="Registrations in force whose due notification's last day has passed. An agency's "
                             "key reads its own agency's (403 for another's). Audited as a consultation."))
@require(Permission.READ, purpose=True, audit="consultation")
def get_register_overdue() -> Response:
    q = parse_query(OverdueQuery)
    record({"params": q.model_dump(mode="json")})
    agency = acting_on(q.agency, "the overdue worklist")
    out = register_service.overdue(graph_db.get(), agency, cursor=q.cursor, limit=q.limit)
    return answer(out, [r["person_id"] for r in out["persons"] if r["person_id"]])


@bp.post("/register/registrations/<registration_id>/transfer")
@document(ApiDoc(summary="Transfer a registration to another agency", tag="register", body=TransferRequest,
                 response=Transfer, errors=(400, 401, 403, 404, 409, 415, 422, 429, 503),
                 description="Made by the managing agency (or a national key); kept with the registration "
                             "(its transfers) and audited as an alteration with the reason. 409 when it is "
                             "managed by that agency already, or another transfer moved it meanwhile.",
                 example={"to": "WYP", "reason": "notified a home address in LS6 (notification N-77)"}))
@require(Permission.MANAGE_REGISTER, purpose=True, audit="alteration")
def post_register_transfer(registration_id: str) -> Response:
    if not RECORD_ID.match(registration_id):
        raise NotFound("no registration with this id", {"field": "registration_id"})
    body = parse_json_body(TransferRequest)
    record({"op": "registration_transfer", "registration_id": registration_id, "to": body.to, "reason": body.reason})
    db = graph_db.get()
    held = register_service.registration_of(db, registration_id)
    acting_on(held["managed_by"], f"registration {registration_id}")
    out = register_service.transfer(db, registration_id, body.to, body.reason, principal().key_id, held=held)
    # the caller's own words back, unredacted: the registration is another agency's from now on
    return answer(out, [held["person_id"]] if held["person_id"] else [], redact=False)
