"""The dump format's typed values and its record keys (docs/backup.md), without a database."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import neo4j.time
import pytest

from graphsvc.repository import dump
from graphsvc.repository.ingest import BatchRows
from loaders.records import parse_record

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, encoded", [
    ("text", "text"), (3, 3), (0.1, 0.1), (True, True), (["a", "b"], ["a", "b"]), ([], []),
    (neo4j.time.Date(2024, 5, 1), {"$date": "2024-05-01"}),
    ([neo4j.time.Date(2024, 5, 1)], [{"$date": "2024-05-01"}]),
    (neo4j.time.DateTime(2024, 5, 1, 10, 0, 0, 123456789), {"$localdatetime": "2024-05-01T10:00:00.123456789"}),
    (neo4j.time.Time(10, 0, 0, 1), {"$localtime": "10:00:00.000000001"}),
    (neo4j.time.Duration(years=6, months=2, days=1, hours=3), {"$duration": "P6Y2M1DT3H"}),
    (bytearray(b"\x00\xff"), {"$bytes": "AP8="}),
])
def test_values_round_trip(value, encoded) -> None:  # type: ignore[no-untyped-def]
    assert dump.encode(value) == encoded
    assert json.loads(json.dumps(encoded)) == encoded
    assert dump.decode(encoded) == value


@pytest.mark.parametrize("text", ["2024-05-01T10:00:00.123456789+01:00", "2024-05-01T10:00:00Z",
                                  "2024-07-02T10:00:00+01:00[Europe/London]", "2024-07-02T10:00:00Z[UTC]",
                                  "2024-05-01T10:00:00-05:30"])
def test_a_zoned_date_time_keeps_its_offset_or_zone(text: str) -> None:
    value = dump.decode({"$datetime": text})
    assert isinstance(value, neo4j.time.DateTime) and value.utc_offset() is not None
    zone = text.partition("[")[2].rstrip("]") or None
    # a zone id travels as the driver's (pytz) zone, sent as an id; an offset as a fixed offset
    assert getattr(value.tzinfo, "zone", None) == zone
    if zone is None:
        assert isinstance(value.tzinfo, dt.timezone)


def test_floats_json_cannot_hold_are_tagged() -> None:
    assert dump.encode(float("inf")) == {"$float": "inf"}
    assert math.isnan(dump.decode(dump.encode(float("nan"))))


@pytest.mark.parametrize("bad", [{"$dat": "2024-01-01"}, {"$date": "yesterday"}, {"$date": 1}, {"a": 1, "b": 2},
                                 None, {"$datetime": "2024-05-01T10:00:00"}])
def test_bad_typed_values_are_refused(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        dump.decode(bad)


RECORDS = [
    {"kind": "person", "id": "P", "source": "A", "given_name": "G", "family_name": "F", "aliases": ["x"],
     "dob": "1980-01-01", "gender": "M"},
    {"kind": "order", "id": "O", "source": "A", "type": "restraining_order", "issued_on": "2024-01-01",
     "respondent_id": "P", "protected_ids": ["V"], "conditions": "c", "expires_on": "2025-01-01"},
    {"kind": "incident", "id": "I", "source": "A", "occurred_at": "2024-01-01", "type": "call", "victim_ids": ["V"],
     "reported_at": "2024-01-02", "outcome": "reported", "description": "d"},
    {"kind": "registration", "id": "R", "source": "A", "person_id": "P", "basis": "conviction",
     "start_on": "2024-01-01", "managing_agency": "A", "manager": "m", "end_on": "2030-01-01"},
    {"kind": "notification", "id": "N", "source": "A", "person_id": "P", "registration_id": "R",
     "notified_on": "2024-01-02", "type": "address", "names": [{"given_name": "G", "family_name": "F"}],
     "home_address": {"line1": "1 A St", "town": "T", "postcode": "LS1 1AA"}, "station": "s", "reference": "r",
     "changed_on": "2024-01-01"},
]


def test_every_record_key_is_written_by_the_load() -> None:
    """A key in RECORD_KEYS is left out of the node state: the load must write it, else a
    restore loses it. Each is in the rows the load sends or named in a load statement."""
    rows = BatchRows.of([parse_record(r) for r in RECORDS])
    sent = {"Person": rows.persons, "Order": rows.orders, "Incident": rows.incidents,
            "Registration": rows.registrations, "Notification": rows.notifications}
    statements = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "cypher").glob("*.cypher")
                         if p.stem.startswith("load_") or p.stem == "set_registration_due")
    for label, keys in dump.RECORD_KEYS.items():
        written = set(sent[label][0]["props"]) | {"id"}
        for key in keys - written:
            assert f".{key} = " in statements, f"{label}.{key}: no load writes it; a restore would lose it"
