"""``graphsvc load --bulk`` (issue #23): Neo4j's importer gives the graph the transactional load gives.

The bulk load stops and restarts its database, so this module runs its own local Neo4j (one
instance, in a temporary GRAPHSVC_HOME, through :mod:`graphsvc.graph.localdb`) instead of the
run's shared one. The same input is loaded transactionally (``graphsvc load``), fingerprinted,
the graph emptied, and loaded again in bulk: the fingerprints (every node's labels and typed
properties, every relationship with its properties and ends) must be equal, and the pattern
state must verify clean.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graphsvc.cli import main
from graphsvc.config import Settings
from graphsvc.graph.db import Database
from graphsvc.graph.fingerprint import fingerprint
from graphsvc.security import keys as auth
from graphsvc.services.state_verify import verify as verify_state
from graphsvc.synthetic import generate_register
from tests.conftest import free_port, running
from tests.records_factory import register

#: records that exercise what the CSV files must get right, beside the generated register
EDGE_CASES: list[dict[str, Any] | str] = [
    # forward references: an incident and an order before the people and order they name
    {"kind": "incident", "id": "E-I-1", "source": "WMP", "occurred_at": "2024-06-01T21:30:00+01:00",
     "reported_at": "2024-06-02T09:00:00Z", "type": "threat", "offender_ids": ["E-P-1"],
     "victim_ids": ["E-P-2", "E-P-GHOST"], "breached_order_ids": ["E-O-1", "E-O-GHOST"],
     "description": 'He said "you\'re next",\nthen left; twice\r\nover', "outcome": "charged",
     "identifiers_used": {"phones": ["07700 900123"], "emails": ["Him@Example.com"],
                          "handles": [{"platform": "X", "handle": "@Him"}], "vehicles": ["ab12 cde"]}},
    {"kind": "order", "id": "E-O-1", "source": "MPS", "type": "stalking_protection_order", "issued_on": "2024-01-05",
     "expires_on": "2026-01-05", "respondent_id": "E-P-1", "protected_ids": ["E-P-2"], "conditions": "No contact, \"any\" kind"},
    # a naive time (London's offset), a date-only one, no offender (Unidentified)
    {"kind": "incident", "id": "E-I-2", "source": "WMP", "occurred_at": "2024-01-15T08:00:00", "type": "call",
     "victim_ids": ["E-P-2"], "identifiers_used": {"phones": ["07700 900123"]}},
    {"kind": "incident", "id": "E-I-3", "source": "BTP", "occurred_at": "2024-02-29", "type": "letter",
     "victim_ids": ["E-P-3"], "description": ""},
    {"kind": "person", "id": "E-P-1", "source": "WMP", "given_name": "Ann-Marie", "family_name": "O'Neil",
     "aliases": ["A; M", "Annie \"the\" One"], "dob": "1979-02-28", "gender": "female",
     "phones": ["+44 7700 900123"], "emails": ["HIM@example.com"],
     "addresses": [{"line1": "1 High Street", "town": "Leeds", "postcode": "ls11aa"}]},
    # the same address spelled otherwise: the first spelling is the node's, as the first MERGE makes it
    {"kind": "person", "id": "E-P-2", "source": "MPS", "family_name": "Victim",
     "addresses": [{"line1": "1 HIGH STREET", "town": "LEEDS", "postcode": "LS1 1AA"}]},
    # and a third spelling just after (the next position: another part of the files' writers)
    {"kind": "person", "id": "E-P-4", "source": "BTP", "family_name": "Third",
     "addresses": [{"line1": "1 high street", "town": "leeds", "postcode": "LS11AA"}]},
    {"kind": "person", "id": "E-P-3", "source": "MPS", "given_name": "Only"},
    # rejects: a bad phone, a bad JSON line, a future date
    {"kind": "person", "id": "E-P-BAD", "source": "WMP", "phones": ["12"]},
    "{not json",
    {"kind": "order", "id": "E-O-BAD", "source": "WMP", "type": "restraining_order", "issued_on": "2999-01-01",
     "respondent_id": "E-P-1", "protected_ids": ["E-P-2"]},
    # the register's records: a registration under an order, notifications (one family name only,
    # an address one with no names), a notification naming a registration never loaded
    {"kind": "registration", "id": "E-R-1", "source": "WMP", "person_id": "E-P-1", "basis": "order",
     "order_id": "E-O-1", "start_on": "2024-02-01", "managing_agency": "WMP"},
    {"kind": "notification", "id": "E-N-1", "source": "WMP", "person_id": "E-P-1", "registration_id": "E-R-1",
     "notified_on": "2024-02-02", "type": "initial", "names": [{"family_name": "O'Neil"}],
     "home_address": {"line1": "1 High Street", "town": "Leeds", "postcode": "LS1 1AA"}},
    {"kind": "notification", "id": "E-N-2", "source": "WMP", "person_id": "E-P-1", "registration_id": "E-R-1",
     "notified_on": "2024-03-10", "changed_on": "2024-03-09", "type": "address",
     "home_address": {"line1": "2 Low Road", "town": "York"}},
    {"kind": "notification", "id": "E-N-3", "source": "WMP", "person_id": "E-P-9", "registration_id": "E-R-GHOST",
     "notified_on": "2024-03-10", "type": "name", "names": [{"given_name": "Al", "family_name": "B"}, {"given_name": "Al"}]},
    # replaced records: the same id again with other values, lists replaced (not appended)
    {"kind": "person", "id": "E-P-1", "source": "WMP", "given_name": "Ann", "family_name": "Oneil",
     "phones": ["07700 900999"], "vehicles": ["XY99 ZZZ"], "aliases": []},
    {"kind": "incident", "id": "E-I-1", "source": "MPS", "occurred_at": "2024-06-01T21:30:00.250+01:00",
     "type": "assault", "offender_ids": [], "victim_ids": ["E-P-3"], "identifiers_used": {"emails": ["other@example.com"]}},
    {"kind": "order", "id": "E-O-1", "source": "MPS", "type": "restraining_order", "issued_on": "2024-01-05",
     "respondent_id": "E-P-3", "protected_ids": ["E-P-2", "E-P-1"]},
]


@pytest.fixture(scope="module")
def bulk_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A local Neo4j of this module's own (the bulk load stops and restarts it), as the
    environment of ``graphsvc`` commands: the local default (no NEO4J_URI)."""
    home = tmp_path_factory.mktemp("bulk-home")
    env = {
        "GRAPHSVC_HOME": str(home),
        "GRAPHSVC_NEO4J_PORT": str(free_port()),
        "GRAPHSVC_NEO4J_HEAP_MIB": "512",
        "GRAPHSVC_NEO4J_PAGECACHE_MIB": "128",
        "GRAPHSVC_BULK_HEAP_MIB": "512",
        "GRAPHSVC_BULK_OFF_HEAP": "256m",
        "GRAPHSVC_NEO4J_LAUNCHER_DIR": str(Settings.from_env().launcher_dir),
    }
    with running(Settings.from_env(env)):
        yield env


