"""The record format of contract sections 1 and 7: validation and normalisation.

:func:`parse_record` takes one decoded JSON object and returns a :class:`PersonRecord`,
:class:`IncidentRecord`, :class:`OrderRecord`, :class:`RegistrationRecord` or
:class:`NotificationRecord` with every identifier in its stored form, or
raises :class:`RecordError` naming the field and the reason. The pydantic models are the one
source of truth for the format: the loaders, ``POST /records`` and the OpenAPI document all
use them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from loaders import normalise
from loaders.errors import FieldError, RecordError
from loaders.times import LONDON, iso, not_future, recorded

__all__ = [
    "INCIDENT_TYPES",
    "ORDER_TYPES",
    "OUTCOMES",
    "PersonRecord",
    "IncidentRecord",
    "OrderRecord",
    "RegistrationRecord",
    "NotificationRecord",
    "NOTIFICATION_TYPES",
    "KINDS",
    "Record",
    "AnyRecord",
    "RecordError",
    "FieldError",
    "parse_record",
    "RECORD_ID",
    "iso",
]


INCIDENT_TYPES = (
    "call text email social_media letter gift visit following loitering surveillance damage "
    "threat assault breach other"
).split()
ORDER_TYPES = (
    "restraining_order stalking_protection_order interim_stalking_protection_order "
    "non_molestation_order domestic_abuse_protection_order domestic_violence_protection_order "
    "injunction other"
).split()
OUTCOMES = "reported no_further_action caution charged convicted acquitted pending".split()
NOTIFICATION_TYPES = "initial name address annual travel".split()
#: The record kinds, in the order a dump writes them (contract sections 1 and 7).
KINDS = ("person", "order", "incident", "registration", "notification")

#: The one definition of a record id (contract section 1): 1-128 of ``A-Z a-z 0-9 . _ : -``.
RECORD_ID_PATTERN = r"^[A-Za-z0-9._:\-]{1,128}$"
RECORD_ID = re.compile(RECORD_ID_PATTERN)
RecordId = Annotated[str, StringConstraints(pattern=RECORD_ID_PATTERN)]


# `iso`, the one formatter of answers and exports, lives in loaders.times with the rest of
# contract section 9 (time); it is re-exported here, where its callers import it from.


Source = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Text200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)]

IncidentType = Literal[
    "call", "text", "email", "social_media", "letter", "gift", "visit", "following", "loitering",
    "surveillance", "damage", "threat", "assault", "breach", "other",
]
OrderType = Literal[
    "restraining_order", "stalking_protection_order", "interim_stalking_protection_order",
    "non_molestation_order", "domestic_abuse_protection_order",
    "domestic_violence_protection_order", "injunction", "other",
]
Outcome = Literal[
    "reported", "no_further_action", "caution", "charged", "convicted", "acquitted", "pending"
]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_LIST = 500


def _strict_date(value: Any) -> Any:
    if isinstance(value, str) and not _DATE.match(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: RecordId
    source: Source


class Handle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: Token
    handle: Token

    @model_validator(mode="after")
    def _normalise(self) -> Handle:
        platform, value = normalise.handle(self.platform, self.handle)
        object.__setattr__(self, "platform", platform)
        object.__setattr__(self, "handle", value)
        return self

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.handle}"


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    line1: Annotated[str, StringConstraints(max_length=200)] | None = None
    town: Annotated[str, StringConstraints(max_length=100)] | None = None
    postcode: Annotated[str, StringConstraints(max_length=16)] | None = None

    @model_validator(mode="after")
    def _normalise(self) -> Address:
        if not (self.line1 or self.town or self.postcode):
            raise ValueError("an address needs line1, town or postcode")
        if self.postcode:
            object.__setattr__(self, "postcode", normalise.postcode(self.postcode))
        return self

    @property
    def key(self) -> str:
        return normalise.address_key(self.line1, self.town, self.postcode)


def _normalise_list(values: list[str], fn: Any) -> list[str]:
    out: list[str] = []
    for index, value in enumerate(values):
        try:
            norm = fn(value)
        except ValueError as exc:
            raise ValueError(f"item {index} ({value!r}): {exc}") from None
        if norm not in out:
            out.append(norm)
    return out


class Identifiers(BaseModel):
    """Identifiers a perpetrator used in an incident (or a person's own)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phones: list[Token] = Field(default_factory=list, max_length=MAX_LIST)
    emails: list[Token] = Field(default_factory=list, max_length=MAX_LIST)
    handles: list[Handle] = Field(default_factory=list, max_length=MAX_LIST)
    vehicles: list[Token] = Field(default_factory=list, max_length=MAX_LIST)

    @field_validator("phones")
    @classmethod
    def _phones(cls, v: list[str]) -> list[str]:
        return _normalise_list(v, normalise.phone)

    @field_validator("emails")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        return _normalise_list(v, normalise.email)

    @field_validator("vehicles")
    @classmethod
    def _vehicles(cls, v: list[str]) -> list[str]:
        return _normalise_list(v, normalise.vehicle)

    @field_validator("handles")
    @classmethod
    def _handles(cls, v: list[Handle]) -> list[Handle]:
        seen: dict[str, Handle] = {}
        for h in v:
            seen.setdefault(h.key, h)
        return list(seen.values())

    def is_empty(self) -> bool:
        return not (self.phones or self.emails or self.handles or self.vehicles)


class PersonRecord(_Base, Identifiers):
    kind: Literal["person"]
    given_name: Text200 | None = None
    family_name: Text200 | None = None
    aliases: list[Text200] = Field(default_factory=list, max_length=100)
    dob: dt.date | None = None
    gender: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None
    addresses: list[Address] = Field(default_factory=list, max_length=MAX_LIST)

    _dob_text = field_validator("dob", mode="before")(classmethod(lambda cls, v: _strict_date(v)))

    @field_validator("dob")
    @classmethod
    def _dob_range(cls, v: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if v is not None and v < dt.date(1900, 1, 1):
            raise ValueError("must be on or after 1900-01-01")
        if v is not None:
            not_future(v, _now(info))
        return v

    @field_validator("addresses")
    @classmethod
    def _one_per_address(cls, v: list[Address]) -> list[Address]:
        seen: dict[str, Address] = {}
        for address in v:
            seen.setdefault(address.key, address)
        return list(seen.values())

    @field_validator("gender")
    @classmethod
    def _gender(cls, v: str | None) -> str | None:
        return v.lower() if v else None

    @model_validator(mode="after")
    def _something_to_know_them_by(self) -> PersonRecord:
        if not (self.given_name or self.family_name or self.aliases) and self.is_empty():
            raise ValueError("a person needs at least one name or one identifier")
        return self


def _now(info: ValidationInfo) -> dt.datetime | None:
    """The clock the future-date checks use: ``parse_record``'s ``now`` (``None``: the real one)."""
    return (info.context or {}).get("now")


class IncidentRecord(_Base):
    kind: Literal["incident"]
    occurred_at: dt.datetime
    occurred_precision: Literal["date", "datetime"] = "datetime"
    reported_at: dt.datetime | None = None
    type: IncidentType
    offender_ids: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST)
    victim_ids: list[RecordId] = Field(min_length=1, max_length=MAX_LIST)
    identifiers_used: Identifiers = Field(default_factory=Identifiers)
    breached_order_ids: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST)
    outcome: Outcome | None = None
    description: Annotated[str, StringConstraints(max_length=10_000)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _times(cls, data: Any, info: ValidationInfo) -> Any:
        """Both times as recorded (:func:`loaders.times.recorded`: the offset kept, a naive
        time in Europe/London), neither past now plus the tolerance."""
        if isinstance(data, dict) and "occurred_precision" in data:
            raise ValueError("occurred_precision is derived from occurred_at; do not send it")
        if isinstance(data, dict) and data.get("occurred_at") is not None:
            data = dict(data)
            for name in ("occurred_at", "reported_at"):
                if data.get(name) is None:
                    continue
                try:
                    at, precision = recorded(data[name])
                    not_future(at, _now(info))
                except ValueError as exc:
                    raise _located(name, str(exc)) from None
                data[name] = at
                if name == "occurred_at":
                    data["occurred_precision"] = precision
        return data

    @field_validator("offender_ids", "victim_ids", "breached_order_ids")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _consistent(self) -> IncidentRecord:
        if set(self.offender_ids) & set(self.victim_ids):
            raise _located("victim_ids", "a person cannot be offender and victim in one incident")
        # a day before on London's clock, not 24 hours: the day the clocks go back has 25, and an
        # incident at 23:44 that evening reported that day (its midnight) is not reported before it
        if self.reported_at is not None and \
                self.reported_at < self.occurred_at.astimezone(LONDON) - dt.timedelta(days=1):
            raise _located("reported_at", "is before occurred_at")
        return self


class OrderRecord(_Base):
    kind: Literal["order"]
    type: OrderType
    issued_on: dt.date
    expires_on: dt.date | None = None
    respondent_id: RecordId
    protected_ids: list[RecordId] = Field(min_length=1, max_length=MAX_LIST)
    conditions: Annotated[str, StringConstraints(max_length=10_000)] | None = None

    _dates = field_validator("issued_on", "expires_on", mode="before")(
        classmethod(lambda cls, v: _strict_date(v))
    )

    @field_validator("issued_on")
    @classmethod
    def _issued_not_future(cls, v: dt.date, info: ValidationInfo) -> dt.date:
        # expires_on is not checked: an order in force legitimately ends in the future
        not_future(v, _now(info))
        return v

    @field_validator("protected_ids")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _consistent(self) -> OrderRecord:
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise _located("expires_on", "is before issued_on")
        if self.respondent_id in self.protected_ids:
            raise _located("protected_ids", "the respondent cannot be protected by their own order")
        return self


class RegistrationRecord(_Base):
    """A person on the register (contract section 7): under an order's notification
    requirements (``basis: order``, Stalking Protection Act 2019 s.9) or a conviction's
    (``basis: conviction``, Sexual Offences Act 2003 ss.83-85, with the annual re-notification)."""

    kind: Literal["registration"]
    person_id: RecordId
    basis: Literal["order", "conviction"]
    order_id: RecordId | None = None
    start_on: dt.date
    end_on: dt.date | None = None
    managing_agency: Source | None = None
    manager: Text200 | None = None

    _dates = field_validator("start_on", "end_on", mode="before")(
        classmethod(lambda cls, v: _strict_date(v))
    )

    @field_validator("start_on")
    @classmethod
    def _start_not_future(cls, v: dt.date, info: ValidationInfo) -> dt.date:
        not_future(v, _now(info))
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RegistrationRecord:
        if self.basis == "order" and self.order_id is None:
            raise _located("order_id", "is required with basis order")
        if self.basis == "conviction" and self.order_id is not None:
            raise _located("order_id", "is only for basis order")
        if self.end_on is not None and self.end_on < self.start_on:
            raise _located("end_on", "is before start_on")
        if self.managing_agency is None:
            object.__setattr__(self, "managing_agency", self.source)  # the supplier manages him
        return self


class NotifiedName(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    given_name: Text200 | None = None
    family_name: Text200 | None = None

    @model_validator(mode="after")
    def _something(self) -> NotifiedName:
        if not (self.given_name or self.family_name):
            raise ValueError("a name needs given_name or family_name")
        return self

    @property
    def key(self) -> str:
        return normalise.name_key(" ".join(n for n in (self.given_name, self.family_name) if n))


class NotificationRecord(_Base):
    """A notification made in person and acknowledged (Stalking Protection Act 2019 s.10).

    ``type`` is the contract's notification ``kind`` (``kind`` is the record's own kind: the
    two cannot share a name; docs/register.md). ``changed_on``, an extension, is the day the
    notified name or address changed: the duty to notify it ran from then."""

    kind: Literal["notification"]
    person_id: RecordId
    registration_id: RecordId
    notified_on: dt.date
    type: Literal["initial", "name", "address", "annual", "travel"]
    names: list[NotifiedName] = Field(default_factory=list, max_length=100)
    home_address: Address | None = None
    changed_on: dt.date | None = None
    station: Text200 | None = None
    reference: Text200 | None = None

    _dates = field_validator("notified_on", "changed_on", mode="before")(
        classmethod(lambda cls, v: _strict_date(v))
    )

    @field_validator("notified_on")
    @classmethod
    def _notified_not_future(cls, v: dt.date, info: ValidationInfo) -> dt.date:
        not_future(v, _now(info))
        return v

    @field_validator("names")
    @classmethod
    def _one_per_name(cls, v: list[NotifiedName]) -> list[NotifiedName]:
        seen: dict[str, NotifiedName] = {}
        for name in v:
            seen.setdefault(name.key, name)
        return list(seen.values())

    @model_validator(mode="after")
    def _consistent(self) -> NotificationRecord:
        if self.type == "initial" and not (self.names and self.home_address):
            raise _located("names" if not self.names else "home_address",
                           "an initial notification gives the names and the home address")
        if self.type == "name" and not self.names:
            raise _located("names", "a name notification gives the names")
        if self.type == "address" and self.home_address is None:
            raise _located("home_address", "an address notification gives the home address")
        if self.changed_on is not None:
            if self.type not in ("name", "address"):
                raise _located("changed_on", "is only for a name or address notification")
            if self.changed_on > self.notified_on:
                raise _located("changed_on", "is after notified_on")
        return self


AnyRecord = PersonRecord | IncidentRecord | OrderRecord | RegistrationRecord | NotificationRecord
Record = Annotated[Union[PersonRecord, IncidentRecord, OrderRecord, RegistrationRecord, NotificationRecord], Field(discriminator="kind")]
_ADAPTER: TypeAdapter[AnyRecord] = TypeAdapter(Record)


class _Located(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _located(field: str, message: str) -> _Located:
    return _Located(field, message)


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc]
    if parts and parts[0] in KINDS:
        parts = parts[1:]  # the discriminator's tag
    return ".".join(parts) or None


def parse_record(data: Any, now: dt.datetime | None = None) -> AnyRecord:
    """Validate and normalise one record; raise :class:`RecordError` on any fault.

    ``now`` (aware) is the clock the record's dates are checked against (no date past now plus
    :data:`loaders.times.FUTURE_TOLERANCE`); ``None`` reads the real clock."""
    record_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    if not isinstance(data, dict):
        raise RecordError(None, [FieldError(None, "a record must be a JSON object")])
    if data.get("kind") not in KINDS:
        raise RecordError(record_id, [FieldError("kind", "must be person, incident, order, registration or notification")])
    try:
        return _ADAPTER.validate_python(data, context={"now": now})
    except ValidationError as exc:
        errors = []
        for err in exc.errors(include_url=False):
            ctx_error = (err.get("ctx") or {}).get("error")
            field = _field_of(err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            if isinstance(ctx_error, _Located):
                field, message = ctx_error.field, str(ctx_error)
            elif err["type"] == "extra_forbidden":
                message = "is not a field of this kind of record"
            errors.append(FieldError(field, message))
        raise RecordError(record_id, errors) from None
