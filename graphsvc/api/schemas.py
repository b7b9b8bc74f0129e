"""Request and response schemas of the HTTP API (pydantic v2).

The same classes validate requests in the routes and, through :mod:`graphsvc.api.openapi`, become
the OpenAPI document: one source of truth. Record bodies use the loaders' record models
(:mod:`loaders.records`) unchanged. Response models allow extra properties: the contract fixes
the fields listed here and lets the analysis add more.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, StringConstraints, model_validator

from loaders.records import Address, RecordId, Text200, Token

__all__ = [
    "CheckSubject",
    "CheckRequest",
    "ListQuery",
    "SerialQuery",
    "UnidentifiedQuery",
    "SearchQuery",
    "NetworkQuery",
    "ErrorResponse",
    "InvalidInputResponse",
    "RecordsRejected",
    "Accepted",
    "CheckResponse",
    "Profile",
    "FixationResponse",
    "LinkedVictimsResponse",
    "SerialResponse",
    "UnidentifiedResponse",
    "SearchResponse",
    "Status",
    "IsoDateTime",
    "OpenModel",
    "StrictModel",
    "NETWORK_FORMATS",
]

NETWORK_FORMATS = ("cytoscape", "graphml", "gexf", "anx", "csv", "html")
# A list's cursor is opaque: the base64url text (RFC 4648 section 5) of the previous page's
# last sort key, as the service wrote it in next_cursor (graphsvc.services.common).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+={0,2}$"
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=CURSOR_PATTERN)]
CURSOR_DESCRIPTION = ("opaque: the next_cursor of the previous page, unchanged (base64url text); "
                      "a cursor this service did not issue is refused with 422")

# Dates and date-times arrive as ISO 8601 text and nothing else. pydantic's lax mode also reads
# a number (or numeric text) as seconds since 1970, so {"dob": 0} was 1970-01-01 and
# ?until=0.5 a moment in 1970: a number is not a date.
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = (r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
                    r"(Z|z|[+-]\d{2}:?\d{2})?)?$")
_DATE = re.compile(DATE_PATTERN)
_DATETIME = re.compile(DATETIME_PATTERN)


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("must be a date as YYYY-MM-DD (ISO 8601 text, not a number)")
    return value


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise ValueError("must be an ISO 8601 date or date-time, e.g. 2026-01-31 or 2026-01-31T09:30:00Z "
                         "(text, not a number)")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date), Field(json_schema_extra={"pattern": DATE_PATTERN})]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime),
                        Field(json_schema_extra={"pattern": DATETIME_PATTERN})]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenModel(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- requests ----------------------------------------------------------------------------------
class HandleIn(StrictModel):
    platform: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    handle: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)]


def _present(name: str, kind: str) -> JsonValue:
    """A JSON Schema branch: ``name`` is given, a string, or an array with at least one item."""
    shape: dict[str, JsonValue] = {"type": kind}
    if kind == "array":
        shape["minItems"] = 1
    return {"required": [name], "properties": {name: shape}}


_SUBJECT_NOT_EMPTY: list[JsonValue] = [
    *[_present(name, "string") for name in ("given_name", "family_name", "dob")],
    *[_present(name, "array") for name in ("aliases", "phones", "emails", "handles", "vehicles")],
]


class CheckSubject(StrictModel):
    """The person a case system is asking about: any names and identifiers it holds.

    Identifiers are taken as given: the check normalises them (as records are) and lists any
    it cannot read under ``unparsed`` in the answer instead of refusing the whole check.
    """

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "description": "The person a case system is asking about. Not empty: at least one name, "
                           "alias, date of birth, phone, email, handle or vehicle (an address alone "
                           "does not identify anyone).",
            "minProperties": 1,
            # The rule of _something, in the schema: one of these present and not null/empty.
            "anyOf": _SUBJECT_NOT_EMPTY,
            "examples": [
                {"given_name": "Daniel", "family_name": "Marsh", "dob": "1984-03-02",
                 "phones": ["07700 900123"], "handles": [{"platform": "instagram", "handle": "@dmarsh"}]}
            ],
        },
    )

    given_name: Text200 | None = None
    family_name: Text200 | None = None
    aliases: list[Text200] = Field(default_factory=list, max_length=100)
    dob: IsoDate | None = None
    gender: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None
    phones: list[Token] = Field(default_factory=list, max_length=50)
    emails: list[Token] = Field(default_factory=list, max_length=50)
    handles: list[HandleIn] = Field(default_factory=list, max_length=50)
    vehicles: list[Token] = Field(default_factory=list, max_length=50)
    addresses: list[Address] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _something(self) -> CheckSubject:
        if not (self.given_name or self.family_name or self.aliases or self.dob or self.phones
                or self.emails or self.handles or self.vehicles):
            raise ValueError("the subject needs at least one name, date of birth or identifier")
        return self


class CheckRequest(StrictModel):
    """``POST /check``: is this subject known, and what is known about them?"""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"subject": {"given_name": "Daniel", "family_name": "Marsh", "phones": ["07700 900123"]},
                 "complainant_id": "WMP-P-1042"}
            ]
        },
    )

    subject: CheckSubject
    complainant_id: RecordId | None = None
    limit: int = Field(default=10, ge=1, le=50)


class ListQuery(StrictModel):
    limit: int = Field(default=50, ge=1, le=200, description="page size (capped at 200)")
    cursor: Cursor | None = Field(default=None, description=CURSOR_DESCRIPTION)


class SerialQuery(ListQuery):
    min_victims: int = Field(default=2, ge=2, le=1000)
    agency: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    since: IsoDate | None = Field(default=None, description="incidents on or after this date (YYYY-MM-DD)")
    until: IsoDate | None = Field(default=None, description="incidents before this date (YYYY-MM-DD; the day itself excluded)")


class UnidentifiedQuery(ListQuery):
    pass


class SearchQuery(StrictModel):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    limit: int = Field(default=20, ge=1, le=100)


class NetworkQuery(StrictModel):
    depth: int = Field(default=1, ge=1, le=3)
    format: Literal["cytoscape", "graphml", "gexf", "anx", "csv", "html"] = "cytoscape"


# -- responses ---------------------------------------------------------------------------------
class ErrorBody(OpenModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(OpenModel):
    """The one error shape."""

    error: ErrorBody


class FieldFault(OpenModel):
    field: str | None = Field(description="the faulty field (dotted path into the body, or the "
                              "parameter's name); null when the fault is the whole input")
    message: str


class InvalidBody(ErrorBody):
    details: list[FieldFault]


class InvalidInputResponse(ErrorResponse):
    """422: the input parses but is invalid; ``details`` lists every fault with its field."""

    error: InvalidBody


class RecordFault(StrictModel):
    index: int | None
    id: str | None
    field: str | None
    message: str


class RecordsRejected(InvalidInputResponse):
    """422 from ``POST /records``: every fault; nothing was written."""

    errors: list[RecordFault]


class Accepted(StrictModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"accepted": 3}]})

    accepted: int


class OrderRef(OpenModel):
    id: str
    type: str | None = None
    issued_on: str | None = None
    expires_on: str | None = None
    active: bool


class Flag(OpenModel):
    code: str
    message: str
    evidence: list[str]


class Match(OpenModel):
    person_id: str
    score: float = Field(ge=0, le=1)
    matched_on: list[str]
    victim_count: int
    incident_count: int
    orders: list[OrderRef]
    flags: list[Flag]


class CheckResponse(OpenModel):
    matches: list[Match]
    scorer: str | None = Field(None, description="what ranked the candidates: 'model:<label>#<hash>' (the "
                               "trained linkage model, the default), 'deterministic', or 'deterministic "
                               "(model unavailable)' when the model could not be loaded")
    searched: list[Literal["identifiers", "names", "dob"]] = Field(
        default_factory=list,
        description="what candidates were searched by. 'identifiers' alone: a candidate shares an identifier "
                    "with the subject and agrees on a name or date of birth (the first rank), so persons "
                    "found by name or date of birth alone, who would rank below it, were not searched for")


class Profile(OpenModel):
    """The profile: the person's fields (victims' contact details redacted by role), roles,
    counts and orders; its exact fields are the analysis library's."""


