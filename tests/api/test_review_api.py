"""The retention review endpoints (contract section 8): admins only, agency by agency, every
answer forgetting a disposed record at once, one erasure audit entry without the content, and a
hostile-input pass over both."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from graphsvc.graph.db import Database
from graphsvc.security import audit as audit_log
from graphsvc.security import keys as auth
from loaders.times import today as london_today
from tests.analysis_records import incident, person

SECRET_TEXT = "Sat outside her flat at 3am"
RECORDS = [
    person("GMP-V-1", "Ann", "Lee", source="GMP", phones=["07700 900201"]),
    person("GMP-O-1", "Dan", "Marsh", source="GMP"),
    incident("GMP-I-1", "2012-01-01", "visit", ["GMP-O-1"], ["GMP-V-1"], source="GMP", description=SECRET_TEXT),
    incident("BTP-I-1", "2011-05-01", "following", ["GMP-O-1"], ["GMP-V-1"], source="BTP"),
]


def h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Purpose": "MoPI review 2026/12"}


@pytest.fixture
def made(db: Database, load: Any) -> dict[str, str]:
    assert load(RECORDS).rejected_records == 0
    return {f"{role}-{agency or 'national'}": auth.create_key(db, role=role, name=f"rv-{role}-{agency}",
                                                               agency=agency)[0]
            for role in ("admin", "investigator") for agency in ("GMP", None)}


def test_the_worklist_is_for_admins_and_an_agencys_admin_sees_its_own(client: Any, made: dict[str, str]) -> None:
    path = "/api/v1/review/due?before=2020-01-01"
    assert client.get(path, headers=h(made["investigator-national"])).status_code == 403
    assert client.get(path, headers={"Authorization": f"Bearer {made['admin-national']}"}).status_code == 400
    nation = client.get(path, headers=h(made["admin-national"])).get_json()
    assert [(r["kind"], r["id"]) for r in nation["records"]] == [("incident", "BTP-I-1"), ("incident", "GMP-I-1")]
    gmp = client.get(path, headers=h(made["admin-GMP"])).get_json()
    assert [r["id"] for r in gmp["records"]] == ["GMP-I-1"]
    assert client.get(path + "&agency=BTP", headers=h(made["admin-GMP"])).status_code == 403
    assert SECRET_TEXT not in json.dumps(nation)


def test_dispose_erases_at_once_and_audits_the_erasure_without_its_content(client: Any, db: Database,
                                                                           made: dict[str, str]) -> None:
    path = "/api/v1/review/incident/GMP-I-1"
    body = {"decision": "dispose", "reason": "MoPI review: no policing purpose remains"}
    # another agency's admin may not decide on GMP's record; an investigator may not review at all
    r = client.post("/api/v1/review/incident/BTP-I-1", json=body, headers=h(made["admin-GMP"]))
    assert r.status_code == 403
    assert client.post(path, json=body, headers=h(made["investigator-national"])).status_code == 403
    before = client.get("/api/v1/persons/GMP-O-1", headers=h(made["investigator-national"])).get_json()
    assert before["counts"]["incidents_as_offender"] == 2 and before["review_on"]
    r = client.post(path, json=body, headers=h(made["admin-GMP"]))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["decision"] == "dispose" and r.get_json()["source"] == "GMP"
    after = client.get("/api/v1/persons/GMP-O-1", headers=h(made["investigator-national"])).get_json()
    assert after["counts"]["incidents_as_offender"] == 1
    fixation = client.get("/api/v1/persons/GMP-O-1/fixation", headers=h(made["investigator-national"])).get_json()
    assert "GMP-I-1" not in json.dumps(fixation)
    assert client.post(path, json=body, headers=h(made["admin-GMP"])).status_code == 404  # gone
    entries = db.execute("MATCH (e:AuditEntry {action: 'erasure'}) RETURN e.status AS status, e.query AS query, "
                         "e.actor AS actor, e.person_ids AS ids ORDER BY e.seq")
    done = [e for e in entries if e["status"] == "200"]
    assert len(done) == 1
    asked = json.loads(done[0]["query"])
    assert {k: asked[k] for k in ("kind", "id", "source", "reason")} == {
        "kind": "incident", "id": "GMP-I-1", "source": "GMP", "reason": body["reason"]}
    assert done[0]["actor"].startswith("rv-admin-GMP")
    assert SECRET_TEXT not in json.dumps(entries) and "Marsh" not in json.dumps(entries)
    assert audit_log.verify(db).ok


def test_retain_needs_a_next_review_and_is_audited_as_an_alteration(client: Any, db: Database,
                                                                    made: dict[str, str]) -> None:
    path = "/api/v1/review/incident/BTP-I-1"
    nxt = (london_today() + dt.timedelta(days=365)).isoformat()
    assert client.post(path, json={"decision": "retain", "reason": "open case"},
                       headers=h(made["admin-national"])).status_code == 422
    r = client.post(path, json={"decision": "retain", "reason": "open case", "next_review_on": nxt},
                    headers=h(made["admin-national"]))
    assert r.status_code == 200 and r.get_json()["review_on"] == nxt
    entries = db.execute("MATCH (e:AuditEntry {action: 'alteration', status: '200'}) WHERE e.query CONTAINS 'review' "
                         "RETURN e.query AS query")
    assert len(entries) == 1 and json.loads(entries[0]["query"])["decision"] == "retain"


@pytest.mark.parametrize("path, body, status", [
    ("/api/v1/review/alert/X-1", {"decision": "dispose", "reason": "r"}, 404),
    ("/api/v1/review/incident/a%20b", {"decision": "dispose", "reason": "r"}, 404),
    ("/api/v1/review/incident/" + "x" * 129, {"decision": "dispose", "reason": "r"}, 404),
    ("/api/v1/review/incident/NOPE", {"decision": "dispose", "reason": "r"}, 404),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "burn", "reason": "r"}, 422),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "dispose"}, 422),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "dispose", "reason": "   "}, 422),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "dispose", "reason": "r" * 501}, 422),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "dispose", "reason": "r", "extra": 1}, 422),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "dispose", "reason": ["r"]}, 422),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "dispose", "reason": "r", "next_review_on": "2099-01-01"}, 422),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "retain", "reason": "r", "next_review_on": "2001-01-01"}, 422),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "retain", "reason": "r", "next_review_on": "2199-01-01"}, 422),
    ("/api/v1/review/incident/BTP-I-1", {"decision": "retain", "reason": "r", "next_review_on": "soon"}, 422),
    ("/api/v1/review/incident/BTP-I-1", [1, 2], 422),
    ("/api/v1/review/incident/BTP-I-1' OR 1=1 //", {"decision": "dispose", "reason": "r"}, 404),
])
def test_hostile_decisions_get_clear_errors_and_change_nothing(client: Any, db: Database, made: dict[str, str],
                                                                path: str, body: Any, status: int) -> None:
    r = client.post(path, json=body, headers=h(made["admin-national"]))
    assert r.status_code == status, r.get_data(as_text=True)
    assert set(r.get_json()) == {"error"}
    assert db.execute("MATCH (i:Incident) RETURN count(i) AS n")[0]["n"] == 2
    assert db.execute("MATCH (i:Incident) WHERE i.retained_until IS NOT NULL RETURN count(i) AS n")[0]["n"] == 0


@pytest.mark.parametrize("query, status", [
    *((q, 400) for q in ("before=yesterday", "before=2020-13-01", "limit=0", "limit=201", "limit=x",
                         "cursor=" + "A" * 600, "agency=gmp!", "colour=red")),
    # a cursor of the right shape that this service did not issue (an unknown kind inside), or garbage
    ("cursor=%00", 422), ("cursor=WyIyMDIwIiwiYWxlcnQiLCJ4Il0", 422),
])
def test_hostile_worklist_queries_get_clear_errors(client: Any, made: dict[str, str], query: str, status: int) -> None:
    r = client.get("/api/v1/review/due?" + query, headers=h(made["admin-national"]))
    assert r.status_code == status, (query, r.get_data(as_text=True))
    assert set(r.get_json()) == {"error"}


def test_a_post_without_json_is_415_and_bad_json_400(client: Any, made: dict[str, str]) -> None:
    path = "/api/v1/review/incident/BTP-I-1"
    assert client.post(path, data="decision=dispose", headers=h(made["admin-national"]),
                       content_type="application/x-www-form-urlencoded").status_code == 415
    assert client.post(path, data="{not json", headers=h(made["admin-national"]),
                       content_type="application/json").status_code == 400
