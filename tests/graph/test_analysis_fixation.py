"""Fixation, escalation, FOUR and the cross-victim pattern on small graphs in the real Neo4j."""

from __future__ import annotations

import json

import pytest

from graphsvc import services
from graphsvc.config import Settings
from graphsvc.errors import InvalidInput, NotFound
from tests.analysis_records import incident, order, person, series


def _victim(result: dict, vid: str) -> dict:
    return next(v for v in result["victims"] if v["victim_id"] == vid)


def test_rising_stable_and_falling_trends(db, load) -> None:
    load([person("O1", "Olly", "Ray"), person("V1"), person("V2"), person("V3"),
          *series("R", "O1", "V1", 0, 7, ["text", "text", "call", "visit", "damage", "assault"]),
          *series("S", "O1", "V2", 0, 7, ["text"] * 6),
          *series("F", "O1", "V3", 0, 7, ["assault", "threat", "damage", "visit", "call", "text"])])
    result = services.fixation(db, "O1")
    json.dumps(result)
    assert _victim(result, "V1")["escalation"]["trend"] == "rising"
    assert _victim(result, "V1")["escalation"]["severity"]["p"] < 0.05
    assert _victim(result, "V2")["escalation"]["trend"] == "stable"
    assert _victim(result, "V3")["escalation"]["trend"] == "falling"
    v1 = _victim(result, "V1")
    assert v1["incident_count"] == 6 and v1["span_days"] == 35
    assert v1["types"] == {"assault": 1, "call": 1, "damage": 1, "text": 2, "visit": 1}
    assert v1["remote_to_physical"]["shifted"] is True
    assert v1["remote_to_physical"]["first_physical"] == "R3"
    assert v1["first_contact"].startswith("2024-01-01") and v1["last_contact"].startswith("2024-02-05")
    assert _victim(result, "V3")["remote_to_physical"]["shifted"] is False


def test_frequency_rising_alone_makes_a_rising_trend(db, load) -> None:
    # the same kind of contact, more often each week: 1, 1, 2, 3, 4, 6 texts in weeks 0-5
    days = [0, 7, 14, 15, 21, 22, 23, 28, 29, 30, 31, 35, 36, 37, 38, 39, 40]
    load([person("O1"), person("V1")] + [incident(f"T{n}", d, "text", ["O1"], ["V1"]) for n, d in enumerate(days)])
    esc = _victim(services.fixation(db, "O1"), "V1")["escalation"]
    assert esc["severity"]["trend"] == "stable"
    assert esc["frequency"]["trend"] == "rising"
    assert esc["trend"] == "rising"


def test_four_criteria_each_met_and_not_met(db, load) -> None:
    load([
        person("O1"), person("VA"), person("VB"), person("VC"), person("VD"),
        # VA: 3 incidents over 20 days, 3 kinds, an order protecting VA -> all four
        incident("A1", 0, "text", ["O1"], ["VA"]), incident("A2", 10, "call", ["O1"], ["VA"]),
        incident("A3", 20, "visit", ["O1"], ["VA"], breached_order_ids=["OA"]), order("OA", "O1", ["VA"], 5),
        # VB: 3 texts within 5 days -> not fixated; 3/week -> obsessive; her report -> unwanted
        incident("B1", 0, "text", ["O1"], ["VB"]), incident("B2", 2, "text", ["O1"], ["VB"]),
        incident("B3", 5, "text", ["O1"], ["VB"]),
        # VC: 2 incidents the same day -> not repeated; contact after the first was reported -> unwanted
        incident("C1", "2024-03-01T09:00:00", "text", ["O1"], ["VC"], reported_at="2024-03-01T10:00:00"),
        incident("C2", "2024-03-01T18:00:00", "text", ["O1"], ["VC"]),
        # VD: 2 letters 60 days apart -> repeated but not obsessive (0.23/week, 1 kind)
        incident("D1", 0, "letter", ["O1"], ["VD"]), incident("D2", 60, "letter", ["O1"], ["VD"]),
    ])
    r = services.fixation(db, "O1")
    a, b, c, d = (_victim(r, v) for v in ("VA", "VB", "VC", "VD"))
    assert a["four"] == {"fixated": True, "obsessive": True, "unwanted": True, "repeated": True}
    assert a["four_met"] is True
    assert "OA" in a["four_detail"]["unwanted"]["evidence"]
    assert [o["id"] for o in a["orders"]] == ["OA"]
    # A2 and A3 happened while OA was in force: A3's breach was recorded, A2's is inferred
    assert {(x["incident_id"], x["order_id"], x["recorded"]) for x in a["breaches"]} == {
        ("A2", "OA", False), ("A3", "OA", True)}
    assert b["four"] == {"fixated": False, "obsessive": True, "unwanted": True, "repeated": True}
    assert b["four_detail"]["unwanted"]["evidence"] == ["B1", "B2", "B3"]  # her reports (defect 8)
    assert c["four"]["repeated"] is False and c["four"]["unwanted"] is True
    assert c["four_detail"]["unwanted"]["evidence"] == ["C2", "C1"]  # after the report first
    assert d["four"]["repeated"] is True and d["four"]["obsessive"] is False and d["four"]["fixated"] is False