class Escalation(OpenModel):
    trend: Literal["rising", "stable", "falling"]


class Four(OpenModel):
    fixated: Any
    obsessive: Any
    unwanted: Any
    repeated: Any


class ProposedLink(StrictModel):
    a: str
    b: str
    probability: float = Field(ge=0, le=1)


class VictimFixation(OpenModel):
    victim_id: str = Field(description="the distinct victim's representative record (the first of record_ids)")
    record_ids: list[str] = Field(description="every record of this one victim: her identity group, counted once")
    proposed: bool = Field(description="the group joins records through an identity link that is only proposed")
    proposed_links: list[ProposedLink] | None = Field(
        default=None, description="the proposed links the group rests on (present when proposed)")
    first_contact: Any
    last_contact: Any
    incident_count: int
    span_days: Any
    types: dict[str, int]
    escalation: Escalation
    four: Four
    orders: Any
    breaches: Any


class FixationPattern(OpenModel):
    victim_count: int
    max_concurrent_victims: int
    serial: bool
    sequence: list[str]
    proposed_victim_ids: list[str] = Field(
        description="the victims (by victim_id) whose records are joined by a proposed link")


class FixationResponse(OpenModel):
    victims: list[VictimFixation]
    pattern: FixationPattern


class LinkedVictimsResponse(OpenModel):
    """Victims linked to this person's victims, and how."""


