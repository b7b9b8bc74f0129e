"""Reads of person data over HTTP: every endpoint x every role, purpose, redaction, audit, errors.

Asserts the contract's shapes and the access rules on a small loaded graph; the analysis
numbers are the analysis library's tests' business.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from graphsvc.security import audit
from graphsvc.security import policy
from graphsvc.security.redaction import redact_response
from graphsvc.graph.db import Database
from graphsvc.security.policy import REDACTED, Permission, Role

GRAPH = [
    {"kind": "person", "id": "R-O-1", "source": "TST", "given_name": "Daniel", "family_name": "Marsh",
     "dob": "1984-03-02", "phones": ["07700 900123"]},
    {"kind": "person", "id": "R-V-1", "source": "TST", "given_name": "Amy", "family_name": "Hale",
     "phones": ["07700 900555"], "emails": ["amy@example.org"],
     "addresses": [{"line1": "1 High St", "town": "Leeds", "postcode": "LS1 1AA"}]},
    {"kind": "person", "id": "R-V-2", "source": "TST", "given_name": "Beth", "family_name": "Cole",
     "addresses": [{"line1": "9 Low Rd", "town": "York", "postcode": "YO1 7HH"}]},
    {"kind": "incident", "id": "R-I-1", "source": "TST", "occurred_at": "2025-06-01", "type": "text",
     "offender_ids": ["R-O-1"], "victim_ids": ["R-V-1"], "identifiers_used": {"phones": ["07700 900123"]}},
    {"kind": "incident", "id": "R-I-2", "source": "TST", "occurred_at": "2025-07-01", "type": "visit",
     "offender_ids": ["R-O-1"], "victim_ids": ["R-V-1"]},
    {"kind": "incident", "id": "R-I-3", "source": "TST", "occurred_at": "2025-09-01", "type": "threat",
     "offender_ids": ["R-O-1"], "victim_ids": ["R-V-2"]},
    {"kind": "incident", "id": "R-I-4", "source": "TST", "occurred_at": "2025-10-01", "type": "text",
     "victim_ids": ["R-V-2"], "identifiers_used": {"phones": ["07700 900999"]}},
    {"kind": "incident", "id": "R-I-5", "source": "TST", "occurred_at": "2025-10-03", "type": "call",
     "victim_ids": ["R-V-1"], "identifiers_used": {"phones": ["07700 900999"]}},
    {"kind": "order", "id": "R-R-1", "source": "TST", "type": "restraining_order", "issued_on": "2025-08-01",
     "respondent_id": "R-O-1", "protected_ids": ["R-V-1"]},
]
CHECK = {"subject": {"given_name": "Daniel", "family_name": "Marsh", "phones": ["+44 7700 900123"]}}

# (method, path, json body, the permission it needs)
READS: list[tuple[str, str, Any, Permission]] = [
    ("POST", "/api/v1/check", CHECK, Permission.CHECK),
    ("GET", "/api/v1/persons/R-O-1", None, Permission.READ),
    ("GET", "/api/v1/persons/R-O-1/fixation", None, Permission.READ),
    ("GET", "/api/v1/persons/R-O-1/linked-victims", None, Permission.READ),
    ("GET", "/api/v1/patterns/serial?min_victims=2", None, Permission.READ),
    ("GET", "/api/v1/patterns/unidentified", None, Permission.READ),
    ("GET", "/api/v1/search?q=Marsh", None, Permission.READ),
    ("GET", "/api/v1/persons/R-O-1/network?depth=1", None, Permission.EXPORT),
]


@pytest.fixture
def keys(keys: dict[str, str], load) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The shared keys (tests/conftest.py), on a register holding GRAPH."""
    summary = load(GRAPH)
    assert summary.rejected_records == 0
    return keys


def h(key: str, purpose: str | None = "OP-NIGHTJAR/7") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {key}"}
    if purpose is not None:
        headers["X-Purpose"] = purpose
    return headers


