"""One count of victims (issue #17, defect 1): two records of one woman joined by an identity
link are one victim in the profile, its flags, fixation, the timeline, serial and the check."""

from __future__ import annotations

import json

import pytest

from graphsvc import services
from graphsvc.services.timeline import timeline
from tests.analysis_records import incident, order, person


def _link(db, a: str, b: str, status: str, probability: float) -> None:  # type: ignore[no-untyped-def]
    db.execute(
        "MATCH (a:Person {id: $a}), (b:Person {id: $b}) "
        "CREATE (a)-[:POSSIBLY_SAME_AS {probability: $p, status: $s, evidence: $e, decided_by: 'test'}]->(b)",
        a=a, b=b, p=probability, s=status, e=json.dumps({"shared": ["dob"], "probability": probability}),
    )


def _serial_offender(load) -> None:  # type: ignore[no-untyped-def]
    """SO offends against five women; the fifth is on the register twice (V5A in WMP, V5B in MPS)."""
    load([person("SO", "Sean", "Orr"), person("V1", "Ann", "One"), person("V2", "Bea", "Two"),
          person("V3", "Cat", "Three"), person("V4", "Dee", "Four"),
          person("V5A", "Eve", "Five", dob="1990-05-05"), person("V5B", "Eve", "Five", source="MPS", dob="1990-05-05"),
          incident("I1", 0, "call", ["SO"], ["V1"]), incident("I2", 10, "text", ["SO"], ["V2"]),
          incident("I3", 20, "visit", ["SO"], ["V3"]), incident("I4", 30, "call", ["SO"], ["V4"]),
          incident("I5", 40, "text", ["SO"], ["V5A"]), incident("I6", 50, "visit", ["SO"], ["V5B"], source="MPS"),
          incident("I7", 60, "call", ["SO"], ["V5B"], source="MPS"),
          order("O5", "SO", ["V5B"], 45)])


@pytest.mark.parametrize("status, probability", [("confirmed", 1.0), ("proposed", 0.95)])
def test_two_linked_records_of_one_victim_count_once_everywhere(db, load, status, probability) -> None:  # type: ignore[no-untyped-def]
    _serial_offender(load)
    _link(db, "V5A", "V5B", status, probability)
    proposed = status == "proposed"

    profile = services.person_profile(db, "SO")
    assert profile["counts"]["victims"] == 5
    multiple = next(f for f in profile["flags"] if f["code"] == "MULTIPLE_VICTIMS")
    assert multiple["message"].startswith("5 distinct victims")
    assert ("proposed identity link" in multiple["message"]) is proposed
    assert (profile["victim_count_note"] is not None) is proposed

    fix = services.fixation(db, "SO")
    assert fix["pattern"]["victim_count"] == 5
    assert [v["victim_id"] for v in fix["victims"]] == ["V1", "V2", "V3", "V4", "V5A"]
    eve = fix["victims"][-1]
    assert eve["record_ids"] == ["V5A", "V5B"] and eve["proposed"] is proposed
    assert eve["incident_ids"] == ["I5", "I6", "I7"] and eve["incident_count"] == 3
    # the order protects her MPS record: it protects her, and I7 (after it) breaches it
    assert [o["id"] for o in eve["orders"]] == ["O5"]
    assert {b["incident_id"] for b in eve["breaches"]} == {"I6", "I7"}
    assert fix["pattern"]["proposed_victim_ids"] == (["V5A"] if proposed else [])

    tl = timeline(db, "SO")
    assert [r["victim_id"] for r in tl["rows"]] == ["V1", "V2", "V3", "V4", "V5A"]
    assert tl["victim_count"] == 5
    assert tl["rows"][-1]["record_ids"] == ["V5A", "V5B"] and tl["rows"][-1]["proposed"] is proposed

    serial = services.serial(db, min_victims=2)["persons"]
    assert [(p["person_id"], p["victim_count"]) for p in serial] == [("SO", 5)]
    assert serial[0]["proposed_victim_ids"] == (["V5A"] if proposed else [])

    match = services.check(db, {"given_name": "Sean", "family_name": "Orr"})["matches"][0]
    assert match["person_id"] == "SO" and match["victim_count"] == 5


def test_a_rejected_or_weak_link_keeps_the_records_apart(db, load) -> None:  # type: ignore[no-untyped-def]
    _serial_offender(load)
    _link(db, "V5A", "V5B", "rejected", 0.99)
    assert services.person_profile(db, "SO")["counts"]["victims"] == 6
    assert services.fixation(db, "SO")["pattern"]["victim_count"] == 6
    assert services.serial(db, min_victims=2)["persons"][0]["victim_count"] == 6
    assert len(timeline(db, "SO")["rows"]) == 6


def test_linked_victims_lists_the_other_victims_once(db, load) -> None:  # type: ignore[no-untyped-def]
    _serial_offender(load)
    _link(db, "V5A", "V5B", "confirmed", 1.0)
    # seen from V1: the other victims of SO are four women, the fifth once with her two records
    linked = services.linked_victims(db, "V1")["victims"]
    assert [v["victim_id"] for v in linked] == ["V2", "V3", "V4", "V5A"]
    assert linked[-1]["record_ids"] == ["V5A", "V5B"]
    # seen from one of her records, her other record is not another victim
    assert "V5A" not in [v["victim_id"] for v in services.linked_victims(db, "V5B")["victims"]]
