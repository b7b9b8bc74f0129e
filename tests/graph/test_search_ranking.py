"""Search (issue #17, defect 4): the subject's exact name ranks first, clearly above namesakes,
with its date of birth and its linked records grouped into one result."""

from __future__ import annotations

import datetime as dt
import json

from graphsvc import services
from tests.analysis_records import person
from tests.audited_reads import audited, investigator


def _register(db, load) -> None:  # type: ignore[no-untyped-def]
    load([person("SO1", "Sean", "Orr", dob="1980-01-02", phones=["07700 900111"]),
          person("SO2", "Sean", "Orr", source="MPS", dob="1980-01-02"),  # his other record, proposed link
          person("SO3", "Sean", "Orr", dob="1975-06-30"),  # a namesake with the full name, another dob
          person("N1", "Sean", "Smith"), person("N2", "Peter", "Orr"), person("N3", "Mary", "Orr"),
          person("N4", "Sean", "Orrell"), person("N5", "Seán", "Murphy"), person("N6", "Shaun", "Orr")])
    db.execute("MATCH (a:Person {id: 'SO1'}), (b:Person {id: 'SO2'}) "
               "CREATE (a)-[:POSSIBLY_SAME_AS {probability: 0.95, status: 'proposed', evidence: $e}]->(b)",
               e=json.dumps({"shared": ["name", "dob"]}))


def test_a_linked_record_is_named_with_its_agency_even_when_only_its_partner_matched(db, load) -> None:  # type: ignore[no-untyped-def]
    _register(db, load)
    (hit,) = services.search(db, "07700 900111")["persons"]  # SO1's phone: SO2 matches nothing itself
    assert (hit["person_id"], hit["source"], hit["given_name"]) == ("SO1", "WMP", "Sean")
    (linked,) = hit["linked_records"]
    assert {k: linked[k] for k in ("person_id", "given_name", "family_name", "dob", "source", "status")} == {
        "person_id": "SO2", "given_name": "Sean", "family_name": "Orr", "dob": "1980-01-02", "source": "MPS",
        "status": "proposed"}


def test_the_exact_name_and_dob_rank_first_and_linked_records_are_one_result(db, load) -> None:  # type: ignore[no-untyped-def]
    _register(db, load)
    persons = services.search(db, "Sean Orr", dob=dt.date(1980, 1, 2))["persons"]
    ids = [p["person_id"] for p in persons]
    first = persons[0]
    assert first["person_id"] == "SO1" and first["dob"] == "1980-01-02"
    assert first["linked_record_ids"] == ["SO2"] and "SO2" not in ids
    assert first["linked_records"][0]["status"] == "proposed" and first["linked_records"][0]["probability"] == 0.95
    assert first["proposed"] is True
    assert {p["part"] for p in first["score_parts"]} == {"full_name", "dob"}
    assert round(sum(p["points"] for p in first["score_parts"]), 4) == first["score"]
    assert "full name" in first["score_explained"]
    # the other Sean Orr (another date of birth) next, then namesakes sharing one name part, well below
    assert ids[1] == "SO3" and persons[1]["score"] < first["score"]
    one_part = [p for p in persons if p["person_id"] in {"N1", "N2", "N3"}]
    assert len(one_part) == 3 and all(p["score"] <= 0.4 for p in one_part)
    assert first["score"] - max(p["score"] for p in one_part) >= 0.4
    assert all("dob" in p for p in persons)


def test_without_a_dob_exact_names_tie_above_namesakes_in_a_stable_order(db, load) -> None:  # type: ignore[no-untyped-def]
    _register(db, load)
    one = services.search(db, "sean ORR")["persons"]
    assert [p["person_id"] for p in one[:2]] == ["SO1", "SO3"]
    assert one[0]["score"] == one[1]["score"] == 0.8
    assert all(p["score"] < 0.5 for p in one[2:])
    assert one == services.search(db, "sean ORR")["persons"]  # deterministic
    # an identifier still ranks its holder first, at 1, with his linked record
    by_phone = services.search(db, "07700900111")["persons"]
    assert by_phone[0]["person_id"] == "SO1" and by_phone[0]["score"] == 1.0
    assert by_phone[0]["linked_record_ids"] == ["SO2"]


def test_search_over_http_takes_a_dob_and_audits_the_grouped_records(client, db, load) -> None:  # type: ignore[no-untyped-def]
    _register(db, load)
    h = investigator(db, "OP-SEARCH")
    r = client.get("/api/v1/search?q=Sean%20Orr&dob=1980-01-02", headers=h)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["persons"][0]["person_id"] == "SO1"
    assert client.get("/api/v1/search?q=Sean%20Orr&dob=0", headers=h).status_code in (400, 422)
    # the grouped record is named in the audit entry of the search that showed it
    assert audited(client, db, "SO2", "/api/v1/search")