def call(client, method: str, path: str, body: Any, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_read_against_every_role(client, keys, role: str) -> None:  # type: ignore[no-untyped-def]
    for method, path, body, permission in READS:
        response = call(client, method, path, body, h(keys[role]))
        if policy.allowed(role, permission):
            assert response.status_code == 200, (role, path, response.get_data(as_text=True)[:300])
        else:
            assert response.status_code == 403, (role, path)
            assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("method, path, body, permission", READS)
def test_every_read_needs_a_purpose(client, keys, method, path, body, permission) -> None:  # type: ignore[no-untyped-def]
    key = keys["admin"]
    for purpose in (None, "", "   "):
        response = call(client, method, path, body, h(key, purpose))
        assert response.status_code == 400, (path, purpose)
        assert response.get_json()["error"]["code"] == "purpose_required"


def test_contract_shapes(client, keys) -> None:  # type: ignore[no-untyped-def]
    inv = h(keys["investigator"])
    matches = client.post("/api/v1/check", json=CHECK, headers=inv).get_json()["matches"]
    assert matches and matches[0]["person_id"] == "R-O-1"
    for m in matches:
        assert {"person_id", "score", "matched_on", "victim_count", "incident_count", "orders", "flags"} <= set(m)
        assert 0 <= m["score"] <= 1
        for o in m["orders"]:
            assert {"id", "type", "issued_on", "expires_on", "active"} <= set(o)
        for f in m["flags"]:
            assert {"code", "message", "evidence"} <= set(f)

    profile = client.get("/api/v1/persons/R-O-1", headers=inv).get_json()
    assert {"roles", "counts", "orders"} <= set(profile) and "offender" in profile["roles"]

    fixation = client.get("/api/v1/persons/R-O-1/fixation", headers=inv).get_json()
    assert {"victim_count", "max_concurrent_victims", "serial", "sequence"} <= set(fixation["pattern"])
    for v in fixation["victims"]:
        assert {"victim_id", "first_contact", "last_contact", "incident_count", "span_days", "types",
                "escalation", "four", "orders", "breaches"} <= set(v)
        assert v["escalation"]["trend"] in ("rising", "stable", "falling")

    serial = client.get("/api/v1/patterns/serial?min_victims=2", headers=inv).get_json()
    assert "next_cursor" in serial and [p["person_id"] for p in serial["persons"]] == ["R-O-1"]
    assert {"person_id", "victim_count", "incident_count", "risk_score", "risk_factors"} <= set(serial["persons"][0])

    unidentified = client.get("/api/v1/patterns/unidentified", headers=inv).get_json()
    assert "next_cursor" in unidentified
    for c in unidentified["clusters"]:
        assert {"incident_ids", "victim_ids", "identifiers", "linked_person_ids"} <= set(c)

    found = client.get("/api/v1/search?q=07700900123", headers=inv).get_json()["persons"]
    assert found and found[0]["person_id"] == "R-O-1"
    assert "victims" in client.get("/api/v1/persons/R-O-1/linked-victims", headers=inv).get_json()


def test_pages_follow_the_cursor(client, keys) -> None:  # type: ignore[no-untyped-def]
    inv = h(keys["investigator"])
    first = client.get("/api/v1/patterns/unidentified?limit=1", headers=inv).get_json()
    if first["next_cursor"]:
        second = client.get(f"/api/v1/patterns/unidentified?limit=1&cursor={first['next_cursor']}", headers=inv)
        assert second.status_code == 200
    bad = client.get("/api/v1/patterns/serial?cursor=bm90LWEtY3Vyc29y", headers=inv)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_input"


# -- redaction -------------------------------------------------------------------------------
def test_investigators_and_admins_see_victims_contact_details(client, keys) -> None:  # type: ignore[no-untyped-def]
    for role in ("investigator", "admin"):
        victim = client.get("/api/v1/persons/R-V-1", headers=h(keys[role])).get_json()
        assert victim["phones"] == ["+447700900555"] and victim["emails"] == ["amy@example.org"]
        assert victim["addresses"] and victim["addresses"] != REDACTED


def test_a_role_without_victim_contact_gets_victims_redacted(client, keys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A reading role without VICTIM_CONTACT (as a force might define for analysts).
    monkeypatch.setitem(policy.ROLE_PERMISSIONS, Role.CASE_SYSTEM,
                        frozenset({Permission.CHECK, Permission.WRITE_RECORDS, Permission.READ}))
    key = keys["case_system"]
    victim = client.get("/api/v1/persons/R-V-1", headers=h(key)).get_json()
    for name in ("phones", "emails", "addresses"):
        assert victim[name] == REDACTED, name
    assert victim["family_name"] == "Hale"  # only contact details and addresses go
    offender = client.get("/api/v1/persons/R-O-1", headers=h(key)).get_json()
    assert offender["phones"] == ["+447700900123"]  # offenders' identifiers stay: they are what is matched
    text = json.dumps(client.get("/api/v1/persons/R-V-1/linked-victims", headers=h(key)).get_json())
    assert "1 High St" not in text and "amy@example.org" not in text


def test_check_answers_leak_no_victim_contact_details(client, keys) -> None:  # type: ignore[no-untyped-def]
    subject = {"subject": {"given_name": "Amy", "family_name": "Hale", "phones": ["07700 900555"]}}
    body = client.post("/api/v1/check", json=subject, headers=h(keys["case_system"])).get_json()
    assert [m["person_id"] for m in body["matches"]][:1] == ["R-V-1"]  # the victim was matched...
    text = json.dumps(body)
    for secret in ("amy@example.org", "1 High St", "LS1 1AA", "9 Low Rd"):
        assert secret not in text  # ...and none of her other contact details or addresses came back


def test_redaction_fails_closed_and_spares_non_victims(db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    payload = {
        "a": {"person_id": "R-V-1", "phones": ["+447700900555"]},
        "b": [{"id": "R-O-1", "phones": ["+447700900123"]}],
        "c": {"phones": ["+447700900000"]},  # whose? unknown: redacted
        "d": {"person_id": "R-O-1", "roles": ["offender", "victim"], "addresses": [{"line1": "x"}]},
    }
    out = redact_response(db, payload, "case_system")
    assert out["a"]["phones"] == REDACTED and out["c"]["phones"] == REDACTED and out["d"]["addresses"] == REDACTED
    assert out["b"][0]["phones"] == ["+447700900123"]
    assert payload["a"]["phones"] == ["+447700900555"]  # the input is not changed
    assert redact_response(db, payload, "investigator") is payload


# -- audit -----------------------------------------------------------------------------------
def test_reads_are_audited_with_the_ids_returned(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    client.get("/api/v1/persons/R-O-1", headers=h(keys["investigator"], "OP-1"))
    client.post("/api/v1/check", json=CHECK, headers=h(keys["case_system"], "intake 42"))
    client.get("/api/v1/search?q=Hale", headers=h(keys["admin"], "OP-3"))
    client.get("/api/v1/persons/NOBODY", headers=h(keys["investigator"], "OP-4"))
    client.get("/api/v1/persons/R-O-1", headers=h(keys["case_system"], "OP-5"))
    entries = list(reversed(audit.find_entries(db)))
    assert [(e["action"], e["status"], e["purpose"], e["role"]) for e in entries] == [
        ("consultation", "200", "OP-1", "investigator"),
        ("consultation", "200", "intake 42", "case_system"),
        ("consultation", "200", "OP-3", "admin"),
        ("consultation", "404", "OP-4", "investigator"),
        ("access_denied", "403", "OP-5", "case_system"),
    ]
    profile, check, search, missing, _ = entries
    assert profile["person_ids"][0] == "R-O-1" and "R-V-1" in profile["person_ids"]  # the order protects R-V-1
    assert check["person_ids"][0] == "R-O-1" and check["query"]["subject_fields"] == ["family_name", "given_name", "phones"]
    assert "R-V-1" in search["person_ids"] and search["query"]["q"] == "Hale"
    assert missing["person_ids"] == [] and missing["query"]["person_id"] == "NOBODY"
    assert all(e["query"]["request_id"] for e in entries)
    assert audit.verify(db).ok


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/persons/NOBODY", "/api/v1/persons/NOBODY/fixation",
                                  "/api/v1/persons/NOBODY/linked-victims", "/api/v1/persons/bad%20id"])
def test_unknown_persons_are_404(client, keys, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers=h(keys["investigator"]))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("query", ["/patterns/serial?min_victims=1", "/patterns/serial?limit=0",
                                   "/patterns/serial?limit=1000", "/patterns/serial?since=2025-13-01",
                                   "/patterns/unidentified?limit=x", "/search", "/search?q=", "/search?q=a&limit=0"])
def test_bad_query_parameters_are_400(client, keys, query: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1" + query, headers=h(keys["investigator"]))
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == "bad_request" and body["error"]["details"]


@pytest.mark.parametrize("body", [{}, {"subject": {}}, {"subject": {"given_name": "A"}, "extra": 1},
                                  {"subject": {"phones": "07700 900123"}}, {"subject": {"given_name": "A"}, "limit": 99},
                                  [], "text"])
def test_invalid_check_bodies_are_422(client, keys, body: Any) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/check", json=body, headers=h(keys["case_system"]))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "invalid_input"


def test_check_needs_json(client, keys) -> None:  # type: ignore[no-untyped-def]
    key = keys["case_system"]
    assert client.post("/api/v1/check", data="subject=x", content_type="text/plain", headers=h(key)).status_code == 415
    response = client.post("/api/v1/check", data="{nope", content_type="application/json", headers=h(key))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_unreadable_identifiers_are_reported_not_refused(client, keys) -> None:  # type: ignore[no-untyped-def]
    body = {"subject": {"family_name": "Marsh", "phones": ["not a number"]}}
    response = client.post("/api/v1/check", json=body, headers=h(keys["case_system"]))
    assert response.status_code == 200
    assert response.get_json()["unparsed"] == [{"field": "phones", "value": "not a number"}]
