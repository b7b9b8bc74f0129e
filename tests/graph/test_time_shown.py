"""Contract section 9: a date-time is kept as recorded and shown in Europe/London with its
offset, so an incident never moves to another day; dates stay dates (issue #17, defect 2).

The register: an incident at 00:55 on 22 August 2024 recorded without an offset (British Summer
Time: 23:55 UTC the day before), one at 23:30 UTC on 10 January 2024 (GMT: the same wall clock),
one at 10:00 BST the same 22 August, and one known only to the day. Everything is loaded
through the real pipeline and read back through the services and exports an analyst uses.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from lxml import etree

from graphsvc import services
from graphsvc.cli import main
from graphsvc.graph.fingerprint import fingerprint
from graphsvc.services.exports import export_network, person_network

try:
    from tests.analysis_records import incident, person
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from analysis_records import incident, person  # type: ignore[no-redef]

NIGHT = "2024-08-22T00:55:00+01:00"  # recorded as 2024-08-22T00:55, naive: London local time
WINTER = "2024-01-10T23:30:00+00:00"  # recorded as 2024-01-10T23:30:00Z
MORNING = "2024-08-22T10:00:00+01:00"  # recorded as 2024-08-22T09:00:00Z

RECORDS = [
    person("O1", "Dean", "Rook"), person("V1", "Ann", "Lee"), person("V2", "Bea", "Moss"),
    incident("I-NIGHT", "2024-08-22T00:55", "call", ["O1"], ["V1"]),
    incident("I-MORNING", "2024-08-22T09:00:00Z", "text", ["O1"], ["V1"]),
    incident("I-WINTER", "2024-01-10T23:30:00Z", "call", ["O1"], ["V2"]),
    incident("I-DAY", "2024-03-05", "letter", ["O1"], ["V2"]),
]


@pytest.fixture
def register(db, load):  # type: ignore[no-untyped-def]
    summary = load(RECORDS)
    assert summary.rejected_records == 0, summary.rejects
    return db


def _victim(answer: dict, victim_id: str) -> dict:
    return next(v for v in answer["victims"] if v["victim_id"] == victim_id)


def test_fixation_shows_london_times_and_dates(register) -> None:  # type: ignore[no-untyped-def]
    answer = services.fixation(register, "O1")
    v1, v2 = _victim(answer, "V1"), _victim(answer, "V2")
    assert (v1["first_contact"], v1["last_contact"]) == (NIGHT, MORNING)
    assert v2["first_contact"] == WINTER
    assert v2["last_contact"] == "2024-03-05"  # known only to the day: a date, not UTC midnight
    assert answer["pattern"]["gaps"][0]["from_victim"] == "V2"


def test_repeated_counts_london_days(register) -> None:  # type: ignore[no-untyped-def]
    # 00:55 and 10:00 on 22 August in London are one occasion, though their UTC days differ
    v1 = _victim(services.fixation(register, "O1"), "V1")
    repeated = v1["four_detail"]["repeated"]
    assert repeated["occasions"] == 1
    assert repeated["met"] is False
    assert v1["four"]["repeated"] is False


def test_serial_shows_london_times(register) -> None:  # type: ignore[no-untyped-def]
    entry = next(p for p in services.serial(register, min_victims=2)["persons"] if p["person_id"] == "O1")
    assert (entry["first_incident"], entry["last_incident"]) == (WINTER, MORNING)


def test_serial_since_is_the_london_day(register) -> None:  # type: ignore[no-untyped-def]
    # since 22 August: both of V1's incidents (00:55 BST is 21 August in UTC) and none of V2's
    answer = services.serial(register, min_victims=1, since=dt.date(2024, 8, 22))
    entry = next(p for p in answer["persons"] if p["person_id"] == "O1")
    assert entry["incident_count"] == 2
    assert entry["first_incident"] == NIGHT


def _nodes_csv(db) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    content, _ = export_network(db, "O1", 1, "csv", "investigator", "pc.tester")
    text = zipfile.ZipFile(io.BytesIO(content)).read("nodes.csv").decode("utf-8-sig")
    return {row["record_id"]: row for row in csv.DictReader(io.StringIO(text)) if row["record_id"]}


def test_csv_export_shows_london_times_and_dates(register) -> None:  # type: ignore[no-untyped-def]
    rows = _nodes_csv(register)
    assert rows["I-NIGHT"]["occurred_at"] == NIGHT
    assert rows["I-WINTER"]["occurred_at"] == WINTER
    assert rows["I-DAY"]["occurred_at"] == "2024-03-05"
    assert rows["I-NIGHT"]["label"].startswith("call 2024-08-22")


def test_anx_export_labels_and_dates_the_london_day(register) -> None:  # type: ignore[no-untyped-def]
    content, _ = export_network(register, "O1", 1, "anx", "investigator", "pc.tester")
    items = {ci.get("Label"): ci for ci in etree.fromstring(content).iter("ChartItem")}
    night = next(ci for label, ci in items.items() if label and "I-NIGHT" in label)
    assert night.get("Label") == "call 2024-08-22 (I-NIGHT)"
    assert night.get("DateTime") == "2024-08-22T00:55:00"
    winter = next(ci for label, ci in items.items() if label and "I-WINTER" in label)
    assert winter.get("Label") == "call 2024-01-10 (I-WINTER)"
    assert winter.get("DateTime") == "2024-01-10T23:30:00"
    day = next(ci for label, ci in items.items() if label and "I-DAY" in label)
    assert day.get("DateTime") == "2024-03-05T00:00:00" and day.get("TimeSet") == "false"


def test_dump_keeps_the_recorded_offset_and_reloads_identically(register, tmp_path, neo4j_env) -> None:  # type: ignore[no-untyped-def]
    before = fingerprint(register)
    out = tmp_path / "dump.jsonl"
    runner = CliRunner()
    result = runner.invoke(main, ["dump", "-o", str(out)], env=neo4j_env)
    assert result.exit_code == 0, result.output
    lines = list(map(json.loads, out.read_text(encoding="utf-8").splitlines()))
    dumped = {r["id"]: r for r in lines if r["kind"] == "incident"}  # the record lines (format version 2)
    assert dumped["I-NIGHT"]["occurred_at"] == NIGHT  # London's offset, as a naive time is read
    assert dumped["I-WINTER"]["occurred_at"] == WINTER  # the offset recorded (Z)
    assert dumped["I-MORNING"]["occurred_at"] == "2024-08-22T09:00:00+00:00"
    assert dumped["I-DAY"]["occurred_at"] == "2024-03-05"
    register.execute("MATCH (n) DETACH DELETE n")
    result = runner.invoke(main, ["restore", str(out)], env=neo4j_env)
    assert result.exit_code == 0, result.output
    assert fingerprint(register) == before


@pytest.mark.parametrize("fmt", ["cytoscape", "graphml", "gexf", "svg"])
def test_other_exports_carry_the_london_time_or_day(register, fmt: str) -> None:  # type: ignore[no-untyped-def]
    content, _ = export_network(register, "O1", 1, fmt, "investigator", "pc.tester")
    text = content.decode("utf-8")
    if fmt == "svg":  # a picture: the labels carry the London day
        assert "call 2024-08-22 (I-NIGHT)" in text and "2024-08-21" not in text
        return
    assert NIGHT in text and WINTER in text and "2024-08-21" not in text


def test_an_export_says_when_it_was_made_in_london_time(register) -> None:  # type: ignore[no-untyped-def]
    net = person_network(register, "O1", 1, "investigator", "pc.tester")
    made = dt.datetime.fromisoformat(net.provenance["exported_at"])
    london = made.astimezone(ZoneInfo("Europe/London"))
    assert made.utcoffset() == london.utcoffset() and not net.provenance["exported_at"].endswith("Z")
    assert abs((made - dt.datetime.now(dt.UTC)).total_seconds()) < 120
