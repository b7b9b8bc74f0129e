"""Loading records into the real Neo4j: schema, placeholders, idempotence, replacement,
rejects, CSV, and convergence after a load is killed (the loader, or Neo4j itself)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphsvc.services.state_verify import verify as verify_state

from graphsvc.graph import localdb
from graphsvc.cli import main
from graphsvc.graph.fingerprint import fingerprint
from graphsvc.repository import alerts as alerts_repo
from tests.records_factory import register

STALKER = {"kind": "person", "id": "P-1", "source": "WMP", "given_name": "Jon", "family_name": "Smyth",
           "phones": ["07700 900123"], "handles": [{"platform": "instagram", "handle": "@js_x"}]}
VICTIM = {"kind": "person", "id": "V-1", "source": "MPS", "given_name": "Ann", "family_name": "Lee"}
CALL = {"kind": "incident", "id": "I-1", "source": "MPS", "occurred_at": "2024-03-01T10:00:00Z", "type": "call",
        "offender_ids": ["P-1"], "victim_ids": ["V-1"], "identifiers_used": {"phones": ["+447700900123"]}}


def count(db, query: str, **params) -> int:  # type: ignore[no-untyped-def]
    return db.execute(query, **params)[0]["n"]


def test_schema_is_idempotent(db) -> None:  # type: ignore[no-untyped-def]
    before = {r["name"] for r in db.execute("SHOW CONSTRAINTS YIELD name RETURN name")}
    db.apply_schema()
    db.apply_schema()
    after = {r["name"] for r in db.execute("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert before == after
    assert {"person_id", "incident_id", "order_id", "phone_value", "agency_code"} <= after
    indexes = {r["name"]: r["type"] for r in db.execute("SHOW INDEXES YIELD name, type RETURN name, type")}
    assert indexes["person_names"] == "FULLTEXT"


def test_forward_references_become_placeholders_then_records(db, load) -> None:  # type: ignore[no-untyped-def]
    load([CALL])
    rows = db.execute("MATCH (p:Person) RETURN p.id AS id, p.placeholder AS ph, labels(p) AS labels ORDER BY id")
    assert [(r["id"], r["ph"]) for r in rows] == [("P-1", True), ("V-1", True)]
    assert "Offender" in rows[0]["labels"] and "Victim" in rows[1]["labels"]
    load([STALKER, VICTIM])
    rows = db.execute("MATCH (p:Person) RETURN p.id AS id, p.placeholder AS ph, p.given_name AS name ORDER BY id")
    assert [(r["id"], r["ph"], r["name"]) for r in rows] == [("P-1", None, "Jon"), ("V-1", None, "Ann")]
    # the phone the perpetrator used is the same node as the stalker's own phone
    assert count(db, "MATCH (:Person {id:'P-1'})-[:HAS_IDENTIFIER]->(ph:Phone)<-[:USED]-(:Incident {id:'I-1'}) RETURN count(ph) AS n") == 1


def test_forward_reference_order_does_not_matter(db, load) -> None:  # type: ignore[no-untyped-def]
    load([CALL, STALKER, VICTIM])
    first = fingerprint(db)
    db.execute("MATCH (n) DETACH DELETE n")
    load([STALKER, VICTIM, CALL], batch_size=1)
    assert fingerprint(db) == first


def test_reloading_changes_nothing(db, load) -> None:  # type: ignore[no-untyped-def]
    records = register(60)
    load(records)
    first = fingerprint(db)
    load(records)
    load(records, batch_size=7)
    assert fingerprint(db) == first


def test_the_fingerprint_leaves_the_services_bookkeeping_out(db, load) -> None:  # type: ignore[no-untyped-def]
    # what a served register writes beside its records (here the alert dispatcher's lease) must
    # not make it differ from a load or a restore of the same records
    load(register(5, seed=3))
    first = fingerprint(db)
    assert alerts_repo.take_lease(db, "worker-1", 30)
    assert fingerprint(db) == first


def test_a_changed_record_replaces_its_values_and_links(db, load) -> None:  # type: ignore[no-untyped-def]
    load([STALKER, VICTIM, CALL])
    changed = dict(STALKER, family_name="Smith", phones=["07700 900456"], handles=[], dob="1985-04-03")
    load([changed])
    person = db.execute("MATCH (p:Person {id:'P-1'}) RETURN p.family_name AS f, p.dob AS dob")[0]
    assert person["f"] == "Smith" and person["dob"].iso_format() == "1985-04-03"
    phones = [r["v"] for r in db.execute("MATCH (:Person {id:'P-1'})-[:HAS_IDENTIFIER]->(x) RETURN x.value AS v")]
    assert phones == ["+447700900456"]
    # the old phone stays: the incident still used it; the handle nobody holds any more is gone
    assert count(db, "MATCH (x:Phone {value:'+447700900123'}) RETURN count(x) AS n") == 1
    assert count(db, "MATCH (x:Handle) RETURN count(x) AS n") == 0
    # a field left out is removed, not kept from before
    load([dict(changed, dob=None)])
    assert db.execute("MATCH (p:Person {id:'P-1'}) RETURN p.dob AS dob")[0]["dob"] is None


def test_replacing_an_incident_updates_roles_and_drops_unneeded_placeholders(db, load) -> None:  # type: ignore[no-untyped-def]
    load([CALL])  # P-1 and V-1 are placeholders
    load([dict(CALL, offender_ids=[], victim_ids=["V-2"])])
    ids = [r["id"] for r in db.execute("MATCH (p:Person) RETURN p.id AS id ORDER BY id")]
    assert ids == ["V-2"]
    load([STALKER, dict(CALL, victim_ids=["V-2"])])
    load([dict(CALL, offender_ids=[], victim_ids=["V-2"])])
    labels = db.execute("MATCH (p:Person {id:'P-1'}) RETURN labels(p) AS l")[0]["l"]
    assert labels == ["Person"]  # loaded record kept, Offender role gone


def _changed_versions(records: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    """Changed copies of some records: roles swapped, identifiers dropped, names and orders changed."""
    import copy

    changed = []
    incidents = [r for r in records if r["kind"] == "incident"]
    persons = [r for r in records if r["kind"] == "person"]
    orders = [r for r in records if r["kind"] == "order"]
    for r in incidents[::7]:
        c = copy.deepcopy(r)
        if c.get("offender_ids"):
            c["offender_ids"], c["victim_ids"] = c["victim_ids"], c["offender_ids"]
        c["identifiers_used"] = {}
        changed.append(c)
    for r in persons[::7]:
        c = copy.deepcopy(r)
        c.pop("phones", None)
        c["handles"] = []
        c["family_name"] = "Changed"
        changed.append(c)
    for r in orders[::3]:
        c = copy.deepcopy(r)
        c["respondent_id"], c["protected_ids"] = c["protected_ids"][0], [c["respondent_id"]]
        changed.append(c)
    return changed


def test_batches_mixing_new_loaded_placeholder_and_changed_records_converge(db, load) -> None:  # type: ignore[no-untyped-def]
    """One statement per kind writes new ids, loaded ids and placeholders alike: every mix and
    batch size ends with the graph that loading the final versions once into an empty graph gives."""
    import random

    # the register repeats some ids (a later report of the same person); keep the last copy, so
    # that shuffling the stream below does not change which version is final
    records = list({(r["kind"], r["id"]): r for r in register(200, seed=5)}.values())
    changed = _changed_versions(records)
    final = {(r["kind"], r["id"]): r for r in records + changed}
    load(list(final.values()))
    expected = fingerprint(db)
    assert expected.labels.get("Offender") and expected.labels.get("Victim")

    rng = random.Random(3)
    incidents = [r for r in records if r["kind"] == "incident"]
    others = [r for r in records if r["kind"] != "incident"]
    for batch_size in (1, 13, 211, 5000):
        db.execute("MATCH (n) DETACH DELETE n")
        # first half the incidents (their people and orders become placeholders) with some of
        # the people; then everything, originals and changed versions in one shuffled stream
        # (last copy wins), the changed versions coming last for each id
        load(incidents[: len(incidents) // 2] + others[: len(others) // 3], batch_size=batch_size)
        stream = records[:]
        rng.shuffle(stream)
        load(stream + changed, batch_size=batch_size)
        assert fingerprint(db) == expected, batch_size


def test_a_changed_incident_moves_roles_between_people(db, load) -> None:  # type: ignore[no-untyped-def]
    load([STALKER, VICTIM, CALL])
    load([dict(CALL, offender_ids=["V-1"], victim_ids=["P-1"])])
    roles = {r["id"]: sorted(r["l"]) for r in db.execute("MATCH (p:Person) RETURN p.id AS id, labels(p) AS l")}
    assert roles == {"P-1": ["Person", "Victim"], "V-1": ["Offender", "Person"]}


def _unidentified(db) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["id"] for r in db.execute("MATCH (i:Unidentified) RETURN i.id AS id ORDER BY id")]


def test_an_incident_naming_no_offender_is_labelled_unidentified_while_it_names_none(db, load) -> None:  # type: ignore[no-untyped-def]
    anonymous = {**CALL, "id": "I-2", "offender_ids": []}
    load([STALKER, VICTIM, CALL, anonymous])
    assert _unidentified(db) == ["I-2"]
    load([{**CALL, "offender_ids": []}, {**anonymous, "offender_ids": ["P-1"]}])  # each record changed
    assert _unidentified(db) == ["I-1"]
    load([CALL])
    assert _unidentified(db) == []


def test_the_unidentified_label_migration_labels_a_database_loaded_before_it(db, load) -> None:  # type: ignore[no-untyped-def]
    load([STALKER, VICTIM, CALL, {**CALL, "id": "I-2", "offender_ids": []}, {**CALL, "id": "I-3", "offender_ids": []}])
    expected = fingerprint(db)
    # the database as an older graphsvc left it: no label, no record of the migration
    db.execute("MATCH (i:Unidentified) REMOVE i:Unidentified")
    db.execute("MATCH (m:SchemaMigration {id: 'incident_unidentified_label'}) DELETE m")
    assert _unidentified(db) == []
    db.apply_schema()
    assert _unidentified(db) == ["I-2", "I-3"]
    assert fingerprint(db) == expected
    assert count(db, "MATCH (m:SchemaMigration {id: 'incident_unidentified_label'}) RETURN count(m) AS n") == 1


def test_the_time_migration_gives_a_database_stored_in_utc_the_recorded_london_offsets(db, load) -> None:  # type: ignore[no-untyped-def]
    summer = {**CALL, "id": "I-2", "occurred_at": "2024-08-22T00:55:00", "reported_at": "2024-08-23T09:00:00"}
    day = {**CALL, "id": "I-3", "occurred_at": "2024-07-10"}
    load([STALKER, VICTIM, CALL, summer, day])
    expected = fingerprint(db)
    times = "MATCH (i:Incident) RETURN i.id AS id, toString(i.occurred_at) AS at, toString(i.reported_at) AS rep ORDER BY id"
    now = db.execute(times)
    assert [(r["id"], r["at"]) for r in now] == [
        ("I-1", "2024-03-01T10:00:00Z"), ("I-2", "2024-08-22T00:55:00+01:00"), ("I-3", "2024-07-10T00:00:00+01:00")]
    # the database as graphsvc left it before 2026-12-03: every time in UTC, a day at UTC midnight
    db.execute("MATCH (i:Incident) WHERE i.occurred_precision = 'date' SET i.occurred_at = datetime({date: date(i.occurred_at), timezone: 'Z'})")
    db.execute("MATCH (i:Incident) WHERE i.occurred_precision <> 'date' SET i.occurred_at = datetime({datetime: i.occurred_at, timezone: 'Z'})")
    db.execute("MATCH (i:Incident) WHERE i.reported_at IS NOT NULL SET i.reported_at = datetime({datetime: i.reported_at, timezone: 'Z'})")
    db.execute("MATCH (m:SchemaMigration {id: 'incident_times_london'}) DELETE m")
    assert db.execute(times)[1]["at"] == "2024-08-21T23:55:00Z"
    db.apply_schema()
    assert db.execute(times) == now
    assert fingerprint(db) == expected
    db.apply_schema()  # recorded once, and running it again would change nothing
    assert count(db, "MATCH (m:SchemaMigration {id: 'incident_times_london'}) RETURN count(m) AS n") == 1
    db.execute("MATCH (m:SchemaMigration {id: 'incident_times_london'}) DELETE m")
    db.apply_schema()
    assert fingerprint(db) == expected


def test_orders_make_roles_and_breaches_link(db, load) -> None:  # type: ignore[no-untyped-def]
    order = {"kind": "order", "id": "O-1", "source": "WMP", "type": "stalking_protection_order",
             "issued_on": "2023-05-01", "expires_on": None, "respondent_id": "P-1", "protected_ids": ["V-1", "V-9"]}
    breach = dict(CALL, id="I-2", type="breach", breached_order_ids=["O-1"])
    load([STALKER, VICTIM, order, breach])
    assert count(db, "MATCH (:Incident {id:'I-2'})-[:BREACHED]->(:Order {id:'O-1'})-[:RESTRAINS]->(:Person:Offender {id:'P-1'}) RETURN count(*) AS n") == 1
    assert count(db, "MATCH (:Order {id:'O-1'})-[:PROTECTS]->(v:Victim) RETURN count(v) AS n") == 2
    assert count(db, "MATCH (o:Order {id:'O-1'}) WHERE o.expires_on IS NULL RETURN count(o) AS n") == 1


def test_provenance_is_kept_on_what_a_record_writes(db, load) -> None:  # type: ignore[no-untyped-def]
    load([STALKER, VICTIM, CALL])
    rows = db.execute("MATCH (p:Person {id:'P-1'})-[r:HAS_IDENTIFIER]->() RETURN DISTINCT r.source AS s")
    assert [r["s"] for r in rows] == ["WMP"]
    rows = db.execute("MATCH (:Incident {id:'I-1'})-[r:USED|REPORTED_BY]->(x) RETURN type(r) AS t, r.source AS s, x.code AS code")
    assert {(r["t"], r["s"] if r["t"] == "USED" else r["code"]) for r in rows} == {("USED", "MPS"), ("REPORTED_BY", "MPS")}


def test_rejects_are_reported_and_nothing_of_them_written(db, load, write_jsonl, neo4j_env, tmp_path, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl([
        STALKER,
        {"kind": "person", "id": "P-2", "source": "WMP", "given_name": "X", "phones": ["12"]},
        "{not json",
        dict(CALL, victim_ids=[]),
        VICTIM,
    ])
    rejects = tmp_path / "rejects.jsonl"
    result = runner.invoke(main, ["load", str(path), "--rejects", str(rejects)], env=neo4j_env)
    assert result.exit_code == 1, result.output
    lines = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["line"], r["id"], r["field"]) for r in lines] == [(2, "P-2", "phones"), (3, None, None), (4, "I-1", "victim_ids")]
    assert "invalid JSON" in lines[1]["message"]
    assert f"{path}:2: id P-2: phones:" in result.stderr
    assert [r["id"] for r in db.execute("MATCH (p:Person) RETURN p.id AS id ORDER BY id")] == ["P-1", "V-1"]
    assert count(db, "MATCH (i:Incident) RETURN count(i) AS n") == 0
    summary = json.loads(result.stdout)
    assert (summary["written"], summary["rejected"]) == (2, 3)


def test_all_or_nothing_writes_nothing_when_one_record_fails(db, write_jsonl, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl([STALKER, VICTIM, dict(CALL, type="shouting")])
    result = runner.invoke(main, ["load", "--all-or-nothing", str(path)], env=neo4j_env)
    assert result.exit_code == 1
    assert count(db, "MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n") == 0


def test_invalid_utf8_is_a_rejected_line_not_a_crash(db, tmp_path, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(json.dumps(STALKER).encode() + b"\n" + b'{"kind": "person", "id": "\xff\xfe"}\n')
    result = runner.invoke(main, ["load", str(path)], env=neo4j_env)
    assert result.exit_code == 1
    assert "not UTF-8" in result.stderr
    assert count(db, "MATCH (p:Person) RETURN count(p) AS n") == 1


def test_csv_layout_loads_the_same_graph_as_jsonl(db, load, tmp_path, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    load([STALKER, VICTIM, CALL])
    expected = fingerprint(db)
    db.execute("MATCH (n) DETACH DELETE n")
    path = tmp_path / "records.csv"
    path.write_text(
        "kind,id,source,given_name,family_name,phones,handles,occurred_at,type,offender_ids,victim_ids,used_phones\n"
        "person,P-1,WMP,Jon,Smyth,07700 900123,instagram:@js_x,,,,,\n"
        "person,V-1,MPS,Ann,Lee,,,,,,,\n"
        "incident,I-1,MPS,,,,,2024-03-01T10:00:00Z,call,P-1,V-1,+447700900123\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["load", str(path)], env=neo4j_env)
    assert result.exit_code == 0, result.output
    assert fingerprint(db) == expected


def test_csv_with_an_unknown_column_fails_before_writing(db, tmp_path, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "records.csv"
    path.write_text("kind,id,source,given_name,shoe_size\nperson,P-1,WMP,Jon,9\n", encoding="utf-8")
    result = runner.invoke(main, ["load", str(path)], env=neo4j_env)
    assert result.exit_code == 2
    assert "shoe_size" in result.stderr
    assert count(db, "MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n") == 0


# -- convergence after a kill ---------------------------------------------------------------

def _loader(path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        # --no-resolve: the convergence of the load itself is under test; the CLI's automatic
        # resolution afterwards adds POSSIBLY_SAME_AS links the reference load does not make.
        [sys.executable, "-m", "graphsvc.cli", "load", str(path), "--batch-size", "100", "--no-progress",
         "--no-resolve"],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _wait_for_some_incidents(db, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count(db, "MATCH (i:Incident) RETURN count(i) AS n") > 0:
            return
        assert proc.poll() is None, "the load finished before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError("no incident was written in time")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _assert_exit(pids: list[int], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if Path(f"/proc/{p}").exists() and "Z" not in _state(p)]
        time.sleep(0.1)
    assert not alive, f"still running: {alive}"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_thread_and_process_validation_write_the_same_graph(db, big_register, reference) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.services.ingest import load as run_load
    from loaders.sources import read_path

    db.execute("MATCH (n) DETACH DELETE n")
    summary = run_load(db, read_path(big_register), validate_in="thread", batch_size=250)
    assert summary.rejected_records == 0
    assert fingerprint(db) == reference


@pytest.fixture(scope="module")
def big_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "register.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for record in register(3000, seed=11):
            handle.write(json.dumps(record) + "\n")
    return path


@pytest.fixture(scope="module")
def reference(big_register: Path, _database) -> object:  # type: ignore[no-untyped-def]
    from graphsvc.services.ingest import load as run_load
    from loaders.sources import read_path

    _database.execute("MATCH (n) DETACH DELETE n")
    run_load(_database, read_path(big_register))
    return fingerprint(_database)


def test_loader_killed_mid_load_then_rerun_converges(db, big_register, reference, neo4j_env) -> None:  # type: ignore[no-untyped-def]
    db.execute("MATCH (n) DETACH DELETE n")
    proc = _loader(big_register, neo4j_env)
    _wait_for_some_incidents(db, proc)
    children = _children(proc.pid)
    assert children, "the loader validates in a child process"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _assert_exit(children)  # the validating child does not outlive a killed loader
    partial = fingerprint(db)
    assert partial != reference  # it really was interrupted
    rerun = _loader(big_register, neo4j_env)
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read().decode() if rerun.stderr else ""
    assert fingerprint(db) == reference
    # and the pattern state the rerun settled equals the one computed afresh from the records
    checked = verify_state(db)
    assert checked["differences"] == [] and checked["clean"] and checked["pending"] == 0 and checked["states"] > 100


def test_neo4j_killed_mid_load_then_restart_and_rerun_converges(db, big_register, reference, neo4j_env, neo4j_settings) -> None:  # type: ignore[no-untyped-def]
    db.execute("MATCH (n) DETACH DELETE n")
    proc = _loader(big_register, neo4j_env)
    _wait_for_some_incidents(db, proc)
    assert localdb.kill(neo4j_settings)
    try:
        code = proc.wait(timeout=120)
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        assert code != 0
        assert "Traceback" not in stderr and "graph database" in stderr
    finally:
        localdb.start(neo4j_settings)
    rerun = _loader(big_register, neo4j_env)
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read().decode() if rerun.stderr else ""
    assert fingerprint(db) == reference
