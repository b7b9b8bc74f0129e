"""The schema says what the API enforces (issue #17, defect 7): no number read as a date, one
shape for every 422's ``details``, and the enforced constraints (opaque cursors, a non-empty
subject, no link from a record to itself) written in the OpenAPI document. Against a real
Neo4j; all records fictional."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest

from graphsvc.api.links import LINK_CURSOR_PATTERN
from graphsvc.api.schemas import CURSOR_PATTERN
from graphsvc.services.common import _encode_cursor

RECORDS = [
    {"kind": "person", "id": "Q-O-1", "source": "TST", "given_name": "Daniel", "family_name": "Marsh",
     "dob": "1984-03-02"},
    {"kind": "person", "id": "Q-V-1", "source": "TST", "given_name": "Amy", "family_name": "Hale"},
    {"kind": "incident", "id": "Q-I-1", "source": "TST", "occurred_at": "2026-01-05", "type": "visit",
     "offender_ids": ["Q-O-1"], "victim_ids": ["Q-V-1"]},
]


@pytest.fixture
def keys(keys: dict[str, str], load) -> dict[str, str]:  # type: ignore[no-untyped-def]
    load(RECORDS)
    return keys


def h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Purpose": "OP-TEST/1"}


@pytest.fixture
def document(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/openapi.json").get_json()


def _component(document: dict[str, Any], name: str) -> dict[str, Any]:
    """A component schema with its $refs resolvable (for jsonschema)."""
    return {**document["components"]["schemas"][name], "components": document["components"]}


def _fields(body: dict[str, Any]) -> list[Any]:
    return [d["field"] for d in body["error"]["details"]]


# -- a number is not a date --------------------------------------------------------------------
@pytest.mark.parametrize("dob", [0, 1700000000, 0.5, "1700000000", "2024/01/02", True])
def test_check_refuses_a_dob_that_is_not_an_iso_date(client, keys, dob: Any) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/check", json={"subject": {"given_name": "Daniel", "dob": dob}},
                           headers=h(keys["investigator"]))
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"]["code"] == "invalid_input"
    assert "subject.dob" in _fields(body)
    assert "YYYY-MM-DD" in next(d["message"] for d in body["error"]["details"] if d["field"] == "subject.dob")


def test_check_dob_alone_refused_as_a_number_is_not_read_as_1970(client, keys) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/check", json={"subject": {"dob": 0}}, headers=h(keys["investigator"]))
    assert response.status_code == 422 and "subject.dob" in _fields(response.get_json())
    good = client.post("/api/v1/check", json={"subject": {"dob": "1984-03-02"}}, headers=h(keys["investigator"]))
    assert good.status_code == 200
    assert "Q-O-1" in [m["person_id"] for m in good.get_json()["matches"]]


@pytest.mark.parametrize("query, field", [
    ("until=0.5", "until"), ("since=0", "since"), ("since=1700000000", "since"), ("until=1e9", "until"),
    ("since=yesterday", "since"),
])
def test_audit_refuses_dates_that_are_not_iso(client, keys, query: str, field: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/audit?{query}", headers=h(keys["admin"]))
    assert response.status_code == 400, response.get_json()
    assert field in _fields(response.get_json())


@pytest.mark.parametrize("query", ["since=2026-01-01", "since=2026-01-01T09:30:00Z",
                                   "until=2026-01-01T09:30:00%2B01:00", "since=2026-01-01T09:30:00.123456"])
def test_audit_takes_iso_dates_and_date_times(client, keys, query: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/api/v1/audit?{query}", headers=h(keys["admin"])).status_code == 200


@pytest.mark.parametrize("query, field", [("since=0", "since"), ("until=0.5", "until"),
                                          ("since=1700000000", "since"), ("until=2026-01-01T00:00:00", "until")])
def test_serial_refuses_dates_that_are_not_iso_dates(client, keys, query: str, field: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/patterns/serial?{query}", headers=h(keys["investigator"]))
    assert response.status_code == 400, response.get_json()
    assert field in _fields(response.get_json())
    ok = client.get("/api/v1/patterns/serial?since=2025-01-01&until=2027-01-01", headers=h(keys["investigator"]))
    assert ok.status_code == 200


# -- one shape for every 422 -------------------------------------------------------------------
def test_every_422_lists_its_faults_with_field_and_message(client, keys, document) -> None:  # type: ignore[no-untyped-def]
    schema = _component(document, "InvalidInputResponse")
    inv, admin = h(keys["investigator"]), h(keys["admin"])
    answers = {
        "empty subject (pydantic)": client.post("/api/v1/check", json={"subject": {}}, headers=inv),
        "dob a number (pydantic)": client.post("/api/v1/check", json={"subject": {"dob": 0}}, headers=inv),
        "serial cursor not issued (service)": client.get("/api/v1/patterns/serial?cursor=AAAA", headers=inv),
        "self link (route)": client.post("/api/v1/links/Q-O-1/Q-O-1/confirm", json={"reason": "same"}, headers=inv),
        "bad key name (pydantic)": client.post("/api/v1/keys", json={"name": "", "role": "admin"}, headers=admin),
    }
    expected_fields = {"serial cursor not issued (service)": "cursor",
                       "self link (route)": "b", "dob a number (pydantic)": "subject.dob"}
    for what, response in answers.items():
        assert response.status_code == 422, (what, response.get_json())
        body = response.get_json()
        details = body["error"]["details"]
        assert isinstance(details, list) and details, (what, body)
        assert all(isinstance(d, dict) and "field" in d and d["message"] for d in details), (what, body)
        jsonschema.validate(body, schema)
        if what in expected_fields:
            assert expected_fields[what] in _fields(body), (what, body)


def test_an_error_answer_with_an_object_for_details_breaks_the_documented_schema(document) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"error": {"code": "invalid_input", "message": "x", "details": {"field": "cursor"}}},
                            _component(document, "InvalidInputResponse"))


def test_records_422_keeps_the_same_details_shape(client, keys) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", json=[{"kind": "person", "id": "Z-1"}], headers=h(keys["admin"]))
    assert response.status_code == 422
    body = response.get_json()
    assert isinstance(body["error"]["details"], list) and body["errors"]
    assert all("field" in d and "message" in d for d in body["error"]["details"])


# -- enforced constraints, in the document -----------------------------------------------------
def _param(document: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    return next(p for p in document["paths"][path][method]["parameters"] if p["name"] == name)


def test_cursors_are_described_as_opaque_with_the_pattern_issued_cursors_follow(document) -> None:
    for path in ("/patterns/serial", "/patterns/unidentified", "/links", "/audit"):
        param = _param(document, path, "get", "cursor")
        assert "opaque" in param["description"], path
        assert param["schema"]["pattern"], path
    serial = _param(document, "/patterns/serial", "get", "cursor")["schema"]["pattern"]
    assert serial == CURSOR_PATTERN
    for key in ([0.75, "WMP-P-0001"], [3, "Zoë Łukasiewicz"], ["x" * 40]):
        assert re.match(serial, _encode_cursor(key)), key  # what the service issues fits
    assert not re.match(serial, "abc:def.ghi")  # what the service refuses does not
    links = _param(document, "/links", "get", "cursor")["schema"]["pattern"]
    assert links == LINK_CURSOR_PATTERN and re.match(links, "GMP-P-1|WMP-P-2") and not re.match(links, "abc")


def test_the_check_subject_must_not_be_empty_by_the_schema(document) -> None:
    subject = _component(document, "CheckSubject")
    assert subject["minProperties"] == 1
    for bad in ({}, {"aliases": []}, {"phones": []}, {"given_name": None}, {"gender": "female"},
                {"addresses": [{"line1": "1 High St", "town": "Leeds", "postcode": "LS1 1AA"}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, subject)
    for good in ({"given_name": "Amy"}, {"dob": "1984-03-02"}, {"phones": ["07700 900123"]},
                 {"handles": [{"platform": "x", "handle": "@a"}]}):
        jsonschema.validate(good, subject)


def test_the_subject_the_schema_refuses_the_api_refuses(client, keys) -> None:  # type: ignore[no-untyped-def]
    for bad in ({}, {"aliases": []}, {"gender": "female"}):
        response = client.post("/api/v1/check", json={"subject": bad}, headers=h(keys["investigator"]))
        assert response.status_code == 422, bad


def test_no_link_from_a_record_to_itself(client, keys, document) -> None:  # type: ignore[no-untyped-def]
    for verb in ("confirm", "reject", "undo"):
        op = document["paths"][f"/links/{{a}}/{{b}}/{verb}"]["post"]
        b = next(p for p in op["parameters"] if p["name"] == "b")
        assert "itself" in b["schema"]["description"] and "itself" in op["description"]
        assert b["schema"]["pattern"]
        response = client.post(f"/api/v1/links/Q-O-1/Q-O-1/{verb}", json={"reason": "same PNC photo"},
                               headers=h(keys["investigator"]))
        assert response.status_code == 422
        body = response.get_json()
        assert body["error"]["details"] == [{"field": "b", "message": "must differ from a"}]
        assert "itself" in body["error"]["message"]


# -- the answers' new fields are typed, and real answers meet the types -------------------------
def test_fixation_and_search_answers_meet_their_documented_schemas(client, keys, document) -> None:  # type: ignore[no-untyped-def]
    fixation = _component(document, "FixationResponse")
    search = _component(document, "SearchResponse")
    victim = document["components"]["schemas"]["VictimFixation"]
    assert {"record_ids", "proposed", "proposed_links"} <= set(victim["properties"])
    hit = document["components"]["schemas"]["SearchHit"]
    assert {"dob", "score_parts", "linked_record_ids", "linked_records"} <= set(hit["required"])
    fix = client.get("/api/v1/persons/Q-O-1/fixation", headers=h(keys["investigator"])).get_json()
    jsonschema.validate(fix, fixation)
    assert fix["victims"][0]["record_ids"] == ["Q-V-1"]
    found = client.get("/api/v1/search?q=Daniel%20Marsh", headers=h(keys["investigator"])).get_json()
    jsonschema.validate(found, search)
    assert found["persons"][0]["dob"] == "1984-03-02"
    # the schema can fail: a hit whose score_parts are not objects is refused
    broken = {"persons": [{**found["persons"][0], "score_parts": ["name"]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, search)
