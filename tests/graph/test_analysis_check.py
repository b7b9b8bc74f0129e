"""The intake check: candidates, scores, ranking of namesakes and every flag, in the real Neo4j."""

from __future__ import annotations

import json

import pytest

from graphsvc import services
from graphsvc.analysis.matching import DeterministicScorer, dob_agreement, normalise_subject
from graphsvc.errors import InvalidInput
from tests.analysis_records import incident, order, person, series


def _flags(match: dict) -> dict[str, list[str]]:
    return {f["code"]: f["evidence"] for f in match["flags"]}


@pytest.fixture
def marsh(load):  # type: ignore[no-untyped-def]
    load([
        person("DM", "Daniel", "Marsh", dob="1984-03-02", phones=["07700 900123"],
               handles=[{"platform": "instagram", "handle": "dmarsh"}]),
        person("V1", "Vera", "One"), person("V2", "Val", "Two"), person("X", "Xavier", "Other"),
        *series("R", "DM", "V1", 0, 7, ["text", "text", "call", "visit", "damage", "assault"]),
        order("OLD", "DM", ["V1"], 50, 100),
        order("NEW", "DM", ["V2"], 200),
        incident("B1", 210, "visit", ["DM"], ["V2"], breached_order_ids=["NEW"]),
        incident("T1", 220, "threat", ["DM"], ["V2"]),
        # the same phone used where no perpetrator was identified
        incident("U1", 300, "call", [], ["X"], identifiers_used={"phones": ["+447700900123"]}),
    ])


def test_identifier_and_nickname_find_him_with_every_flag(db, marsh) -> None:
    result = services.check(db, {"given_name": "Danny", "family_name": "Marsh", "phones": ["07700 900123"]},
                            complainant_id="V2")
    json.dumps(result)
    top = result["matches"][0]
    assert top["person_id"] == "DM"
    assert top["score"] > 0.95 and top["confident"] is True
    assert {"phones", "given_name", "family_name"} <= set(top["matched_on"])
    assert top["victim_count"] == 2 and top["incident_count"] == 8
    assert {(o["id"], o["active"]) for o in top["orders"]} == {("OLD", False), ("NEW", True)}
    flags = _flags(top)
    assert flags["PRIOR_ORDER"] == ["OLD"]
    assert flags["ACTIVE_ORDER"] == ["NEW"]
    assert flags["ORDER_BREACH"] == ["B1", "NEW"]
    assert set(flags["MULTIPLE_VICTIMS"]) == {"R0", "B1"}
    assert set(flags["ESCALATION"]) == {f"R{n}" for n in range(6)}
    assert flags["VIOLENCE"] == ["R5", "T1"]
    assert flags["LINKED_UNIDENTIFIED"] == ["U1"]
    assert "complainant" in next(f["message"] for f in top["flags"] if f["code"] == "ACTIVE_ORDER")


def test_flags_absent_when_not_earned(db, load) -> None:
    load([person("Q", "Quiet", "Person", phones=["07700 900555"]), person("V1"),
          incident("Q1", 0, "text", ["Q"], ["V1"])])
    top = services.check(db, {"phones": ["+44 7700 900555"]})["matches"][0]
    assert top["person_id"] == "Q" and top["flags"] == []


def test_handle_and_dob_transposition(db, marsh) -> None:
    top = services.check(db, {"handles": [{"platform": "Instagram", "handle": "@DMarsh"}]})["matches"][0]
    assert top["person_id"] == "DM" and "handles" in top["matched_on"]
    by_dob = services.check(db, {"family_name": "Marsh", "dob": "1984-02-03"})["matches"][0]
    assert by_dob["person_id"] == "DM" and "dob_transposed" in by_dob["matched_on"]


def test_namesakes_ranked_by_dob_and_a_common_name_alone_is_not_confident(db, load) -> None:
    load([person(f"JS{n}", "John", "Smith", dob=d) for n, d in
          enumerate(["1980-05-06", "1980-06-05", "1975-01-01", None])]
         + [person(f"S{n}", "Sam", "Smith") for n in range(20)]
         + [person("JS-PHONE", "Jon", "Smyth", phones=["07700 900777"])])
    res = services.check(db, {"given_name": "John", "family_name": "Smith", "dob": "1980-05-06"}, limit=50)["matches"]
    order = [m["person_id"] for m in res]
    assert order[:3] == ["JS0", "JS1", "JS3"]  # exact dob, transposed dob, unknown dob
    assert order.index("JS3") < order.index("JS2")  # unknown dob beats a conflicting one
    assert res[0]["confident"] is True
    name_only = services.check(db, {"given_name": "John", "family_name": "Smith"})["matches"]
    assert {m["person_id"] for m in name_only[:4]} == {"JS0", "JS1", "JS2", "JS3"}
    assert all(m["score"] <= 0.6 and not m["confident"] for m in name_only)
    # a shared identifier plus a compatible name ranks above name and dob
    both = services.check(db, {"given_name": "John", "family_name": "Smith", "dob": "1980-05-06",
                               "phones": ["07700900777"]})["matches"]
    assert both[0]["person_id"] == "JS-PHONE"


