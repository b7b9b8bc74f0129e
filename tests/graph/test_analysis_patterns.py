"""Identity links, serial offenders, unidentified clusters, linked victims, search, profile and
the CLI, on small graphs in the real Neo4j."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from graphsvc import services
from graphsvc.config import Settings
from graphsvc.errors import InvalidInput, NotFound
from tests.analysis_records import incident, order, person, series


def _link(db, a: str, b: str, status: str, probability: float) -> None:  # type: ignore[no-untyped-def]
    db.execute(
        "MATCH (a:Person {id: $a}), (b:Person {id: $b}) "
        "CREATE (a)-[:POSSIBLY_SAME_AS {probability: $p, status: $s, evidence: $e, decided_by: 'test'}]->(b)",
        a=a, b=b, p=probability, s=status, e=json.dumps({"shared": ["phone"], "probability": probability}),
    )


@pytest.fixture
def linked(db, load):  # type: ignore[no-untyped-def]
    load([person(p) for p in ("A", "B", "C", "D", "E", "V1", "V2", "V3", "V4", "V5")]
         + [incident("IA", 0, "text", ["A"], ["V1"]), incident("IA2", 5, "text", ["A"], ["V1"]),
            incident("IB", 10, "text", ["B"], ["V2"]), incident("IC", 20, "text", ["C"], ["V3"]),
            incident("ID", 30, "text", ["D"], ["V4"]), incident("IE", 40, "text", ["E"], ["V5"])])
    _link(db, "A", "B", "confirmed", 0.99)
    _link(db, "A", "C", "proposed", 0.95)
    _link(db, "A", "D", "proposed", 0.5)
    _link(db, "E", "A", "rejected", 0.97)
    return db


def test_identity_links_confirmed_count_proposed_marked_rejected_never(linked) -> None:
    r = services.fixation(linked, "A")
    assert {v["victim_id"] for v in r["victims"]} == {"V1", "V2", "V3"}
    assert r["pattern"]["victim_count"] == 3
    v2 = next(v for v in r["victims"] if v["victim_id"] == "V2")
    v3 = next(v for v in r["victims"] if v["victim_id"] == "V3")
    assert "unconfirmed_links" not in v2
    assert v3["unconfirmed_incident_ids"] == ["IC"]
    assert v3["unconfirmed_links"][0]["person_id"] == "C"
    assert v3["unconfirmed_links"][0]["probability"] == 0.95
    assert v3["unconfirmed_links"][0]["evidence"]["shared"] == ["phone"]
    assert r["identity"]["confirmed_person_ids"] == ["B"]
    assert [u["person_id"] for u in r["identity"]["unconfirmed"]] == ["C"]
    # serial: the group is one perpetrator, listed once, marked
    persons = services.serial(linked, min_victims=2)["persons"]
    assert [p["person_id"] for p in persons] == ["A"]
    assert persons[0]["victim_count"] == 3 and persons[0]["person_ids"] == ["A", "B", "C"]
    assert persons[0]["identity"]["unconfirmed"][0]["probability"] == 0.95


def test_link_threshold_is_configurable(linked) -> None:  # type: ignore[no-untyped-def]
    def at(threshold: str):  # type: ignore[no-untyped-def]
        settings = Settings.from_env({"GRAPHSVC_LINK_THRESHOLD": threshold})
        return linked.with_settings(linked.settings.with_overrides(link_threshold=settings.link_threshold))

    assert services.fixation(at("0.4"), "A")["pattern"]["victim_count"] == 4  # D's proposal now counts
    assert services.fixation(at("0.99"), "A")["pattern"]["victim_count"] == 2  # confirmed only


def test_check_shows_a_confirmed_group_once(db, load) -> None:
    load([person("P1", "Gary", "Knox", phones=["07700 900321"]), person("P2", "Gary", "Knox", dob="1970-01-01"),
          person("V1"), incident("I1", 0, "text", ["P2"], ["V1"])])
    _link(db, "P1", "P2", "confirmed", 1.0)
    # by name: both records match, shown as one perpetrator (the better-scoring record, P1's name
    # and date of birth agree no less) with the other under same_person_records
    matches = services.check(db, {"given_name": "Gary", "family_name": "Knox"})["matches"]
    assert [m["person_id"] for m in matches] == ["P1"]
    assert [r["person_id"] for r in matches[0]["same_person_records"]] == ["P2"]
    assert matches[0]["incident_count"] == 1 and matches[0]["victim_count"] == 1
    # by his phone and name: P1 settles it, the names are not searched, so P2 is not a scored
    # record of this check; the group still counts P2's incident and names P2
    res = services.check(db, {"given_name": "Gary", "family_name": "Knox", "phones": ["07700900321"]})
    assert res["searched"] == ["identifiers"] and [m["person_id"] for m in res["matches"]] == ["P1"]
    assert res["matches"][0]["identity"]["confirmed_person_ids"] == ["P2"]
    assert res["matches"][0]["incident_count"] == 1 and res["matches"][0]["victim_count"] == 1


def test_check_follows_identity_links_past_the_candidates_own(db, load) -> None:
    # The check reads its candidates' links with them, then the links of the persons those reach:
    # X is linked to Y, Y to Z (neither found by the subject), so X's group is X, Y and Z.
    load([person("X", "Rhys", "Vane", phones=["07700 900654"]), person("Y", "R", "Vane"), person("Z", "Rees", "Vain"),
          person("V1"), person("V2"), incident("IY", 0, "text", ["Y"], ["V1"]), incident("IZ", 9, "text", ["Z"], ["V2"])])
    _link(db, "X", "Y", "confirmed", 1.0)
    _link(db, "Z", "Y", "confirmed", 1.0)
    res = services.check(db, {"given_name": "Rhys", "family_name": "Vane", "phones": ["07700900654"]})
    top = res["matches"][0]
    assert top["person_id"] == "X" and res["searched"] == ["identifiers"]
    assert top["identity"]["confirmed_person_ids"] == ["Y", "Z"]
    assert top["incident_count"] == 2 and top["victim_count"] == 2


def test_serial_counts_possible_victims_of_unidentified_incidents_that_used_his_identifiers(db, load) -> None:
    # P used his own phone in an incident nobody was named for, against a second victim: P is
    # listed at min_victims=2, marked, with the incident and the phone as evidence. Q shares a
    # phone with his mother (a family phone says nothing about which of them it was): not listed.
    load([person("P", "Paul", "One", phones=["07700 900301"]), person("VA"), person("VB"),
          person("Q", "Quin", "Two", phones=["07700 900302"]), person("QM", "Mum", "Two", phones=["07700 900302"]),
          person("VC"), person("VD")]
         + series("p", "P", "VA", 0, 7, ["text", "visit"]) + series("q", "Q", "VC", 0, 7, ["text", "visit"])
         + [incident("U1", 20, "text", [], ["VB"], identifiers_used={"phones": ["07700900301"]}),
            incident("U2", 20, "text", [], ["VD"], identifiers_used={"phones": ["07700900302"]})])
    listed = services.serial(db, min_victims=2)["persons"]
    assert [e["person_id"] for e in listed] == ["P"]
    entry = listed[0]
    assert entry["via_unidentified"] is True and entry["victim_count"] == 1
    assert entry["possible_victims"] == [{"victim_id": "VB", "incident_ids": ["U1"]}]
    assert entry["possible_victims_via"] == ["+447700900301"]


def test_serial_ranking_filters_and_pagination(db, load) -> None:
    load([person(p) for p in ("S3", "S2", "S1", "V1", "V2", "V3", "W1", "W2", "X1")]
         + series("a", "S3", "V1", 0, 7, ["text", "visit"]) + series("b", "S3", "V2", 30, 7, ["text"])
         + series("c", "S3", "V3", 60, 7, ["text"], source="MPS")
         + series("d", "S2", "W1", 0, 7, ["assault"]) + series("e", "S2", "W2", 10, 7, ["text"])
         + [order("ORD", "S2", ["W1"], 5), incident("BR", 12, "visit", ["S2"], ["W1"], breached_order_ids=["ORD"])]
         + series("f", "S1", "X1", 0, 7, ["text", "text"]))
    page = services.serial(db, min_victims=2)
    json.dumps(page)
    ids = [p["person_id"] for p in page["persons"]]
    assert ids == ["S2", "S3"]  # violence, a breach and an order in force outrank one more victim
    s2 = page["persons"][0]
    factors = {f["factor"]: f for f in s2["risk_factors"]}
    assert factors["violence"]["points"] == 20 and factors["breaches"]["evidence"] == ["BR"]
    assert abs(sum(f["points"] for f in s2["risk_factors"]) / 100 - s2["risk_score"]) < 1e-9
    assert page["next_cursor"] is None
    first = services.serial(db, min_victims=2, limit=1)
    second = services.serial(db, min_victims=2, limit=1, cursor=first["next_cursor"])
    assert [p["person_id"] for p in first["persons"] + second["persons"]] == ["S2", "S3"]
    assert second["next_cursor"] is None
    assert [p["person_id"] for p in services.serial(db, min_victims=3)["persons"]] == ["S3"]
    assert services.serial(db, min_victims=3, agency="WMP")["persons"] == []
    import datetime as dt
    assert [p["person_id"] for p in services.serial(db, since=dt.date(2024, 1, 20))["persons"]] == ["S3"]
    assert services.serial(db, until=dt.date(2024, 1, 5))["persons"] == []
    for bad in ({"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor"}, {"min_victims": 0},
                {"since": dt.date(2024, 2, 1), "until": dt.date(2024, 1, 1)}):
        with pytest.raises(InvalidInput):
            services.serial(db, **bad)  # type: ignore[arg-type]


def test_unidentified_clusters_and_the_bridging_identifier(db, load) -> None:
    ph = {"phones": ["07700 900001"], "vehicles": ["AB12 CDE"]}
    load([person(v) for v in ("V1", "V2", "V3", "V4", "V5", "V6")]
         + [person("NAMED", "Nate", "Named", emails=["x@example.org"]), person("OFF")]
         + [incident("U1", 0, "call", [], ["V1"], identifiers_used=ph),
            incident("U2", 5, "call", [], ["V2"], identifiers_used={**ph, "handles": [{"platform": "x", "handle": "h1"}]}),
            incident("U3", 9, "email", [], ["V3"], identifiers_used={"emails": ["x@example.org", "y@example.org"],
                                                                     "handles": [{"platform": "x", "handle": "h1"}]}),
            incident("U4", 12, "email", [], ["V4"], identifiers_used={"emails": ["x@example.org", "y@example.org"]}),
            incident("U5", 20, "text", [], ["V5"], identifiers_used={"phones": ["07700 900002"]}),
            incident("U6", 21, "text", [], ["V6"], identifiers_used={"phones": ["07700 900002"]}),
            incident("U7", 22, "text", [], ["V6"], identifiers_used={"phones": ["07700 900003"]}),
            # an identified incident with the same phone is not part of any cluster
            incident("K1", 30, "text", ["OFF"], ["V1"], identifiers_used={"phones": ["07700 900001"]})])
    result = services.unidentified(db)
    json.dumps(result)
    big, small = result["clusters"]
    assert big["incident_ids"] == ["U1", "U2", "U3", "U4"]
    assert big["bridging_identifiers"] == ["handle:x:h1"]
    assert [i["value"] for i in big["identifiers"] if i["bridging"]] == ["x:h1"]
    assert big["victim_ids"] == ["V1", "V2", "V3", "V4"]
    assert big["linked_person_ids"] == ["NAMED", "OFF"]
    named = next(p for p in big["linked_persons"] if p["person_id"] == "NAMED")
    assert named["how"] == ["own"]
    assert small["incident_ids"] == ["U5", "U6"] and small["bridging_identifiers"] == ["phone:+447700900002"]
    first = services.unidentified(db, limit=1)
    assert [c["incident_ids"][0] for c in first["clusters"]] == ["U1"]
    second = services.unidentified(db, limit=1, cursor=first["next_cursor"])
    assert [c["incident_ids"][0] for c in second["clusters"]] == ["U5"] and second["next_cursor"] is None
    with pytest.raises(InvalidInput):
        services.unidentified(db, cursor="eyJhIjoxfQ==")


def test_linked_victims_through_offender_identity_and_identifiers(db, load) -> None:
    load([person(p) for p in ("O", "O2", "V1", "V2", "V3", "V4")]
         + [incident("I1", 0, "text", ["O"], ["V1"], identifiers_used={"phones": ["07700 900010"]}),
            incident("I2", 5, "text", ["O"], ["V2"]),
            incident("I3", 9, "text", ["O2"], ["V4"]),
            incident("U1", 7, "call", [], ["V3"], identifiers_used={"phones": ["07700900010"]})])
    _link(db, "O", "O2", "proposed", 0.93)
    r = services.linked_victims(db, "V1")
    json.dumps(r)
    via = {v["victim_id"]: v["via"] for v in r["victims"]}
    assert set(via) == {"V2", "V3", "V4"}
    assert via["V2"][0]["kind"] == "same_offender" and via["V2"][0]["linked_incident_ids"] == ["I2"]
    assert via["V2"][0]["confirmed"] is True
    assert via["V4"][0]["confirmed"] is False and via["V4"][0]["unconfirmed_links"][0]["probability"] == 0.93
    assert via["V3"][0]["kind"] == "shared_identifier" and via["V3"][0]["unidentified"] is True
    assert via["V3"][0]["incident_ids"] == ["I1"] and via["V3"][0]["linked_incident_ids"] == ["U1"]
    with pytest.raises(NotFound):
        services.linked_victims(db, "NOPE")


def test_search_and_profile(db, load) -> None:
    load([person("DM", "Daniel", "Marsh", dob="1984-03-02", phones=["07700 900123"], emails=["Dan@Example.org"],
                 vehicles=["ab12 cde"]),
          person("MM", "Mary", "Marsh"), person("V1", "Vic", "Tim", addresses=[{"line1": "1 Road", "postcode": "ls11aa"}]),
          incident("I1", 0, "text", ["DM"], ["V1"]), order("O1", "DM", ["V1"], 10)])
    assert services.search(db, "+44 7700 900123")["persons"][0] == {
        **services.search(db, "+44 7700 900123")["persons"][0], "person_id": "DM", "score": 1.0, "matched_on": ["phones"]}
    assert services.search(db, "dan@example.org")["persons"][0]["person_id"] == "DM"
    assert services.search(db, "AB12CDE")["persons"][0]["person_id"] == "DM"
    fuzzy = services.search(db, "Danial Marsh")["persons"]
    assert fuzzy[0]["person_id"] == "DM" and fuzzy[0]["matched_on"] == ["name"]
    assert "MM" in {p["person_id"] for p in fuzzy}
    with pytest.raises(InvalidInput):
        services.search(db, "")
    prof = services.person_profile(db, "DM")
    json.dumps(prof)
    assert prof["roles"] == ["offender"] and prof["dob"] == "1984-03-02"
    assert prof["phones"] == ["+447700900123"] and prof["counts"]["victims"] == 1
    assert prof["orders"][0]["id"] == "O1" and prof["orders"][0]["active"] is True
    assert {f["code"] for f in prof["flags"]} == {"ACTIVE_ORDER"}
    victim = services.person_profile(db, "V1")
    assert victim["roles"] == ["victim"] and victim["orders"][0]["role"] == "protected"
    with pytest.raises(NotFound):
        services.person_profile(db, "NOPE")


def test_cli_commands_print_json_and_audit(db, load, neo4j_env) -> None:
    load([person("O", "Olga", "Ott", phones=["07700 900444"]), person("V1"), person("V2"),
          incident("I1", 0, "text", ["O"], ["V1"]), incident("I2", 3, "text", ["O"], ["V2"])])
    env = {**os.environ, **neo4j_env}
    exe = [os.path.join(os.path.dirname(sys.executable), "graphsvc")]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*exe, *args], env=env, capture_output=True, text=True, timeout=120)

    out = run("fixation", "O", "--purpose", "OP-1")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["pattern"]["victim_count"] == 2
    out = run("check", "--subject", '{"phones": ["07700900444"]}', "--purpose", "OP-1")
    assert json.loads(out.stdout)["matches"][0]["person_id"] == "O"
    out = run("serial", "--min-victims", "2", "--purpose", "OP-1")
    assert [p["person_id"] for p in json.loads(out.stdout)["persons"]] == ["O"]
    assert run("fixation", "NOPE", "--purpose", "OP-1").returncode == 2
    assert run("fixation", "O").returncode != 0  # --purpose is required
    rows = db.execute("MATCH (e:AuditEntry) WHERE e.actor STARTS WITH 'cli:' RETURN e.purpose AS purpose, "
                      "e.action AS action, e.person_ids AS ids ORDER BY e.seq")
    assert len(rows) == 4 and all(r["purpose"] == "OP-1" and r["action"] == "consultation" for r in rows)
    assert "O" in rows[0]["ids"]


def test_register_wide_jobs_are_cached_until_the_graph_changes(db, load) -> None:
    jobs = services.JobCache(ttl_s=600, wait_s=None)
    load([person(p) for p in ("O", "V1", "V2", "V3")]
         + [incident("I1", 0, "text", ["O"], ["V1"]), incident("I2", 1, "text", ["O"], ["V2"]),
            incident("U1", 2, "text", [], ["V1"], identifiers_used={"phones": ["07700 900100"]}),
            incident("U2", 3, "text", [], ["V2"], identifiers_used={"phones": ["07700 900100"]})])
    first = services.serial(db, jobs=jobs)
    assert services.serial(db, jobs=jobs) == first and first["persons"][0]["victim_count"] == 2
    assert len(services.unidentified(db, jobs=jobs)["clusters"]) == 1
    load([incident("I3", 4, "assault", ["O"], ["V3"]),
          incident("U3", 5, "text", [], ["V3"], identifiers_used={"phones": ["07700 900100"]})])
    again = services.serial(db, jobs=jobs)["persons"][0]
    assert again["victim_count"] == 3
    assert services.unidentified(db, jobs=jobs)["clusters"][0]["incident_ids"] == ["U1", "U2", "U3"]
    # an identity decision changes the answer at once, counts or not
    load([person("O2"), person("V4"), incident("J1", 6, "text", ["O2"], ["V4"])])
    assert services.serial(db, jobs=jobs)["persons"][0]["victim_count"] == 3
    _link(db, "O", "O2", "confirmed", 1.0)
    assert services.serial(db, jobs=jobs)["persons"][0]["victim_count"] == 4


def test_victim_records_joined_by_a_confirmed_link_count_once(db, load) -> None:
    load([person(p) for p in ("O", "VA", "VB", "VC")]
         + [incident("I1", 0, "text", ["O"], ["VA"]), incident("I2", 1, "text", ["O"], ["VB"]),
            incident("I3", 2, "text", ["O"], ["VC"])])
    assert services.serial(db, min_victims=3)["persons"][0]["victim_count"] == 3
    _link(db, "VA", "VB", "confirmed", 1.0)
    row = services.serial(db, min_victims=2)["persons"][0]
    assert row["victim_count"] == 2 and row["victim_ids"] == ["VA", "VC"]
    assert services.serial(db, min_victims=3)["persons"] == []
