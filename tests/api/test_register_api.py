"""The register's endpoints (contract section 7): roles, agencies, what each agency reads of a
notification, and the transfer, audited with its reason."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graphsvc.graph.db import Database
from graphsvc.security import keys as auth
from tests.analysis_records import person

LEEDS = {"line1": "7 Mill Lane", "town": "Leeds", "postcode": "LS6 2QT"}
RECORDS = [
    person("DM", "Daniel", "Marsh", source="GMP"),
    {"kind": "registration", "id": "REG-1", "source": "GMP", "person_id": "DM", "basis": "conviction",
     "start_on": "2024-01-10", "manager": "DC 2291"},
    {"kind": "notification", "id": "N-1", "source": "GMP", "person_id": "DM", "registration_id": "REG-1",
     "notified_on": "2024-01-11", "type": "initial", "names": [{"given_name": "Daniel", "family_name": "Marsh"}],
     "home_address": LEEDS, "station": "Salford Central", "reference": "ACK-0042"},
]


def h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Purpose": "OP-KESTREL/4"}


@pytest.fixture
def made(db: Database, load: Any) -> dict[str, str]:
    assert load(RECORDS).rejected_records == 0
    return {f"{role}-{agency or 'national'}": auth.create_key(db, role=role, name=f"reg-{role}-{agency}",
                                                               agency=agency)[0]
            for role in ("offender_manager", "investigator", "case_system") for agency in ("GMP", "WYP", None)}


def test_the_managing_agency_reads_the_full_record_and_another_agency_reads_it_withheld(client: Any,
                                                                                      made: dict[str, str]) -> None:
    own = client.get("/api/v1/register/persons/DM", headers=h(made["offender_manager-GMP"])).get_json()
    assert own["notifications"][0]["home_address"] == LEEDS and own["notifications"][0]["reference"] == "ACK-0042"
    assert own["last_notified"]["home_address"] == LEEDS
    assert own["registrations"][0]["transfer_proposed"] == {"notification_id": "N-1", "to": "WYP",
                                                            "postcode_area": "LS", "evidence": ["N-1"]}
    other = client.get("/api/v1/register/persons/DM", headers=h(made["offender_manager-WYP"])).get_json()
    note = other["notifications"][0]
    assert {f: note[f] for f in ("home_address", "station", "reference")} == dict.fromkeys(
        ("home_address", "station", "reference"), "[withheld: GMP]")
    assert other["last_notified"]["home_address"] == "[withheld: GMP]" and other["withheld_by"] == ["GMP"]
    # what crosses: that he is registered, with whom, his duties and their dates, the names he notified
    assert other["duties"] == own["duties"]
    mine, theirs = own["registrations"][0], other["registrations"][0]
    assert {k: v for k, v in theirs.items() if k != "transfer_proposed"} == {
        k: v for k, v in mine.items() if k != "transfer_proposed"}
    # the proposal would say where he lives: its agency and area read as the notification does
    assert theirs["transfer_proposed"] == {"notification_id": "N-1", "to": "[withheld: GMP]",
                                           "postcode_area": "[withheld: GMP]", "evidence": ["N-1"]}
    assert note["names"] == [{"person_id": "DM", "given_name": "Daniel", "family_name": "Marsh"}]
    assert client.get("/api/v1/register/persons/DM", headers=h(made["case_system-GMP"])).status_code == 403
    assert client.get("/api/v1/register/persons/NOBODY", headers=h(made["investigator-GMP"])).status_code == 404
    no_purpose = {"Authorization": h(made["investigator-GMP"])["Authorization"]}
    assert client.get("/api/v1/register/persons/DM", headers=no_purpose).status_code == 400


def test_an_agencys_key_reads_its_own_worklist_and_a_national_key_any(client: Any, made: dict[str, str]) -> None:
    gmp = client.get("/api/v1/register/overdue", headers=h(made["offender_manager-GMP"])).get_json()
    assert [(p["registration_id"], p["duty"], p["due_on"]) for p in gmp["persons"]] == [("REG-1", "annual", "2025-01-10")]
    assert gmp["agency"] == "GMP"
    wyp = client.get("/api/v1/register/overdue", headers=h(made["offender_manager-WYP"])).get_json()
    assert wyp["persons"] == [] and wyp["agency"] == "WYP"
    assert client.get("/api/v1/register/overdue?agency=GMP", headers=h(made["offender_manager-WYP"])).status_code == 403
    national = client.get("/api/v1/register/overdue?agency=GMP&limit=1",
                          headers=h(made["investigator-national"])).get_json()
    assert [p["registration_id"] for p in national["persons"]] == ["REG-1"]
    bad = client.get("/api/v1/register/overdue?cursor=xyz", headers=h(made["investigator-national"]))
    assert bad.status_code == 422 and "cursor" in json.dumps(bad.get_json()["error"]["details"])


def test_a_transfer_is_made_by_the_managing_agencys_offender_manager_and_audited(client: Any, db: Database,
                                                                                  made: dict[str, str]) -> None:
    path = "/api/v1/register/registrations/REG-1/transfer"
    body = {"to": "WYP", "reason": "notified a home in LS6 (N-1)"}
    assert client.post(path, json=body, headers=h(made["investigator-GMP"])).status_code == 403  # not his role
    assert client.post(path, json=body, headers=h(made["offender_manager-WYP"])).status_code == 403  # not his
    assert client.post(path, json={"to": "WYP"}, headers=h(made["offender_manager-GMP"])).status_code == 422
    r = client.post(path, json=body, headers=h(made["offender_manager-GMP"]))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert {k: r.get_json()[k] for k in ("from", "to", "reason")} == {"from": "GMP", "to": "WYP",
                                                                       "reason": body["reason"]}
    assert client.post(path, json=body, headers=h(made["offender_manager-GMP"])).status_code == 403  # WYP's now
    assert client.post(path, json=body, headers=h(made["offender_manager-WYP"])).status_code == 409
    shown = client.get("/api/v1/register/persons/DM", headers=h(made["offender_manager-WYP"])).get_json()
    assert shown["registrations"][0]["managed_by"] == "WYP" and shown["notifications"][0]["home_address"] == LEEDS
    assert shown["registrations"][0]["transfers"][0]["reason"] == body["reason"]
    # the reason may say where he lives: the agency that gave him up reads it withheld now
    before = client.get("/api/v1/register/persons/DM", headers=h(made["offender_manager-GMP"])).get_json()
    assert before["registrations"][0]["transfers"][0]["reason"] == "[withheld: WYP]"
    entries = db.execute("MATCH (e:AuditEntry {action: 'alteration'}) WHERE e.query CONTAINS 'REG-1/transfer' "
                         "RETURN e.status AS status, e.query AS query, e.person_ids AS ids, e.purpose AS purpose")
    done = [e for e in entries if e["status"] == "200"]
    assert len(done) == 1 and done[0]["ids"] == ["DM"] and done[0]["purpose"] == "OP-KESTREL/4"
    assert json.loads(done[0]["query"])["reason"] == body["reason"]
    # the refusals of the agency rule, the conflict and the bad body are audited too
    assert sorted(e["status"] for e in entries) == ["200", "403", "403", "409", "422"]


def test_a_duty_passing_its_last_day_alerts_the_managing_agency_once(client: Any, db: Database,
                                                                     made: dict[str, str]) -> None:
    import datetime as dt

    from graphsvc.services.alerts import raise_overdue
    from loaders.times import today as london_today

    today = london_today()
    start = (today - dt.timedelta(days=5)).isoformat()  # the initial notification was due 3 days ago
    r = client.post("/api/v1/records", headers=h(made["case_system-GMP"]), json=[
        {"kind": "registration", "id": "REG-2", "source": "GMP", "person_id": "DM", "basis": "conviction",
         "start_on": start}])
    assert r.status_code == 200, r.get_data(as_text=True)
    subs = {}
    for who in ("offender_manager-GMP", "offender_manager-WYP", "investigator-national"):
        s = client.post("/api/v1/subscriptions", headers=h(made[who]), json={
            "url": "http://127.0.0.1:9/overdue", "secret": "overdue-secret-0123456789",
            "rules": ["notification_overdue"]})
        assert s.status_code == 201, s.get_data(as_text=True)
        subs[who] = s.get_json()["id"]
    assert raise_overdue(db, today) == 2  # GMP's and the national subscription; REG-1 is long overdue
    assert raise_overdue(db, today) == 0  # once per registration and last day
    gmp = client.get("/api/v1/alerts", headers=h(made["offender_manager-GMP"])).get_json()["alerts"]
    assert [(a["rule"], a["evidence"]) for a in gmp] == [("notification_overdue", ["REG-2", "DM"])]
    due = (today - dt.timedelta(days=3)).isoformat()
    assert f"initial notification of DM (registration REG-2, managed by GMP) was due by {due}: 3 day(s)" in \
        gmp[0]["message"]
    assert client.get("/api/v1/alerts", headers=h(made["offender_manager-WYP"])).get_json()["alerts"] == []
    # the notification, made late, ends it: nothing more is raised
    client.post("/api/v1/records", headers=h(made["case_system-GMP"]), json=[
        {"kind": "notification", "id": "N-2", "source": "GMP", "person_id": "DM", "registration_id": "REG-2",
         "notified_on": today.isoformat(), "type": "initial", "names": [{"given_name": "Daniel", "family_name": "Marsh"}],
         "home_address": LEEDS}])
    assert raise_overdue(db, today + dt.timedelta(days=1)) == 0
