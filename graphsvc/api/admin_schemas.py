"""The admin routes' request and response models (``graphsvc.api.admin``: the audit log, its
anomalies, API keys and the caller's own key), in the shapes of :mod:`graphsvc.api.schemas`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

from graphsvc.api.schemas import IsoDateTime, OpenModel, StrictModel
from graphsvc.security.audit import ACTIONS
from graphsvc.security.keys import AGENCY_PATTERN, NAME_PATTERN
from loaders.records import RecordId

__all__ = ["AnomalyList", "AnomalyQuery", "ApiKeyCreated", "ApiKeyList", "ApiKeyOut", "AuditPage", "AuditQuery",
           "KeyCreateRequest", "WhoAmI"]


class AuditQuery(StrictModel):
    actor: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    action: Literal[ACTIONS] | None = None  # type: ignore[valid-type]
    person_id: RecordId | None = None
    since: IsoDateTime | None = Field(default=None, description="entries at or after (ISO 8601 date or date-time)")
    until: IsoDateTime | None = Field(default=None, description="entries before (ISO 8601 date or date-time)")
    actor_agency: Annotated[str, StringConstraints(pattern=AGENCY_PATTERN.pattern)] | None = Field(
        default=None, description="entries by keys of this agency")
    disclosed_agency: Annotated[str, StringConstraints(pattern=AGENCY_PATTERN.pattern)] | None = Field(
        default=None, description="entries that disclosed records this agency owns")
    limit: int = Field(default=50, ge=1, le=500)
    cursor: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,18}$")] | None = Field(
        default=None, description="opaque: the next_cursor of the previous page, unchanged")


class AnomalyQuery(StrictModel):
    since: IsoDateTime | None = Field(default=None, description="entries at or after (ISO 8601); default 7 days ago")


class KeyCreateRequest(StrictModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "niche-rms", "role": "case_system"}]}
    )

    name: Annotated[str, StringConstraints(pattern=NAME_PATTERN.pattern)]  # the key ring's own rule
    role: Literal["case_system", "investigator", "offender_manager", "admin"]
    agency: Annotated[str, StringConstraints(pattern=AGENCY_PATTERN.pattern)] | None = Field(
        default=None, description="the agency the key acts for (contract section 5); absent: a national key. "
        "An admin key with an agency creates keys of its own agency only (the default)")


class AuditEntryOut(OpenModel):
    seq: int
    at: str
    actor: str
    actor_agency: str | None = Field(default=None, description="the agency the actor's key acts for; absent: national")
    role: str
    action: str
    purpose: str | None = None
    query: Any
    person_ids: list[str]
    disclosed_agencies: list[str] | None = Field(
        default=None, description="the owning agencies of the person records this entry disclosed")
    status: str
    prev_hash: str
    hash: str


class Anomaly(OpenModel):
    kind: str = Field(description="quota_exceeded, volume, unlinked_read or own_victim_by_name_search")
    actor: str
    actor_agency: str | None
    role: str | None
    summary: str
    person_ids: list[str]
    audit_seqs: list[int] = Field(description="the audit entries behind it")


class AnomalyList(OpenModel):
    since: str
    agency: str | None
    anomalies: list[Anomaly]


class AuditPage(StrictModel):
    entries: list[AuditEntryOut]
    next_cursor: str | None


class ApiKeyOut(OpenModel):
    key_id: str
    name: str
    role: str
    agency: str | None = Field(default=None, description="the agency the key acts for; null: national")
    created_at: str
    revoked_at: str | None = None


class WhoAmI(StrictModel):
    key_id: str
    name: str
    role: str
    agency: str | None = Field(default=None, description="the agency the key acts for; null: national")
    permissions: list[str] = Field(description="what the role may do (contract section 5), sorted")


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="the key itself: shown once, never stored")


class ApiKeyList(StrictModel):
    keys: list[ApiKeyOut]