def test_four_thresholds_are_configurable(db, load) -> None:
    load([person("O1"), person("V1"), *series("X", "O1", "V1", 0, 3, ["text", "text", "text"])])
    assert _victim(services.fixation(db, "O1"), "V1")["four"]["fixated"] is False
    settings = Settings.from_env({"GRAPHSVC_FIXATED_MIN_SPAN_DAYS": "5"})
    r = services.fixation(db.with_settings(db.settings.with_overrides(thresholds=settings.thresholds)), "O1")
    assert _victim(r, "V1")["four"]["fixated"] is True
    assert r["thresholds"]["fixated_min_span_days"] == 5


def test_concurrent_against_sequential_victims(db, load) -> None:
    load([
        person("OC"), person("OS"), person("V1"), person("V2"), person("V3"),
        # OC: V1 days 0-60 and V2 days 30-90 overlap
        *series("C1-", "OC", "V1", 0, 30, ["text", "text", "visit"]),
        *series("C2-", "OC", "V2", 30, 30, ["call", "call", "visit"]),
        # OS: V1 days 0-20, an order protecting V1 on day 25, V3 from day 100
        *series("S1-", "OS", "V1", 0, 10, ["text", "text", "text"]),
        order("OS-ORD", "OS", ["V1"], 25),
        *series("S3-", "OS", "V3", 100, 10, ["text", "visit"]),
    ])
    conc = services.fixation(db, "OC")["pattern"]
    assert conc["max_concurrent_victims"] == 2
    assert conc["sequence"] == ["V1", "V2"]
    assert conc["serial"] is True and conc["victim_count"] == 2
    assert conc["gaps"][0]["gap_days"] < 0
    seq = services.fixation(db, "OS")["pattern"]
    assert seq["max_concurrent_victims"] == 1
    assert seq["sequence"] == ["V1", "V3"]
    assert seq["gaps"] == [{"from_victim": "V1", "to_victim": "V3", "gap_days": 80}]
    assert [(a["victim_id"], a["order_id"]) for a in seq["new_fixation_after_order"]] == [("V3", "OS-ORD")]
    assert seq["new_fixation_after_order"][0]["days_after_order"] == 75


def test_single_victim_is_not_serial_and_unknown_person_is_not_found(db, load) -> None:
    load([person("O1"), person("V1"), incident("I1", 0, "text", ["O1"], ["V1"])])
    r = services.fixation(db, "O1")
    assert r["pattern"]["serial"] is False and r["pattern"]["max_concurrent_victims"] == 1
    assert r["victims"][0]["escalation"]["trend"] == "stable"
    with pytest.raises(NotFound):
        services.fixation(db, "NOBODY")
    # on the register but never an offender: an empty answer, not a 404
    assert services.fixation(db, "V1")["victims"] == []
    with pytest.raises(InvalidInput):
        services.fixation(db, "bad id!")
