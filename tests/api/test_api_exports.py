"""GET /persons/{id}/network: roles, purpose, formats, errors and the disclosure audit."""

from __future__ import annotations

import json

import pytest

from graphsvc.security import audit
from graphsvc.graph.db import Database

RECORDS = [
    {"kind": "person", "id": "X-O-1", "source": "TST", "given_name": "Daniel", "family_name": "Marsh",
     "phones": ["07700 900123"]},
    {"kind": "person", "id": "X-V-1", "source": "TST", "given_name": "Amy", "family_name": "Hale",
     "phones": ["07700 900555"], "addresses": [{"line1": "1 High St", "town": "Leeds", "postcode": "LS1 1AA"}]},
    {"kind": "incident", "id": "X-I-1", "source": "TST", "occurred_at": "2026-01-05", "type": "visit",
     "offender_ids": ["X-O-1"], "victim_ids": ["X-V-1"]},
]


@pytest.fixture
def keys(keys: dict[str, str], load) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The shared keys (tests/conftest.py), on a register holding RECORDS."""
    load(RECORDS)
    return keys


def h(key: str, purpose: str | None = "OP-TEST/1") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {key}"}
    if purpose:
        headers["X-Purpose"] = purpose
    return headers


@pytest.mark.parametrize("role, status", [("investigator", 200), ("admin", 200), ("case_system", 403)])
def test_network_roles(client, keys, role: str, status: int) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/persons/X-O-1/network?depth=1&format=cytoscape", headers=h(keys[role]))
    assert response.status_code == status
    if status == 200:
        body = json.loads(response.get_data())
        assert "X-V-1" in json.dumps(body)
        assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("fmt, mimetype", [("graphml", "application/graphml+xml"), ("gexf", "application/gexf+xml"),
                                           ("anx", "application/xml"), ("csv", "application/zip"),
                                           ("html", "text/html")])
def test_network_formats(client, keys, fmt: str, mimetype: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/persons/X-O-1/network?format={fmt}", headers=h(keys["investigator"]))
    assert response.status_code == 200 and response.mimetype == mimetype and response.data


def test_network_needs_a_purpose(client, keys) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/persons/X-O-1/network", headers=h(keys["investigator"], purpose=None))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "purpose_required"
    blank = client.get("/api/v1/persons/X-O-1/network", headers=h(keys["investigator"], purpose="   "))
    assert blank.status_code == 400


@pytest.mark.parametrize("query", ["depth=0", "depth=4", "depth=x", "format=pdf"])
def test_network_bad_parameters_are_400(client, keys, query: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/persons/X-O-1/network?{query}", headers=h(keys["investigator"]))
    assert response.status_code == 400 and response.get_json()["error"]["details"]


def test_network_of_nobody_is_404(client, keys) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/persons/NOBODY/network", headers=h(keys["investigator"]))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_exports_are_audited_as_disclosures(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    client.get("/api/v1/persons/X-O-1/network?format=graphml&depth=2", headers=h(keys["investigator"], "OP-77"))
    client.get("/api/v1/persons/NOBODY/network", headers=h(keys["investigator"], "OP-78"))
    client.get("/api/v1/persons/X-O-1/network", headers=h(keys["case_system"], "OP-79"))
    entries = list(reversed(audit.find_entries(db)))
    assert [(e["action"], e["status"], e["purpose"]) for e in entries] == [
        ("disclosure", "200", "OP-77"), ("disclosure", "404", "OP-78"), ("access_denied", "403", "OP-79")]
    first = entries[0]
    assert set(first["person_ids"]) == {"X-O-1", "X-V-1"}
    assert first["query"]["format"] == "graphml" and first["query"]["depth"] == 2
    assert first["actor"].startswith("test-investigator#")
    assert audit.verify(db).ok


def test_html_export_names_its_charset_once(client, keys) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/persons/X-O-1/network?format=html", headers=h(keys["investigator"]))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers.get_all("Content-Type") == ["text/html; charset=utf-8"]
