"""POST /records: all-or-nothing collection, content types, limits, roles and its audit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graphsvc.security import audit
from graphsvc.security import keys as auth
from graphsvc.graph.db import Database

PERSON_A = {"kind": "person", "id": "T-P-1", "source": "TST", "given_name": "Daniel", "family_name": "Marsh",
            "phones": ["07700 900123"]}
PERSON_B = {"kind": "person", "id": "T-P-2", "source": "TST", "given_name": "Amy", "family_name": "Hale",
            "addresses": [{"line1": "1 High St", "town": "Leeds", "postcode": "ls1 1aa"}]}
INCIDENT = {"kind": "incident", "id": "T-I-1", "source": "TST", "occurred_at": "2026-03-01T21:15:00",
            "type": "text", "offender_ids": ["T-P-1"], "victim_ids": ["T-P-2"]}
ORDER = {"kind": "order", "id": "T-O-1", "source": "TST", "type": "restraining_order", "issued_on": "2025-01-02",
         "respondent_id": "T-P-1", "protected_ids": ["T-P-2"]}


def h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def counts(db: Database) -> tuple[int, int]:
    """(register nodes, register relationships): the audit, keys and migration records are not register data."""
    nodes = db.execute(
        "MATCH (n) WHERE NOT (n:AuditEntry OR n:AuditHead OR n:ApiKey OR n:SchemaMigration OR n:RegisterVersion) "
        "RETURN count(n) AS c"
    )[0]["c"]
    rels = db.execute("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return nodes, rels


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert {"code", "message"} <= set(body["error"])
    return body


def test_json_array_is_written(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", json=[PERSON_A, PERSON_B, INCIDENT, ORDER], headers=h(keys["case_system"]))
    assert response.status_code == 200 and response.get_json()["accepted"] == 4
    assert response.get_json()["resolution"]["status"] == "done"  # identity resolution: tests/api/test_resolve_auto.py
    row = db.execute("MATCH (p:Person {id: 'T-P-1'})-[:OFFENDER_IN]->(:Incident {id: 'T-I-1'}) RETURN p.family_name AS f")
    assert row == [{"f": "Marsh"}]


def test_ndjson_is_written(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    body = "\n".join(json.dumps(r) for r in (PERSON_A, PERSON_B, INCIDENT)) + "\n\n"
    response = client.post("/api/v1/records", data=body, content_type="application/x-ndjson",
                           headers=h(keys["admin"]))
    assert response.get_json()["accepted"] == 3
    assert counts(db)[0] > 0


def test_one_bad_record_writes_nothing(client, db: Database, keys, load) -> None:  # type: ignore[no-untyped-def]
    load([PERSON_A, PERSON_B, INCIDENT])
    before = counts(db)
    changed_a = {**PERSON_A, "family_name": "Changed"}
    bad_incident = {**INCIDENT, "id": "T-I-2", "type": "telepathy"}
    bad_person = {"kind": "person", "id": "T-P-9", "source": "TST", "phones": ["not a phone"]}
    response = client.post("/api/v1/records", json=[changed_a, bad_incident, ORDER, bad_person],
                           headers=h(keys["case_system"]))
    body = error(response, 422)
    assert body["error"]["code"] == "invalid_records"
    faults = {(e["index"], e["id"], e["field"]) for e in body["errors"]}
    assert (1, "T-I-2", "type") in faults and (3, "T-P-9", "phones") in faults
    assert all(set(e) == {"index", "id", "field", "message"} for e in body["errors"])
    assert counts(db) == before
    assert db.execute("MATCH (p:Person {id: 'T-P-1'}) RETURN p.family_name AS f") == [{"f": "Marsh"}]


def test_ndjson_faults_name_their_line(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps(PERSON_A) + "\n{not json\n" + json.dumps({**PERSON_B, "dob": "1990-13-45"}) + "\n"
    response = client.post("/api/v1/records", data=body, content_type="application/x-ndjson",
                           headers=h(keys["case_system"]))
    faults = error(response, 422)["errors"]
    assert [(e["index"], e["field"]) for e in faults] == [(1, None), (2, "dob")]
    assert counts(db) == (0, 0)


@pytest.mark.parametrize("payload", [{"kind": "person"}, "just text", 42])
def test_a_body_that_is_not_an_array_is_422(client, db, keys, payload) -> None:  # type: ignore[no-untyped-def]
    assert error(client.post("/api/v1/records", json=payload, headers=h(keys["case_system"])), 422)["errors"]


def test_malformed_json_is_400(client, db, keys) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", data="[{", content_type="application/json",
                           headers=h(keys["case_system"]))
    assert error(response, 400)["error"]["code"] == "bad_request"


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
def test_other_content_types_are_415(client, db, keys, content_type) -> None:  # type: ignore[no-untyped-def]
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post("/api/v1/records", data="[]", headers=h(keys["case_system"]), **kwargs)
    assert error(response, 415)["error"]["code"] == "unsupported_media_type"


def test_bodies_over_the_limit_are_413(neo4j_settings, db, keys) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.app import create_app

    client = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings,
                         "MAX_CONTENT_LENGTH": 1000}).test_client()
    big = [{**PERSON_A, "id": f"T-P-{i}"} for i in range(50)]
    response = client.post("/api/v1/records", json=big, headers=h(keys["case_system"]))
    assert error(response, 413)["error"]["code"] == "payload_too_large"
    assert counts(db) == (0, 0)


def test_too_many_records_is_413(client, db, keys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.api import records

    monkeypatch.setattr(records, "MAX_RECORDS", 2)
    response = client.post("/api/v1/records", json=[PERSON_A, PERSON_B, INCIDENT], headers=h(keys["case_system"]))
    error(response, 413)
    assert counts(db) == (0, 0)


def test_investigators_may_not_write(client, db, keys) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", json=[PERSON_A], headers=h(keys["investigator"]))
    assert error(response, 403)["error"]["code"] == "forbidden"
    assert counts(db) == (0, 0)
    denied = audit.find_entries(db, action="access_denied")
    assert denied and denied[0]["role"] == "investigator" and denied[0]["status"] == "403"


def test_collection_and_alteration_are_audited(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    client.post("/api/v1/records", json=[PERSON_A, PERSON_B], headers={**h(keys["case_system"]), "X-Purpose": "nightly feed"})
    client.post("/api/v1/records", json=[{**PERSON_A, "given_name": "Dan"}, INCIDENT], headers=h(keys["case_system"]))
    entries = audit.find_entries(db, limit=10)
    actions = [(e["action"], e["person_ids"]) for e in reversed(entries)]
    assert actions == [
        ("collection", ["T-P-1", "T-P-2"]),
        ("alteration", ["T-P-1"]),  # the replaced person record
        ("collection", ["T-P-1", "T-P-2"]),  # the new incident names both
    ]
    first = entries[-1]
    assert first["actor"].startswith("test-case_system#") and first["role"] == "case_system"
    assert first["purpose"] == "nightly feed" and first["query"]["path"] == "/api/v1/records"
    assert first["status"] == "200"
    assert audit.verify(db).ok


def test_a_rejected_batch_is_audited_without_ids(client, db, keys) -> None:  # type: ignore[no-untyped-def]
    client.post("/api/v1/records", json=[{"kind": "alien"}], headers=h(keys["case_system"]))
    (entry,) = audit.find_entries(db)
    assert entry["action"] == "collection" and entry["status"] == "422" and entry["person_ids"] == []


def test_an_agency_key_writes_only_its_own_records(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    """Contract section 5: every record is owned by its source. A force's case system cannot file
    records in another force's name, nor overwrite a record another force loaded: the whole batch
    is refused with every breach named, and nothing is written."""
    tst = auth.create_key(db, role="case_system", name="tst-feed", agency="TST")[0]
    mps = auth.create_key(db, role="case_system", name="mps-feed", agency="MPS")[0]
    assert client.post("/api/v1/records", json=[PERSON_A, PERSON_B], headers=h(tst)).status_code == 200
    before = counts(db)
    own = {**PERSON_A, "id": "MPS-P-9", "source": "MPS"}
    forged = {**INCIDENT, "id": "MPS-I-9", "source": "TST", "offender_ids": ["MPS-P-9"]}
    overwrite = {**PERSON_B, "source": "MPS", "family_name": "Forged"}  # TST's T-P-2, re-sourced
    body = error(client.post("/api/v1/records", json=[own, forged, overwrite], headers=h(mps)), 403)
    assert body["error"]["code"] == "forbidden"
    assert [(d["index"], d["id"], d["field"]) for d in body["error"]["details"]] == [
        (1, "MPS-I-9", "source"), (2, "T-P-2", "source")]
    assert "TST" in body["error"]["details"][1]["message"]
    assert counts(db) == before  # not even the one good record
    assert db.execute("MATCH (p:Person {id: 'T-P-2'}) RETURN p.family_name AS f") == [{"f": "Hale"}]
    # its own records, naming the other force's person as victim, go in; a national key writes any source
    mine = {**INCIDENT, "id": "MPS-I-9", "source": "MPS", "offender_ids": ["MPS-P-9"], "victim_ids": ["T-P-2"]}
    assert client.post("/api/v1/records", json=[own, mine], headers=h(mps)).status_code == 200
    assert client.post("/api/v1/records", json=[{**PERSON_B, "given_name": "Amelia"}],
                       headers=h(keys["case_system"])).status_code == 200