@pytest.fixture(scope="module")
def bulk_settings(bulk_env: dict[str, str]) -> Settings:
    return Settings.from_env(bulk_env)


@pytest.fixture(scope="module")
def records_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bulk-records")
    generated = folder / "generated.jsonl"
    generate_register(people=250, seed=11, out=generated)
    path = folder / "records.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(generated.read_text(encoding="utf-8"))
        for record in [*register(60, seed=5), *EDGE_CASES]:
            out.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def _run(bulk_env: dict[str, str], *args: str) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "GRAPHSVC_"))}
    env.update(bulk_env)
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _empty(settings: Settings) -> None:
    with Database(settings) as db:
        db.execute("MATCH (n) DETACH DELETE n")


def test_bulk_load_gives_the_transactional_graph(bulk_env: dict[str, str], bulk_settings: Settings,
                                                 records_file: Path, tmp_path: Path) -> None:
    # the transactional load of the input
    done = _run(bulk_env, "load", str(records_file), "--no-resolve", "--rejects", str(tmp_path / "t.jsonl"))
    assert done.exit_code == 1, done.output
    with Database(bulk_settings) as db:
        expected = fingerprint(db)
        assert verify_state(db)["clean"]
    _empty(bulk_settings)

    # the bulk load of the same input into the emptied database
    # in blocks of 97 records over three validating processes, so the copies of a record and its
    # forward references fall to different processes (the last copy must still win)
    done = _run({**bulk_env, "GRAPHSVC_BULK_WORKERS": "3"}, "load", "--bulk", str(records_file), "--no-resolve",
                "--batch-size", "97", "--rejects", str(tmp_path / "b.jsonl"))
    assert done.exit_code == 1, done.output  # rejected records, reported the same way
    assert (tmp_path / "b.jsonl").read_text() == (tmp_path / "t.jsonl").read_text()
    rejected = [json.loads(line) for line in (tmp_path / "b.jsonl").read_text().splitlines()]
    assert {(r["id"], r["field"]) for r in rejected} >= {("E-P-BAD", "phones"), ("E-O-BAD", "issued_on")}
    summary = json.loads(done.stdout[done.stdout.index("{"):])
    assert summary["rejected"] == 3 and summary["resolution"] == {"status": "disabled"}
    assert summary["pattern_state"]["status"] == "done"
    with Database(bulk_settings) as db:
        got = fingerprint(db)
        assert got.labels == expected.labels and got.types == expected.types
        assert got == expected
        verified = verify_state(db)
        assert verified["clean"], verified["differences"][:5]
        # what the fingerprint holds, spelled out for the edge cases
        person = db.execute("MATCH (p:Person {id: 'E-P-1'}) RETURN p {.*} AS p, labels(p) AS labels")[0]
        assert person["p"]["aliases"] == [] and person["p"]["given_name"] == "Ann"
        assert set(person["labels"]) == {"Person", "Victim"}  # the replaced order and incident let go of him
        spelt = db.execute("MATCH (:Person {id: 'E-P-4'})-[:HAS_ADDRESS]->(a:Address) RETURN a.line1 AS line1")
        assert [r["line1"] for r in spelt] == ["1 HIGH STREET"]  # E-P-2's, the first left (E-P-1 was replaced)
        phones = db.execute("MATCH (:Person {id: 'E-P-1'})-[:HAS_IDENTIFIER]->(i:Phone) RETURN i.value AS v")
        assert [r["v"] for r in phones] == ["+447700900999"]
        incident = db.execute("MATCH (i:Incident {id: 'E-I-1'}) RETURN labels(i) AS l, toString(i.occurred_at) AS at")[0]
        assert "Unidentified" in incident["l"] and incident["at"] == "2024-06-01T21:30:00.25+01:00"
        ghosts = db.execute("MATCH (n {placeholder: true}) RETURN n.id AS id ORDER BY id")
        assert {"E-R-GHOST", "E-P-9"} <= {r["id"] for r in ghosts}
        notes = db.execute("MATCH (n:Notification) WHERE n.id IN ['E-N-1', 'E-N-2'] "
                           "RETURN n.id AS id, n.given_names AS g ORDER BY id")
        assert [r["g"] for r in notes] == [[""], []]
        due = db.execute("MATCH (r:Registration) WHERE r.due_duty IS NOT NULL RETURN count(r) AS n")[0]["n"]
        assert due > 0  # the kept due duties (refresh_due_in's), worked out from the staged notifications
        # the schema is the transactional load's, and the data migrations read as applied
        assert {r["id"] for r in db.execute("MATCH (m:SchemaMigration) RETURN m.id AS id")} == {
            "incident_unidentified_label", "incident_times_london"}
        names = {r["name"] for r in db.execute("SHOW CONSTRAINTS YIELD name")}
        assert {"person_id", "incident_id", "phone_value"} <= names


