"""Need-to-know between agencies (contract section 5), through the HTTP API on a real Neo4j.

A small two-agency register: GMP holds Daniel Marsh's order protecting its victim, with her
name, date of birth, phone, e-mail, address, its incident descriptions and the order's
conditions planted as recognisable secrets. MPS holds its own victim of the same man. Every
read and export an MPS key can make is searched for GMP's secrets (each export format parsed
or decoded first); GMP's own key and a national key are shown the same secrets, so the search
could find them.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.security import keys as auth
from tests.need_to_know import CHECKS, MPS_SECRETS, SECRETS, answer_text, headers, register


@pytest.fixture
def agency_keys(db, load) -> dict[str, str]:  # type: ignore[no-untyped-def]
    load(register())
    made = {
        "mps": auth.create_key(db, role="investigator", name="mps-inv", agency="MPS")[0],
        "gmp": auth.create_key(db, role="investigator", name="gmp-inv", agency="GMP")[0],
        "national": auth.create_key(db, role="investigator", name="nat-inv")[0],
        "mps_case": auth.create_key(db, role="case_system", name="mps-rms", agency="MPS")[0],
        "mps_om": auth.create_key(db, role="offender_manager", name="mps-om", agency="MPS")[0],
    }
    return made


_READS = [
    "/api/v1/persons/DM", "/api/v1/persons/G-V1", "/api/v1/persons/DM/fixation",
    "/api/v1/persons/G-V1/linked-victims", "/api/v1/persons/DM/linked-victims",
    "/api/v1/persons/DM/timeline", "/api/v1/persons/DM/timeline?format=svg",
    "/api/v1/patterns/serial?min_victims=2", "/api/v1/patterns/unidentified",
    "/api/v1/search?q=Marsh", "/api/v1/search?q=Hesper%20Quillane", "/api/v1/search?q=Quillane",
    "/api/v1/search?q=07700900555", "/api/v1/search?q=hesper.q@example.org",
    "/api/v1/register/persons/DM", "/api/v1/register/overdue",
]
_EXPORTS = [f"/api/v1/persons/DM/network?depth={d}&format={f}" for d in (1, 2)
            for f in ("cytoscape", "graphml", "gexf", "anx", "csv", "html")]
def _answers(client: Any, key: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in _READS + _EXPORTS:
        r = client.get(path, headers=headers(key))
        assert r.status_code == 200, (path, r.get_data(as_text=True)[:300])
        out[path] = answer_text(r)
    for n, body in enumerate(CHECKS):
        r = client.post("/api/v1/check", json=body, headers=headers(key))
        assert r.status_code == 200, r.get_data(as_text=True)
        out[f"check {n}"] = answer_text(r)
    return out


def test_no_read_or_export_by_another_agency_shows_its_victims_details(client, agency_keys) -> None:  # type: ignore[no-untyped-def]
    leaks = [(where, s) for where, text in _answers(client, agency_keys["mps"]).items()
             for s in SECRETS if s.lower() in text.lower()]
    assert leaks == []


@pytest.mark.parametrize("who", ["gmp", "national"])
def test_the_owner_and_a_national_key_read_them(client, agency_keys, who) -> None:  # type: ignore[no-untyped-def]
    everything = "\n".join(_answers(client, agency_keys[who]).values()).lower()
    assert [s for s in SECRETS if s.lower() not in everything] == []
    if who == "gmp":  # and GMP reads none of MPS's
        assert [s for s in MPS_SECRETS if s.lower() in everything] == []


def test_what_crosses_is_named_and_withheld_fields_say_whom_to_ask(client, agency_keys) -> None:  # type: ignore[no-untyped-def]
    profile = client.get("/api/v1/persons/G-V1", headers=headers(agency_keys["mps"])).get_json()
    assert profile["withheld_by"] == ["GMP"]
    assert {f: profile[f] for f in ("given_name", "family_name", "dob", "phones", "emails", "addresses")} == dict.fromkeys(
        ("given_name", "family_name", "dob", "phones", "emails", "addresses"), "[withheld: GMP]")
    assert [o["id"] for o in profile["orders"]] == ["GMP-O-1"]  # order ids, types and dates cross
    assert profile["counts"]["incidents_as_victim"] == 7
    offender = client.get("/api/v1/persons/DM", headers=headers(agency_keys["mps"])).get_json()
    assert offender["given_name"] == "Daniel" and offender["phones"] == ["+447700900123"]  # the perpetrator crosses
    fixation = client.get("/api/v1/persons/DM/fixation", headers=headers(agency_keys["mps"])).get_json()
    national = client.get("/api/v1/persons/DM/fixation", headers=headers(agency_keys["national"])).get_json()
    # counts, dates and evidence ids cross: the same as the national answer's
    assert fixation["pattern"] == national["pattern"] and fixation["pattern"]["victim_count"] == 2
    assert [v["incident_ids"] for v in fixation["victims"]] == [v["incident_ids"] for v in national["victims"]]
    assert "withheld_by" not in national


def test_the_founding_case_a_check_by_another_force_shows_the_active_order_with_its_id(client, agency_keys) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/check", json={"subject": {"given_name": "Daniel", "family_name": "Marsh",
                                                        "dob": "1984-03-02"}}, headers=headers(agency_keys["mps_case"]))
    assert r.status_code == 200, r.get_json()
    top = r.get_json()["matches"][0]
    assert top["person_id"] == "DM" and top["given_name"] == "Daniel"
    assert "ACTIVE_ORDER" in [f["code"] for f in top["flags"]]
    assert [o["id"] for o in top["orders"]] == ["GMP-O-1"] and top["orders"][0]["type"] == "restraining_order"
    # and the score's explanation reads as the national key's does (it holds no person data)
    national = client.post("/api/v1/check", json={"subject": {"given_name": "Daniel", "family_name": "Marsh",
                                                               "dob": "1984-03-02"}}, headers=headers(agency_keys["national"]))
    assert top["score_parts"] == national.get_json()["matches"][0]["score_parts"]
    assert "unknown" not in r.get_json()["withheld_by"]


def test_a_check_matching_another_agencys_victim_says_only_that_a_record_exists_and_whom_to_ask(client, agency_keys) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/check", json={"subject": {"phones": ["07700 900555"]}}, headers=headers(agency_keys["mps_case"]))
    body = r.get_json()
    stub = next(m for m in body["matches"] if m["person_id"] == "G-V1")
    assert stub == {"person_id": "G-V1", "held_by": "GMP", "withheld": "a record held by GMP: ask GMP"}
    assert body["withheld_by"] == ["GMP"]
    own = client.post("/api/v1/check", json={"subject": {"phones": ["07700 900555"]}}, headers=headers(agency_keys["gmp"]))
    assert next(m for m in own.get_json()["matches"] if m["person_id"] == "G-V1")["given_name"] == "Hesper"


def test_search_by_another_agencys_victims_name_finds_nothing_the_owner_finds_her(client, agency_keys) -> None:  # type: ignore[no-untyped-def]
    for q in ("Quillane", "Hesper Quillane", "07700900555"):
        assert client.get(f"/api/v1/search?q={q}", headers=headers(agency_keys["mps"])).get_json()["persons"] == [], q
    found = client.get("/api/v1/search?q=Quillane", headers=headers(agency_keys["gmp"])).get_json()["persons"]
    assert [p["person_id"] for p in found] == ["G-V1"]


def test_a_network_export_for_another_agency_keeps_ids_and_withholds_the_victims_node(client, agency_keys) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/persons/DM/network?depth=1&format=cytoscape", headers=headers(agency_keys["mps"]))
    doc = r.get_json()
    nodes = {n["data"]["id"]: n["data"] for n in doc["elements"]["nodes"]}
    victim = nodes["person:G-V1"]
    assert victim["record_id"] == "G-V1" and victim["label"].startswith("[withheld: GMP]")
    assert nodes["order:GMP-O-1"]["conditions"] == "[withheld: GMP]"
    assert nodes["order:GMP-O-1"]["issued_on"] == "2024-02-01"
    assert nodes["person:M-V1"]["given_name"] == "Maya"  # MPS reads its own victim
    assert nodes["incident:GMP-I-0"]["description"] == "[withheld: GMP]"
    assert nodes["incident:GMP-I-0"]["withheld_by"] == "GMP"
    assert doc["data"]["withheld_by"] == ["GMP"] and doc["data"]["exported_for_agency"] == "MPS"
    contact = [n for n in nodes.values() if n["type"] in ("phone", "email", "address") and "withheld" in n["label"]]
    assert len(contact) == 0  # depth 1 reaches no victim's identifier
    deeper = client.get("/api/v1/persons/DM/network?depth=2&format=cytoscape", headers=headers(agency_keys["mps"])).get_json()
    labels = sorted(n["data"]["label"] for n in deeper["elements"]["nodes"] if n["data"]["id"].startswith("redacted:"))
    assert labels == ["[withheld: GMP]"] * 3  # her phone, e-mail and address, as opaque nodes


def test_an_offender_manager_checks_and_reads_but_does_not_export(client, agency_keys) -> None:  # type: ignore[no-untyped-def]
    h = headers(agency_keys["mps_om"])
    assert client.get("/api/v1/persons/DM", headers=h).status_code == 200
    assert client.post("/api/v1/check", json=CHECKS[0], headers=h).status_code == 200
    assert client.get("/api/v1/persons/DM/network", headers=h).status_code == 403
    assert client.get("/api/v1/persons/M-V1", headers=h).get_json()["given_name"] == "Maya"


def test_the_timeline_picture_names_whom_to_ask_for_a_withheld_victim(client, agency_keys) -> None:  # type: ignore[no-untyped-def]
    svg = client.get("/api/v1/persons/DM/timeline?format=svg", headers=headers(agency_keys["mps"])).get_data(as_text=True)
    assert "Name withheld (GMP)" in svg and "[withheld" not in svg
    assert "Plumtree" in svg  # MPS reads its own victim's row