def test_complainant_contact_breaks_a_tie(db, load) -> None:
    load([person("A", "Mark", "Jones"), person("B", "Mark", "Jones"), person("C", "Cara", "Vic"),
          incident("I1", 0, "text", ["B"], ["C"])])
    res = services.check(db, {"given_name": "Mark", "family_name": "Jones"}, complainant_id="C")["matches"]
    assert res[0]["person_id"] == "B" and "complainant" in res[0]["matched_on"]


def test_complainant_contact_evidence_is_the_incidents_and_orders_between_them(db, load) -> None:
    # B offended against the complainant twice (and against someone else once), D is restrained
    # from contacting her; A never met her. The evidence names exactly those records.
    load([person("A", "Mark", "Jones"), person("B", "Mark", "Jones"), person("D", "Mark", "Jones"),
          person("C", "Cara", "Vic"), person("X", "Xena", "Other"),
          incident("I2", 3, "text", ["B"], ["C"]), incident("I1", 0, "text", ["B"], ["C"]),
          incident("I3", 5, "text", ["B"], ["X"]), incident("I4", 6, "text", ["A"], ["X"]),
          order("O1", "D", ["C"], 1, 400), order("O2", "A", ["X"], 1, 400)])
    res = services.check(db, {"given_name": "Mark", "family_name": "Jones"}, complainant_id="C")["matches"]
    evidence = {m["person_id"]: m["score_parts"].get("complainant", {}).get("evidence") for m in res}
    assert evidence == {"B": ["I1", "I2"], "D": ["O1"], "A": None}
    assert [m["person_id"] for m in res][2] == "A"  # the only one with no contact ranks last


def test_check_input_is_validated(db) -> None:
    with pytest.raises(InvalidInput):
        services.check(db, {})
    with pytest.raises(InvalidInput):
        services.check(db, {"given_name": "A"}, limit=0)
    with pytest.raises(InvalidInput):
        services.check(db, {"given_name": "A"}, limit=500)
    with pytest.raises(InvalidInput):
        services.check(db, {"given_name": "A"}, complainant_id="no spaces allowed")
    assert services.check(db, {"given_name": "Nobody"})["matches"] == []


def test_scorer_units() -> None:
    s = DeterministicScorer()
    subj = normalise_subject({"given_name": "Dan", "family_name": "Marsh", "dob": "1984-03-02"})
    same = s.score_one(subj, {"person_id": "a", "given_name": "Daniel", "family_name": "Marsh", "dob": subj["dob"]})
    other = s.score_one(subj, {"person_id": "b", "given_name": "Peter", "family_name": "Quill",
                               "phones": [], "dob": None})
    assert same.score > 0.9 and other.score < 0.05
    import datetime as dt
    assert dob_agreement(dt.date(1984, 3, 2), dt.date(1984, 2, 3)) == "transposed"
    assert dob_agreement(dt.date(1984, 3, 2), dt.date(1984, 3, 3)) == "near"
    assert dob_agreement(dt.date(1984, 3, 2), dt.date(1990, 7, 9)) == "conflict"
    assert dob_agreement(None, dt.date(1990, 7, 9)) is None


def test_a_trained_model_can_replace_the_scorer(db, load) -> None:
    from graphsvc.analysis.matching import LinkageScorer

    load([person("A", "Ann", "Lee", phones=["07700 900888"]), person("B", "Ann", "Lee")])
    seen: list[list[dict]] = []

    def model(subject: dict, candidates: list[dict]) -> list[tuple[str, float, dict]]:
        seen.append(candidates)
        assert subject["phones"] == ["+447700900888"]
        return [(c["id"], 0.97, {"phones": {"level": "exact", "match_weight": 9.0}}) if c.get("phones")
                else (c["id"], 0.2, {"given_name": {"level": "exact", "match_weight": 2.0}}) for c in candidates]

    res = services.check(db, {"given_name": "Ann", "family_name": "Lee", "phones": ["07700900888"]},
                         scorer=LinkageScorer(model))
    assert [(m["person_id"], m["score"], m["confident"]) for m in res["matches"]] == [("A", 0.97, True), ("B", 0.2, False)]
    # the phone's person first; a phone match with no agreeing name or birth date does not settle
    # it, so the names were searched too and the model saw everyone
    assert [{c["id"] for c in s} for s in seen] == [{"A"}, {"A", "B"}]
    assert res["searched"] == ["identifiers", "names"]


