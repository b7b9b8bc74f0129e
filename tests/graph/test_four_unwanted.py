"""FOUR's "unwanted" counts the victim's report (issue #17, defect 8): every incident on the
register is a complaint by or for its victim, and the College of Policing reads the victim's
report as evidence the contact is unwanted."""

from __future__ import annotations

from graphsvc import services

try:
    from tests.analysis_records import incident, order, person
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from analysis_records import incident, order, person  # type: ignore[no-redef]

# Twelve incidents against one woman, from calls and texts to visits and a threat; no order,
# no breach, no reported_at, no sanction.
ESCALATION = ["call", "call", "text", "text", "call", "text", "social_media", "text", "visit", "loitering",
              "visit", "threat"]


def _victim(answer: dict, victim_id: str) -> dict:
    return next(v for v in answer["victims"] if v["victim_id"] == victim_id)


def test_her_report_makes_the_contact_unwanted(db, load) -> None:  # type: ignore[no-untyped-def]
    ids = [f"E{n:02d}" for n in range(len(ESCALATION))]
    load([person("O1"), person("V1")]
         + [incident(i, 6 * n, kind, ["O1"], ["V1"]) for n, (i, kind) in enumerate(zip(ids, ESCALATION))])
    v1 = _victim(services.fixation(db, "O1"), "V1")
    unwanted = v1["four_detail"]["unwanted"]
    assert unwanted["met"] is True
    assert v1["four"]["unwanted"] is True
    assert unwanted["evidence"] == ids
    assert "the victim reported the conduct (12 incidents recorded for her)" in unwanted["reason"]
    assert v1["four_met"] is True


def test_stronger_evidence_comes_first_and_stays_named(db, load) -> None:  # type: ignore[no-untyped-def]
    load([person("O1"), person("V1"), order("OR", "O1", ["V1"], 3),
          incident("A1", 0, "text", ["O1"], ["V1"]),
          incident("A2", 10, "visit", ["O1"], ["V1"], breached_order_ids=["OR"]),
          incident("A3", 20, "threat", ["O1"], ["V1"], outcome="charged")])
    unwanted = _victim(services.fixation(db, "O1"), "V1")["four_detail"]["unwanted"]
    assert unwanted["evidence"] == ["OR", "A2", "A3", "A1"]
    assert unwanted["reason"].split("; ") == [
        "an order protects the victim from this person", "contact breached an order",
        "a caution, charge or conviction followed", "the victim reported the conduct (3 incidents recorded for her)"]
