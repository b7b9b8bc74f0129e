"""Validation and normalisation of the record format (contract section 1). No database needed."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders import normalise
from loaders.records import RecordError, parse_record


def person(**fields):  # type: ignore[no-untyped-def]
    return {"kind": "person", "id": "P-1", "source": "WMP", **fields}


def incident(**fields):  # type: ignore[no-untyped-def]
    base = {"kind": "incident", "id": "I-1", "source": "WMP", "occurred_at": "2024-03-01", "type": "call", "victim_ids": ["V-1"]}
    base.update(fields)
    return base


def order(**fields):  # type: ignore[no-untyped-def]
    base = {"kind": "order", "id": "O-1", "source": "WMP", "type": "restraining_order", "issued_on": "2023-01-01",
            "respondent_id": "P-1", "protected_ids": ["V-1"]}
    base.update(fields)
    return base


def faults(data):  # type: ignore[no-untyped-def]
    with pytest.raises(RecordError) as info:
        parse_record(data)
    return {(e.field, e.message) for e in info.value.errors}, info.value.record_id


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("07700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("020 7946 0018", "+442079460018"),
        ("+1 202-555-0143", "+12025550143"),  # foreign, fictional range: kept
        ("+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_phones_are_stored_as_e164(raw: str, stored: str) -> None:
    assert parse_record(person(phones=[raw])).phones == [stored]


def test_the_same_phone_in_two_notations_is_one_identifier() -> None:
    assert parse_record(person(phones=["07700 900123", "+447700900123"])).phones == ["+447700900123"]


def test_impossible_phone_is_rejected_with_its_item() -> None:
    found, record_id = faults(person(phones=["07700 900123", "123"]))
    assert record_id == "P-1"
    assert any(field == "phones" and "item 1" in message for field, message in found)


def test_emails_are_lower_case_and_checked() -> None:
    assert parse_record(person(emails=["Jo.Bloggs@Example.COM"])).emails == ["jo.bloggs@example.com"]
    found, _ = faults(person(emails=["not-an-email"]))
    assert {f for f, _ in found} == {"emails"}


def test_handles_lose_the_at_sign_and_case() -> None:
    rec = parse_record(person(handles=[{"platform": "Instagram", "handle": "@Night_Owl"}]))
    assert [(h.platform, h.handle, h.key) for h in rec.handles] == [("instagram", "night_owl", "instagram:night_owl")]


def test_vehicles_are_upper_case_without_spaces() -> None:
    assert parse_record(person(vehicles=["ab12 cde", "AB12-CDE"])).vehicles == ["AB12CDE"]


def test_postcodes_take_the_standard_form() -> None:
    rec = parse_record(person(given_name="A", addresses=[{"line1": "1 High St", "town": "Leeds", "postcode": "ls11aa"}]))
    assert rec.addresses[0].postcode == "LS1 1AA"
    assert normalise.postcode("sw1a1aa") == "SW1A 1AA"


def test_a_person_needs_a_name_or_an_identifier() -> None:
    found, _ = faults(person())
    assert any("at least one name or one identifier" in m for _, m in found)
    assert parse_record(person(handles=[{"platform": "x", "handle": "someone"}]))


@pytest.mark.parametrize(
    "data, field",
    [
        (person(id="has space", given_name="A"), "id"),
        (person(id="x" * 129, given_name="A"), "id"),
        (person(source="", given_name="A"), "source"),
        (person(source="S" * 33, given_name="A"), "source"),
        (person(given_name="A", dob="03/02/1980"), "dob"),
        (person(given_name="A", dob="2999-01-01"), "dob"),
        (person(given_name="A", nickname="Jo"), "nickname"),
        (incident(type="stalking"), "type"),
        (incident(victim_ids=[]), "victim_ids"),
        (incident(occurred_at="last tuesday"), "occurred_at"),
        (incident(outcome="jailed"), "outcome"),
        (incident(description="x" * 10_001), "description"),
        (incident(offender_ids=["V-1"]), "victim_ids"),
        (incident(identifiers_used={"phones": ["12"]}), "identifiers_used.phones"),
        (order(type="banning_order"), "type"),
        (order(expires_on="2022-01-01"), "expires_on"),
        (order(protected_ids=[]), "protected_ids"),
        (order(protected_ids=["P-1"]), "protected_ids"),
        (order(respondent_id=None), "respondent_id"),
    ],
)
def test_each_validation_error_names_its_field(data, field: str) -> None:  # type: ignore[no-untyped-def]
    found, _ = faults(data)
    assert field in {f for f, _ in found}, found


def test_not_an_object_and_unknown_kind() -> None:
    assert faults([1, 2])[0] == {(None, "a record must be a JSON object")}
    assert {f for f, _ in faults({"kind": "vehicle", "id": "X"})[0]} == {"kind"}


def test_times_are_kept_as_recorded_with_their_precision() -> None:
    # contract section 9: a naive time is London local time; an offset given is kept
    summer_local = parse_record(incident(occurred_at="2024-07-01T10:00:00"))
    assert summer_local.occurred_at == dt.datetime(2024, 7, 1, 9, 0, tzinfo=dt.timezone.utc)
    assert summer_local.occurred_at.isoformat() == "2024-07-01T10:00:00+01:00"
    assert summer_local.occurred_precision == "datetime"
    date_only = parse_record(incident(occurred_at="2024-07-01"))
    assert date_only.occurred_at.isoformat() == "2024-07-01T00:00:00+01:00"  # London's midnight
    assert date_only.occurred_precision == "date"
    with_offset = parse_record(incident(occurred_at="2024-07-01T10:00:00+02:00"))
    assert with_offset.occurred_at.isoformat() == "2024-07-01T10:00:00+02:00"


def test_duplicate_references_collapse() -> None:
    rec = parse_record(incident(victim_ids=["V-1", "V-1", "V-2"]))
    assert rec.victim_ids == ["V-1", "V-2"]
