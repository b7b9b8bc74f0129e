"""The register's records, duties, worklist, flags and transfers against a real Neo4j (issue #21,
contract section 7)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner

from graphsvc import services
from graphsvc.cli import main
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.repository.dump import RECORD_KINDS, record_pages
from graphsvc.services import register as register_service
from loaders.times import today as london_today
from tests.analysis_records import person

TODAY = london_today()
HOME = {"line1": "1 Kiln Row", "town": "Manchester", "postcode": "M5 4WT"}
LEEDS = {"line1": "7 Mill Lane", "town": "Leeds", "postcode": "LS6 2QT"}


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def registration(rid: str, pid: str, start: str, basis: str = "conviction", **kw: Any) -> dict[str, Any]:
    rec = {"kind": "registration", "id": rid, "source": "GMP", "person_id": pid, "basis": basis, "start_on": start,
           "manager": "PC 4127", **kw}
    return rec


def notification(nid: str, rid: str, pid: str, on: str, type_: str = "initial", **kw: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"kind": "notification", "id": nid, "source": "GMP", "person_id": pid,
                           "registration_id": rid, "notified_on": on, "type": type_, "station": "Salford Central",
                           **kw}
    if type_ == "initial":
        rec.setdefault("names", [{"given_name": "Daniel", "family_name": "Marsh"}])
        rec.setdefault("home_address", HOME)
    return rec


def _link(db, a: str, b: str) -> None:  # type: ignore[no-untyped-def]
    db.execute("MATCH (a:Person {id: $a}), (b:Person {id: $b}) "
               "CREATE (a)-[:POSSIBLY_SAME_AS {probability: 1.0, status: 'confirmed', evidence: '{}', "
               "decided_by: 'test'}]->(b)", a=a, b=b)


def _due(db, rid: str) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    row = db.execute("MATCH (r:Registration {id: $id}) RETURN r.due_duty AS duty, r.due_on AS due", id=rid)[0]
    return row["duty"], row["due"].to_native() if row["due"] is not None else None


def test_records_arrive_in_any_order_and_the_due_duty_is_kept_as_they_do(db, load) -> None:  # type: ignore[no-untyped-def]
    start = days_ago(400)
    # the notification first, then its registration, then the person: placeholders until each arrives
    s = load([notification("N-1", "REG-1", "DM", days_ago(399))])
    assert s.rejected_records == 0
    s = load([registration("REG-1", "DM", start)])
    assert s.rejected_records == 0 and s.written.registrations == 1
    assert _due(db, "REG-1") == ("annual", _annual_due(days_ago(399)))
    load([person("DM", "Daniel", "Marsh", source="GMP")])
    out = register_service.register_person(db, "DM", TODAY)
    assert [r["registration_id"] for r in out["registrations"]] == ["REG-1"]
    assert [n["notification_id"] for n in out["notifications"]] == ["N-1"]
    assert out["last_notified"]["home_address"] == HOME and out["last_notified"]["evidence"] == ["N-1"]
    # a year (less a day) from the notification, never met: overdue today
    annual = [d for d in out["duties"] if d["kind"] == "annual"][0]
    assert annual["due_on"] == _annual_due(days_ago(399)).isoformat() and annual["overdue"] is True
    initial = [d for d in out["duties"] if d["kind"] == "initial"][0]
    assert initial["met_on"] == days_ago(399) and not initial["late"] and initial["evidence"] == ["N-1"]
    # a later notification (the annual one) moves the kept duty a year on
    load([notification("N-2", "REG-1", "DM", days_ago(10), "annual")])
    assert _due(db, "REG-1") == ("annual", _annual_due(days_ago(10)))
    # and taking it back (a corrected copy naming another registration) moves it back
    load([notification("N-2", "REG-X", "DM", days_ago(10), "annual")])
    assert _due(db, "REG-1") == ("annual", _annual_due(days_ago(399)))


def _annual_due(notified: str) -> dt.date:
    from graphsvc.analysis.register import add_months

    return add_months(dt.date.fromisoformat(notified), 12) - dt.timedelta(days=1)


def test_bad_registration_and_notification_records_are_refused_whole(db, load) -> None:  # type: ignore[no-untyped-def]
    s = load([
        registration("REG-B1", "DM", days_ago(30), basis="order"),  # no order_id
        registration("REG-B2", "DM", days_ago(30), end_on=days_ago(40)),  # ends before it starts
        notification("N-B1", "REG-1", "DM", days_ago(5), home_address=None),  # initial without a home
        notification("N-B2", "REG-1", "DM", days_ago(5), "annual", changed_on=days_ago(6)),
        notification("N-B3", "REG-1", "DM", (TODAY + dt.timedelta(days=2)).isoformat(), "annual"),
        {**registration("REG-B3", "DM", days_ago(30)), "basis": "caution"},
    ])
    faults = {(r.id, r.field) for r in s.rejects}
    assert s.rejected_records == 6 and s.written.total == 0
    assert {("REG-B1", "order_id"), ("REG-B2", "end_on"), ("N-B1", "home_address"), ("N-B2", "changed_on"),
            ("N-B3", "notified_on"), ("REG-B3", "basis")} <= faults
    assert all(r.line >= 1 and r.message for r in s.rejects)
    assert db.execute("MATCH (n) WHERE n:Registration OR n:Notification RETURN count(n) AS n")[0]["n"] == 0


def _worklist(load) -> None:  # type: ignore[no-untyped-def]
    load([
        person("A", "Alan", "Ash", source="GMP"), person("B", "Bryn", "Birch", source="WYP"),
        person("C", "Carl", "Cedar", source="GMP"), person("E", "Evan", "Elm", source="GMP"),
        registration("REG-A", "A", days_ago(30)),  # initial due 28 days ago, never made
        registration("REG-B", "B", days_ago(10), source="WYP"),  # due 8 days ago
        registration("REG-C", "C", days_ago(20)),  # made in time: not overdue
        notification("N-C", "REG-C", "C", days_ago(19)),
        registration("REG-E", "E", days_ago(60), end_on=days_ago(5)),  # ended: off the worklist
        registration("REG-F", "A", days_ago(2)),  # its last day is today: not yet
    ])


def test_the_worklist_is_longest_overdue_first_paginated_and_by_agency(db, load) -> None:  # type: ignore[no-untyped-def]
    _worklist(load)
    page = register_service.overdue(db, limit=1, today=TODAY)
    assert [(p["registration_id"], p["person_id"], p["duty"], p["days_overdue"]) for p in page["persons"]] == [
        ("REG-A", "A", "initial", 28)]
    rest = register_service.overdue(db, cursor=page["next_cursor"], limit=1, today=TODAY)
    assert [p["registration_id"] for p in rest["persons"]] == ["REG-B"] and rest["next_cursor"] is None
    assert [p["registration_id"] for p in register_service.overdue(db, "WYP", today=TODAY)["persons"]] == ["REG-B"]
    assert [p["managing_agency"] for p in register_service.overdue(db, "GMP", today=TODAY)["persons"]] == ["GMP"]
    # REG-F on its last day and the day after it
    assert "REG-F" not in [p["registration_id"] for p in register_service.overdue(db, today=TODAY)["persons"]]
    assert "REG-F" in [p["registration_id"] for p in
                       register_service.overdue(db, today=TODAY + dt.timedelta(days=1))["persons"]]
    with pytest.raises(InvalidInput):
        register_service.overdue(db, cursor="not-a-cursor")


def _operators(plan: Any) -> list[str]:
    return [f"{plan['operatorType']} {plan.get('args', {}).get('Details', '')}",
            *(op for child in plan.get("children", []) for op in _operators(child))]


def test_the_worklist_reads_the_due_index_in_its_order(db, load) -> None:  # type: ignore[no-untyped-def]
    from neo4j import Query

    from graphsvc.graph.queries import query

    _worklist(load)
    for name, params in (("find_overdue_registrations", {}), ("find_overdue_registrations_of", {"agency": "GMP"})):
        _, summary, _ = db.driver.execute_query(
            Query("EXPLAIN " + query(name)), {"today": TODAY, "after_due": None, "after_id": None, "limit": 10,
                                               **params}, database_=db.database)
        ops = _operators(summary.plan)
        assert any("Index" in op and "due_on" in op for op in ops), ops
        # read in the index's order: a partial top over the page, not a sort of every overdue row
        assert not any(op.startswith(("Sort", "Top", "NodeByLabelScan", "AllNodesScan", "Union")) for op in ops), ops


def test_check_and_profile_flag_a_registered_man_and_another_forces_record_of_a_new_home(db, load) -> None:  # type: ignore[no-untyped-def]
    load([
        person("DM", "Daniel", "Marsh", source="GMP", dob="1984-03-02", addresses=[HOME]),
        person("WYP-DM", "Daniel", "Marsh", source="WYP", dob="1984-03-02", addresses=[LEEDS]),
        registration("REG-1", "DM", days_ago(500), managing_agency="GMP"),
        notification("N-1", "REG-1", "DM", days_ago(499)),
    ])
    _link(db, "DM", "WYP-DM")
    profile = services.person_profile(db, "DM")
    flags = {f["code"]: f for f in profile["flags"]}
    assert flags["REGISTERED"]["evidence"] == ["REG-1"] and "managed by GMP (PC 4127)" in flags["REGISTERED"]["message"]
    assert flags["NOTIFICATION_OVERDUE"]["evidence"] == ["REG-1"]  # the annual one, a year and more ago
    assert flags["UNNOTIFIED_ADDRESS"]["evidence"] == ["WYP-DM"]  # Leeds: he never notified it
    check = services.check(db, {"given_name": "Daniel", "family_name": "Marsh", "dob": "1984-03-02"})
    top = check["matches"][0]
    assert {f["code"]: f["evidence"] for f in top["flags"] if f["code"] in flags} == {
        c: f["evidence"] for c, f in flags.items()}
    # his own record alone gives only what he notified
    alone = register_service.register_person(db, "DM", TODAY)
    assert "UNNOTIFIED_ADDRESS" not in [f["code"] for f in alone["flags"]]
    # notifying the move clears it
    load([notification("N-2", "REG-1", "DM", days_ago(1), "address", home_address=LEEDS, changed_on=days_ago(2))])
    codes = [f["code"] for f in services.person_profile(db, "DM")["flags"]]
    assert "UNNOTIFIED_ADDRESS" not in codes and "NOTIFICATION_OVERDUE" not in codes and "REGISTERED" in codes


def test_a_home_in_another_forces_area_is_proposed_for_transfer_and_the_transfer_is_kept(db, load) -> None:  # type: ignore[no-untyped-def]
    load([
        person("DM", "Daniel", "Marsh", source="GMP"),
        registration("REG-1", "DM", days_ago(100)),
        notification("N-1", "REG-1", "DM", days_ago(99)),
        notification("N-2", "REG-1", "DM", days_ago(3), "address", home_address=LEEDS, changed_on=days_ago(4)),
    ])
    reg = register_service.register_person(db, "DM", TODAY)["registrations"][0]
    assert reg["transfer_proposed"] == {"notification_id": "N-2", "to": "WYP", "postcode_area": "LS",
                                       "evidence": ["N-2"]}
    out = register_service.transfer(db, "REG-1", "WYP", "moved to LS6 (N-2)", by="key-1", today=TODAY)
    assert (out["from"], out["to"]) == ("GMP", "WYP")
    reg = register_service.register_person(db, "DM", TODAY)["registrations"][0]
    assert reg["managed_by"] == "WYP" and reg["transfer_proposed"] is None
    assert reg["transfers"] == [{"registration_id": "REG-1", "from": "GMP", "to": "WYP", "on": TODAY.isoformat(), "by": "key-1",
                                 "reason": "moved to LS6 (N-2)"}]
    # a later copy of the registration from GMP does not undo the transfer
    load([registration("REG-1", "DM", days_ago(100))])
    assert register_service.register_person(db, "DM", TODAY)["registrations"][0]["managed_by"] == "WYP"
    with pytest.raises(Conflict):
        register_service.transfer(db, "REG-1", "WYP", "again", by="key-1")
    with pytest.raises(NotFound):
        register_service.transfer(db, "REG-NONE", "WYP", "x", by="key-1")
    # a check that read GMP before WYP's transfer moves nothing: another transfer came first
    stale = {"id": "REG-1", "managed_by": "GMP", "person_id": "DM"}
    with pytest.raises(Conflict, match="transferred meanwhile"):
        register_service.transfer(db, "REG-1", "MPS", "late", by="key-2", held=stale)
    assert register_service.register_person(db, "DM", TODAY)["registrations"][0]["managed_by"] == "WYP"
    with pytest.raises(InvalidInput):
        register_service.transfer(db, "REG-1", "MPS", "   ", by="key-1")


def test_the_dump_holds_registrations_and_notifications_and_loads_back_the_same(db, load, tmp_path) -> None:  # type: ignore[no-untyped-def]
    records = [
        person("DM", "Daniel", "Marsh", source="GMP"),
        registration("REG-1", "DM", days_ago(100), end_on=days_ago(-300)),
        notification("N-1", "REG-1", "DM", days_ago(99), reference="ACK-1"),
        notification("N-2", "REG-1", "DM", days_ago(3), "name", names=[{"given_name": "Dan", "family_name": "Marsh"}],
                     changed_on=days_ago(4)),
    ]
    load(records)

    def dump_records(db):  # type: ignore[no-untyped-def]
        return (row.record for kind in RECORD_KINDS for row in record_pages(db, kind))

    before = sorted((json.dumps(r, sort_keys=True, default=str) for r in dump_records(db)))
    kinds = {json.loads(r)["kind"] for r in before}
    assert {"registration", "notification"} <= kinds
    shown = register_service.register_person(db, "DM", TODAY)
    db.execute("MATCH (n) DETACH DELETE n")
    load([json.loads(r) for r in before])
    after = sorted((json.dumps(r, sort_keys=True, default=str) for r in dump_records(db)))
    assert after == before
    assert register_service.register_person(db, "DM", TODAY) == shown


def test_the_cli_shows_a_person_and_the_worklist(db, load, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    _worklist(load)
    res = runner.invoke(main, ["register", "overdue", "--purpose", "OP-1", "--limit", "5"], env=neo4j_env)
    assert res.exit_code == 0, res.output
    assert [p["registration_id"] for p in json.loads(res.output)["persons"]] == ["REG-A", "REG-B"]
    res = runner.invoke(main, ["register", "show", "A", "--purpose", "OP-1"], env=neo4j_env)
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["duties"][0]["overdue"] is True
    res = runner.invoke(main, ["register", "show", "NOBODY", "--purpose", "OP-1"], env=neo4j_env)
    assert res.exit_code != 0 and "no person" in res.output


def test_refresh_works_the_kept_duties_out_again_after_a_period_changes(db, load, neo4j_env,  # type: ignore[no-untyped-def]
                                                                      runner: CliRunner) -> None:
    _worklist(load)
    assert _due(db, "REG-A") == ("initial", dt.date.fromisoformat(days_ago(28)))
    res = runner.invoke(main, ["register", "refresh"], env={**neo4j_env, "GRAPHSVC_REGISTER_NOTIFY_DAYS": "7"})
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["registrations"] == 5
    assert _due(db, "REG-A") == ("initial", dt.date.fromisoformat(days_ago(24)))  # 7 days beginning with the start
    assert _due(db, "REG-C") == ("annual", _annual_due(days_ago(19)))  # met: the year runs from it