def test_a_corroborated_identifier_match_skips_the_name_search(db, load) -> None:
    # A shared phone and an agreeing name rank first whatever else is found (the intake rule), so
    # the check does not search names and dates of birth: the namesakes it would have found rank
    # below and are not listed. Without the agreeing name, they are.
    from graphsvc.analysis.matching import LinkageScorer

    load([person("A", "Ann", "Lee", dob="1980-01-02", phones=["07700 900888"]),
          person("B", "Ann", "Lee", dob="1980-01-02"), person("C", "Anne", "Lee")])
    seen: list[set[str]] = []

    def model(subject: dict, candidates: list[dict]) -> list[tuple[str, float, dict]]:
        seen.append({c["id"] for c in candidates})
        return [(c["id"], 0.99 if c.get("phones") else 0.5,
                 {"given_name": {"level": "exact", "match_weight": 2.0},
                  **({"phones": {"level": "exact", "match_weight": 9.0}} if c.get("phones") else {})})
                for c in candidates]

    res = services.check(db, {"given_name": "Ann", "family_name": "Lee", "dob": "1980-01-02",
                              "phones": ["07700900888"]}, scorer=LinkageScorer(model))
    assert [m["person_id"] for m in res["matches"]] == ["A"] and res["matches"][0]["confident"]
    assert seen == [{"A"}] and res["searched"] == ["identifiers"] and res["candidates_considered"] == 1
    # the same subject with a phone nobody has: names and the date of birth are searched
    seen.clear()
    res = services.check(db, {"given_name": "Ann", "family_name": "Lee", "dob": "1980-01-02",
                              "phones": ["07700900111"]}, scorer=LinkageScorer(model))
    assert seen == [{"A", "B", "C"}] and res["searched"] == ["identifiers", "names", "dob"]
    assert {m["person_id"] for m in res["matches"]} == {"A", "B", "C"}


def test_model_scorer_hands_what_it_cannot_compare_to_the_rules(db, load) -> None:
    # The default (model) scorer compares records with a name or an identifier. A subject of only
    # a date of birth, or a candidate known only as a placeholder (named in an incident, no record
    # of its own yet), is scored by the rule scorer and marked; the check never fails on them.
    load([person("DOB", "Dora", "Byrne", dob="1977-07-19"),
          incident("IG", 0, "call", ["GHOST"], ["VG"], identifiers_used={"phones": ["07700 900404"]}),
          person("VG")])
    answer = services.check(db, {"dob": "1977-07-19"})
    assert answer["scorer"].startswith("model:")
    top = answer["matches"][0]
    assert top["person_id"] == "DOB" and top["score_parts"]["scorer"].startswith("deterministic")
    ghost = services.check(db, {"phones": ["07700900404"]})["matches"]
    assert [m["person_id"] for m in ghost] == ["GHOST"] and "phones" in ghost[0]["matched_on"]
    assert ghost[0]["score_parts"]["scorer"].startswith("deterministic")
    assert services.check(db, {"given_name": "*"})["matches"] == []


def test_date_of_birth_candidates_share_a_name_initial(db, load) -> None:
    # Born the same day is a candidate only with the initial of a given or family name in common
    # (the linkage model's blocking rule), nicknames counted both ways; a subject known only by
    # the date of birth is compared with everyone born that day.
    load([person("SAME-DAY", "Zed", "Xu", dob="1981-05-17"), person("FAMILY-L", "Carl", "Lane", dob="1981-05-17"),
          person("NICK-B", "Bob", "Quist", dob="1981-05-17"), person("OTHER-DAY", "Ann", "Lee", dob="1990-01-01")])
    named = services.check(db, {"given_name": "Robert", "family_name": "Lee", "dob": "1981-05-17"})
    assert {m["person_id"] for m in named["matches"]} >= {"FAMILY-L", "NICK-B"}
    assert "SAME-DAY" not in {m["person_id"] for m in named["matches"]}
    unnamed = services.check(db, {"dob": "1981-05-17"})
    assert {m["person_id"] for m in unnamed["matches"]} == {"SAME-DAY", "FAMILY-L", "NICK-B"}