def test_bulk_load_refuses_a_database_with_records(bulk_env: dict[str, str], bulk_settings: Settings,
                                                    tmp_path: Path) -> None:
    _empty(bulk_settings)
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"kind": "person", "id": "P-1", "source": "WMP", "given_name": "A"}) + "\n")
    assert _run(bulk_env, "load", str(path), "--no-resolve").exit_code == 0
    done = _run(bulk_env, "load", "--bulk", str(path), "--no-resolve")
    assert done.exit_code == 1
    assert "needs an empty database" in done.output and "1 record node(s)" in done.output
    assert "destroy" in done.output
    with Database(bulk_settings) as db:  # untouched
        assert db.execute("MATCH (p:Person) RETURN count(p) AS n")[0]["n"] == 1


def test_bulk_load_refuses_a_database_with_an_api_key(bulk_env: dict[str, str], bulk_settings: Settings,
                                                      tmp_path: Path) -> None:
    _empty(bulk_settings)
    with Database(bulk_settings) as db:
        db.apply_schema()
        auth.create_key(db, role="admin", name="first-admin")
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"kind": "person", "id": "P-1", "source": "WMP", "given_name": "A"}) + "\n")
    done = _run(bulk_env, "load", "--bulk", str(path))
    assert done.exit_code == 1
    assert "1 API key(s)" in done.output and "create API keys after" in done.output
    with Database(bulk_settings) as db:
        assert db.execute("MATCH (k:ApiKey) RETURN count(k) AS n")[0]["n"] == 1
        assert db.execute("MATCH (p:Person) RETURN count(p) AS n")[0]["n"] == 0


