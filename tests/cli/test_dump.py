"""`graphsvc dump` then `graphsvc restore` into an empty database gives the same graph (contract
section 8, docs/backup.md): records with forward references and placeholders, identity links
proposed, confirmed and rejected through the real resolution and the links CLI, a transferred
registration, a property set on a record node by hand (standing for review decisions), a
subscription with an alert; and the refusals: a register not empty, an unknown version, bad
lines (named by line, kind and field), a cut-off dump, an unsigned subscription of a live key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from graphsvc.cli import main
from graphsvc.graph.db import Database
from graphsvc.graph.fingerprint import fingerprint
from graphsvc.repository import alerts as alert_store
from graphsvc.security import keys as auth
from graphsvc.security.keys import Principal
from graphsvc.security.policy import Role
from graphsvc.services import alerts as alert_service
from graphsvc.services import register as register_service
from tests.records_factory import register

SECRET = "a-receivers-shared-secret-0123"


def _pair(pid: str, source: str, given: str, family: str, dob: str, phone: str) -> dict[str, Any]:
    return {"kind": "person", "id": pid, "source": source, "given_name": given, "family_name": family,
            "dob": dob, "phones": [phone]}


#: three pairs of records the resolution links (day and month of birth transposed, one phone)
PAIRS = [
    _pair("L-A1", "WMP", "Jonathan", "Smith", "1980-04-12", "07700 900111"),
    _pair("L-A2", "GMP", "Jon", "Smyth", "1980-12-04", "+44 7700 900111"),
    _pair("L-B1", "WMP", "Michael", "Jones", "1975-03-07", "07700 900333"),
    _pair("L-B2", "BTP", "Mike", "Jones", "1975-07-03", "+44 7700 900333"),
    _pair("L-C1", "GMP", "Peter", "Walsh", "1990-02-11", "07700 900444"),
    _pair("L-C2", "WMP", "Pete", "Walsh", "1990-11-02", "+44 7700 900444"),
]

EXTRA = [
    # forward references: a victim and an order never loaded (placeholders), an order loaded later
    {"kind": "incident", "id": "X-1", "source": "BTP", "occurred_at": "2024-06-01T23:30:00+01:00",
     "reported_at": "2024-06-02T09:00:00Z", "type": "breach", "offender_ids": ["T-P-O0"], "victim_ids": ["ZZ-unloaded"],
     "breached_order_ids": ["T-O-0", "O-never-loaded"], "outcome": "charged", "description": "Sat outside — «again»",
     "identifiers_used": {"emails": ["Someone@Example.org"], "vehicles": ["ab12cde"]}},
    {"kind": "person", "id": "X-P", "source": "BTP", "aliases": ["Zed", "Zee"], "gender": "F", "dob": "1990-12-31",
     "handles": [{"platform": "tiktok", "handle": "@Zed"}]},
    {"kind": "registration", "id": "REG-1", "source": "GMP", "person_id": "T-P-O1", "basis": "conviction",
     "start_on": "2024-01-10", "managing_agency": "GMP", "manager": "PC 4127"},
    {"kind": "notification", "id": "N-1", "source": "GMP", "person_id": "T-P-O1", "registration_id": "REG-1",
     "notified_on": "2024-01-11", "type": "initial", "names": [{"given_name": "Off", "family_name": "Ender"}],
     "home_address": {"line1": "1 Low St", "town": "Salford", "postcode": "M5 4WT"}, "station": "Salford"},
    {"kind": "notification", "id": "N-2", "source": "GMP", "person_id": "T-P-O1", "registration_id": "REG-1",
     "notified_on": "2024-03-02", "type": "address", "changed_on": "2024-03-01",
     "home_address": {"line1": "4 Park Row", "town": "Leeds", "postcode": "LS1 5HD"},
     "names": [{"given_name": "Off", "family_name": "Ender"}]},
    {"kind": "registration", "id": "REG-2", "source": "MPS", "person_id": "NOT-LOADED", "basis": "order",
     "order_id": "T-O-1", "start_on": "2024-02-01", "managing_agency": "MPS"},
]

def _ok(result: Any) -> None:
    assert result.exit_code == 0, result.output


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines),
                    encoding="utf-8")
    return path


def _principal(db: Database) -> Principal:
    _, public = auth.create_key(db, role="investigator", name="alerts-test")
    return Principal(key_id=public["key_id"], name="alerts-test", role=Role.INVESTIGATOR)


def _register_with_decisions(db: Database, load: Any, runner: CliRunner, env: dict[str, str]) -> None:
    """The register of the round trip, built through the real services and commands."""
    summary = load(register(30, seed=5) + PAIRS + EXTRA)
    assert summary.rejected_records == 0
    _ok(runner.invoke(main, ["resolve", "--purpose", "test"], env=env))
    links = {(r["a"], r["b"]): r["status"] for r in db.execute(
        "MATCH (a:Person)-[r:POSSIBLY_SAME_AS]->(b:Person) RETURN a.id AS a, b.id AS b, r.status AS status")}
    for pair in (("L-A1", "L-A2"), ("L-B1", "L-B2"), ("L-C1", "L-C2")):
        assert links.get(pair) == "proposed", links
    _ok(runner.invoke(main, ["links", "confirm", "L-A1", "L-A2", "--reason", "same phone, DOB transposed",
                             "--purpose", "OP-1"], env=env))
    _ok(runner.invoke(main, ["links", "reject", "L-B1", "L-B2", "--reason", "twins: different men",
                             "--purpose", "OP-1"], env=env))
    register_service.transfer(db, "REG-1", "WYP", "moved to LS1 (N-2)", by="key-1")
    # standing for the review decisions another module keeps on record nodes: any property,
    # typed values included, must come back as it was
    db.execute("""
        MATCH (p:Person {id: 'T-P-O1'}), (i:Incident {id: 'X-1'}), (z:Person {id: 'ZZ-unloaded'})
        SET p.decided_on = [date('2025-01-02'), date('2026-01-03')],
            p.decided_at = datetime('2025-01-02T10:00:00.123456789+01:00'),
            p.zoned_at = datetime('2025-07-02T10:00:00[Europe/London]'),
            p.utc_zone_at = datetime('2025-07-02T10:00:00Z[UTC]'),
            p.local_at = localdatetime('2025-01-02T10:00:00'), p.kept_for = duration('P6Y2M1DT3H'),
            p.times = [time('10:00:00+01:00')], p.ratio = 0.1, p.count = 3, p.flag = true, p.notes = ['a', 'b'],
            i.reviewed_by = 'admin-7', z.marked = 'a placeholder with a note'
    """)
    who = _principal(db)
    sub = alert_service.subscribe(db, who, url="http://127.0.0.1:9/hook", secret=SECRET, rules=["new_victim"])
    load([{"kind": "person", "id": "NV-1", "source": "MPS", "given_name": "New", "family_name": "Victim"},
          {"kind": "incident", "id": "NV-I", "source": "MPS", "occurred_at": "2025-01-05", "type": "call",
           "offender_ids": ["T-P-O2"], "victim_ids": ["NV-1"]}])
    raised = db.execute("MATCH (a:Alert) RETURN a.id AS id")
    assert raised, "the new victim raised no alert"
    alert_store.mark_attempt(db, raised[0]["id"], delivered=False, failed=False, error="the receiver answered 503",
                             next_attempt_at="2025-01-05T10:00:00+00:00")
    alert_service.ack(db, who, raised[0]["id"], "seen")
    assert sub["id"]


def test_dump_and_restore_rebuild_the_register(db, load, tmp_path, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    _register_with_decisions(db, load, runner, neo4j_env)
    before = fingerprint(db)
    out, secrets = tmp_path / "dump.jsonl", tmp_path / "secrets.jsonl"
    _ok(runner.invoke(main, ["dump", "-o", str(out), "--secrets-out", str(secrets)], env=neo4j_env))
    assert secrets.stat().st_mode & 0o077 == 0
    lines = _lines(out)
    header, end = lines[0], lines[-1]
    assert header["kind"] == "graphsvc_dump" and header["version"] == 2
    assert end["kind"] == "graphsvc_dump_end" and end["dump_id"] == header["dump_id"]
    kinds = [line["kind"] for line in lines[1:-1]]
    records = [line for line in lines[1:-1] if line["kind"] in ("person", "order", "incident", "registration",
                                                                 "notification")]
    assert kinds[: len(records)] == [r["kind"] for r in records]  # records first, as the contract writes them
    assert {"node_state", "identity_link", "subscription", "alert", "alert_head"} <= set(kinds)
    assert SECRET not in out.read_text(encoding="utf-8") and SECRET in secrets.read_text(encoding="utf-8")
    state = {(s["label"], s["id"]): s["props"] for s in lines if s["kind"] == "node_state"}
    assert state[("Registration", "REG-1")]["managed_by"] == "WYP"
    assert state[("Person", "T-P-O1")]["zoned_at"] == {"$datetime": "2025-07-02T10:00:00+01:00[Europe/London]"}
    assert state[("Person", "ZZ-unloaded")]["placeholder"] is True

    db.execute("MATCH (n) DETACH DELETE n")
    result = runner.invoke(main, ["restore", str(out), "--secrets", str(secrets)], env=neo4j_env)
    _ok(result)
    summary = json.loads(result.stdout)
    statuses = sorted({line["props"]["status"] for line in lines if line["kind"] == "identity_link"})
    assert statuses == ["confirmed", "proposed", "rejected"]
    assert summary["identity_links"] == end["counts"]["identity_link"] == before.types["POSSIBLY_SAME_AS"]
    assert summary["subscriptions"] == 1 and summary["alerts"] >= 1
    assert summary["subscriptions_without_secret"] == []
    after = fingerprint(db)
    assert (after.nodes, after.relationships) == (before.nodes, before.relationships)
    assert after.labels == before.labels and after.types == before.types
    assert after == before
    zoned = db.execute("MATCH (p:Person {id: 'T-P-O1'}) RETURN toString(p.zoned_at) AS z, toString(p.utc_zone_at) AS u")
    assert zoned == [{"z": "2025-07-02T10:00:00+01:00[Europe/London]", "u": "2025-07-02T10:00:00Z[UTC]"}]
    _ok(runner.invoke(main, ["state", "verify"], env=neo4j_env))

    # a restore into what now holds the register is refused, and changes nothing
    result = runner.invoke(main, ["restore", str(out), "--secrets", str(secrets)], env=neo4j_env)
    assert result.exit_code == 1 and "not empty" in result.output
    assert fingerprint(db) == before


def test_a_version_1_dump_restores_its_records(db, load, tmp_path, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    assert load(register(20, seed=3) + EXTRA).rejected_records == 0
    before = fingerprint(db)
    out = tmp_path / "dump.jsonl"
    _ok(runner.invoke(main, ["dump", "-o", str(out)], env=neo4j_env))
    # what graphsvc dump wrote before version 2: the records alone, no header
    v1 = _write(tmp_path / "v1.jsonl", [x for x in _lines(out) if x["kind"] in
                                        ("person", "order", "incident", "registration", "notification")])
    db.execute("MATCH (n) DETACH DELETE n")
    result = runner.invoke(main, ["restore", str(v1)], env=neo4j_env)
    _ok(result)
    assert json.loads(result.stdout)["version"] == 1
    assert fingerprint(db) == before
    _ok(runner.invoke(main, ["state", "verify"], env=neo4j_env))


def test_bad_dumps_are_refused_by_line_kind_and_field_before_anything_is_written(  # type: ignore[no-untyped-def]
        db, load, tmp_path, neo4j_env, runner: CliRunner) -> None:
    assert load(register(10, seed=2) + EXTRA).rejected_records == 0
    db.execute("MATCH (r:Registration {id: 'REG-1'}) SET r.kept_until = date('2030-01-01')")
    out = tmp_path / "dump.jsonl"
    _ok(runner.invoke(main, ["dump", "-o", str(out)], env=neo4j_env))
    good = _lines(out)
    db.execute("MATCH (n) DETACH DELETE n")
    incident = next(i for i, x in enumerate(good) if x["kind"] == "incident")
    state = next(i for i, x in enumerate(good) if x["kind"] == "node_state" and x["id"] == "REG-1")

    def changed(index: int, **fields: Any) -> list[dict[str, Any] | str]:
        lines: list[dict[str, Any] | str] = list(good)
        lines[index] = {**good[index], **fields}
        return lines

    bad_state = dict(good[state]["props"], kept_until={"$dat": "2030-01-01"})
    cases: list[tuple[str, list[dict[str, Any] | str], str]] = [
        ("version", [{**good[0], "version": 99}, *good[1:]], ":1: graphsvc_dump: version: version 99 is not one"),
        ("record", changed(incident, type="bogus"), f":{incident + 1}: incident: type: "),
        ("typed", changed(state, props=bad_state), f":{state + 1}: node_state: props.kept_until: unknown typed value"),
        ("json", [*good[:3], '{"kind": "person", "id": ', *good[4:]], ":4: line: line: invalid JSON"),
        ("cut", good[:-1], "no graphsvc_dump_end line: the dump is cut off"),
        ("kind", [*good[:-1], {"kind": "mystery"}, good[-1]], f":{len(good)}: mystery: kind: not a line kind"),
    ]
    for name, lines, message in cases:
        path = _write(tmp_path / f"{name}.jsonl", lines)
        result = runner.invoke(main, ["restore", str(path)], env=neo4j_env)
        assert result.exit_code == 1, (name, result.output)
        assert message in result.output and "nothing was written" in result.output, (name, result.output)
        assert db.execute("MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n") == [{"n": 0}], name


def test_a_subscription_restored_without_its_secret(db, load, tmp_path, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    assert load(register(10, seed=2)).rejected_records == 0
    who = _principal(db)
    sub = alert_service.subscribe(db, who, url="http://127.0.0.1:9/hook", secret=SECRET, rules=["serial"])
    out, secrets = tmp_path / "dump.jsonl", tmp_path / "secrets.jsonl"
    _ok(runner.invoke(main, ["dump", "-o", str(out), "--secrets-out", str(secrets)], env=neo4j_env))
    # the register emptied, its keys kept (a native restore of keys and audit, then this dump)
    db.execute("MATCH (n) WHERE NOT n:ApiKey DETACH DELETE n")
    result = runner.invoke(main, ["restore", str(out)], env=neo4j_env)
    assert result.exit_code == 1 and "without their secret" in result.output and "--secrets" in result.output
    assert db.execute("MATCH (n:Person) RETURN count(n) AS n") == [{"n": 0}]
    _ok(runner.invoke(main, ["restore", str(out), "--secrets", str(secrets)], env=neo4j_env))
    assert db.execute("MATCH (s:Subscription) RETURN s.secret AS secret") == [{"secret": SECRET}]
    # into a database without its key: restored without the secret, and said so
    db.execute("MATCH (n) DETACH DELETE n")
    result = runner.invoke(main, ["restore", str(out)], env=neo4j_env)
    _ok(result)
    assert json.loads(result.stdout)["subscriptions_without_secret"] == [sub["id"]]
    assert db.execute("MATCH (s:Subscription) RETURN s.secret AS secret, s.url AS url") == [
        {"secret": None, "url": "http://127.0.0.1:9/hook"}]
    # the secrets of another dump are refused
    _ok(runner.invoke(main, ["dump", "-o", str(tmp_path / "other.jsonl")], env=neo4j_env))
    db.execute("MATCH (n) DETACH DELETE n")
    result = runner.invoke(main, ["restore", str(tmp_path / "other.jsonl"), "--secrets", str(secrets)], env=neo4j_env)
    assert result.exit_code == 1 and "not the secrets of this dump" in result.output


def test_a_dump_refuses_a_register_holding_what_it_does_not_know(db, load, tmp_path, neo4j_env,  # type: ignore[no-untyped-def]
                                                                 runner: CliRunner) -> None:
    assert load(register(5, seed=2)).rejected_records == 0
    db.execute("MATCH (p:Person) WITH p LIMIT 1 CREATE (p)-[:REVIEWED_IN]->(:ReviewFile {id: 'RF-1'})")
    result = runner.invoke(main, ["dump", "-o", str(tmp_path / "dump.jsonl")], env=neo4j_env)
    assert result.exit_code != 0
    assert "label ReviewFile" in result.output and "relationship type REVIEWED_IN" in result.output