class SerialPerson(OpenModel):
    person_id: str
    victim_count: int
    incident_count: int
    risk_score: float
    risk_factors: Any


class SerialResponse(OpenModel):
    persons: list[SerialPerson]
    next_cursor: str | None
    computed_at: dt.datetime | None = None  # when the cached ranking was computed
    stale: bool | None = None  # the register changed since computed_at; a newer ranking is on its way


class Cluster(OpenModel):
    incident_ids: list[str]
    victim_ids: list[str]
    identifiers: Any
    linked_person_ids: list[str]


class UnidentifiedResponse(OpenModel):
    clusters: list[Cluster]
    next_cursor: str | None
    computed_at: dt.datetime | None = None  # when the cached cluster job ran
    stale: bool | None = None  # the register changed since computed_at; a newer run is on its way


class ScorePart(StrictModel):
    part: str = Field(description="what was compared (name, dob, alias, identifier, ...)")
    points: float = Field(description="what it added to (or took from) the score")
    why: str


class LinkedRecord(OpenModel):
    person_id: str
    given_name: str | None
    family_name: str | None
    dob: str | None = Field(description="YYYY-MM-DD")
    source: str | None = Field(description="the agency that owns the record")
    status: Literal["confirmed", "proposed"]
    probability: float | None = Field(default=None, ge=0, le=1, description="for a proposed link")
    score: float | None = Field(default=None, description="the record's own score, when it matched too")


class SearchHit(OpenModel):
    person_id: str
    given_name: str | None
    family_name: str | None
    aliases: list[str]
    dob: str | None = Field(description="YYYY-MM-DD")
    source: str | None = Field(description="the agency that owns the record")
    roles: list[Literal["offender", "victim"]]
    score: float = Field(ge=0, le=1)
    matched_on: list[str]
    score_parts: list[ScorePart]
    score_explained: str
    linked_record_ids: list[str] = Field(description="the other records of this person's identity group")
    linked_records: list[LinkedRecord]
    proposed: bool = Field(description="the group rests on a link that is only proposed")


class SearchResponse(OpenModel):
    persons: list[SearchHit]


class Status(StrictModel):
    status: str