def test_bulk_csv_only_writes_the_files_and_the_command(bulk_env: dict[str, str], bulk_settings: Settings,
                                                        tmp_path: Path) -> None:
    """For a server: the files and the neo4j-admin command, nothing imported; --bulk-finish then
    refuses a database that does not hold what the folder imports."""
    _empty(bulk_settings)
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in EDGE_CASES[:7] if isinstance(r, dict)) + "\n")
    server = {**bulk_env, "NEO4J_URI": bulk_settings.local_bolt_uri, "NEO4J_PASSWORD": bulk_settings.password()}
    folder = tmp_path / "import"
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    done = _run(server, "load", "--bulk", "--csv-only", str(shared), str(path), "--no-progress")
    assert done.exit_code == 1 and "may be read by other users" in done.output, done.output
    assert list(shared.iterdir()) == []  # refused before anything was written
    done = _run(server, "load", "--bulk", "--csv-only", str(folder), str(path), "--no-progress")
    assert done.exit_code == 0, done.output
    assert folder.stat().st_mode & 0o777 == 0o700  # the register's records in clear: its owner's only
    command = (folder / "import-command.sh").read_text()
    assert "neo4j-admin database import full neo4j --overwrite-destination=true" in command
    assert f"--nodes={folder / 'nodes-person.csv'}" in command and "--multiline-fields=" in command
    assert "neo4j stop" in done.output and f"graphsvc load --bulk-finish {folder}" in done.output
    with Database(bulk_settings) as db:
        assert db.execute("MATCH (n:Person) RETURN count(n) AS n")[0]["n"] == 0
    done = _run(server, "load", "--bulk-finish", str(folder), "--no-resolve")
    assert done.exit_code == 1 and "run the importer's command" in done.output


def test_bulk_load_reads_a_pipe_once(bulk_env: dict[str, str], bulk_settings: Settings, tmp_path: Path) -> None:
    """``graphsvc load --bulk <(zcat ...)``: a pipe can be read only once, so one process
    validates it (several would each read a part of the stream and stage a part of it)."""
    import threading

    _empty(bulk_settings)
    lines = [json.dumps(r) for r in register(40, seed=9)]
    fifo = tmp_path / "records.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    server = {**bulk_env, "NEO4J_URI": bulk_settings.local_bolt_uri, "NEO4J_PASSWORD": bulk_settings.password(),
              "GRAPHSVC_BULK_WORKERS": "3"}
    done = _run(server, "load", "--bulk", "--csv-only", str(tmp_path / "import"), str(fifo), "--no-progress",
                "--batch-size", "7")
    writer.join(timeout=30)
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout[done.stdout.index("{"):])
    assert summary["read"] == len(lines) and summary["written"] == len({(json.loads(x)["kind"], json.loads(x)["id"])
                                                                         for x in lines})
