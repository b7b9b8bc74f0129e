"""The local Neo4j launcher: status tells the truth, loopback only, a password is required."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphsvc.graph import localdb
from graphsvc.cli import main
from graphsvc.config import Settings


def test_status_of_the_running_database(neo4j_settings: Settings) -> None:
    status = localdb.status(neo4j_settings)
    assert status.running and status.reachable
    assert status.uri == f"bolt://127.0.0.1:{neo4j_settings.local_bolt_port}"
    assert Path(f"/proc/{status.pid}/cmdline").read_bytes().find(localdb.MAIN_CLASS.encode()) >= 0


def test_bolt_listens_on_loopback_only(neo4j_settings: Settings) -> None:
    with socket.create_connection(("127.0.0.1", neo4j_settings.local_bolt_port), timeout=2):
        pass
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for address in addresses - {"127.0.0.1", "127.0.1.1"}:
        with pytest.raises(OSError):
            socket.create_connection((address, neo4j_settings.local_bolt_port), timeout=1)


def test_wrong_password_is_refused(neo4j_settings: Settings) -> None:
    from graphsvc.graph.db import Database
    from graphsvc.errors import DatabaseUnavailable

    wrong = neo4j_settings.with_overrides(neo4j_uri=neo4j_settings.local_bolt_uri, neo4j_password="not-the-password")
    with Database(wrong) as database, pytest.raises(DatabaseUnavailable, match="credentials"):
        database.ping()


def _stopped_settings(tmp_path: Path) -> Settings:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return Settings(home=tmp_path / "home", local_bolt_port=port, local_heap_mib=256, local_pagecache_mib=64)


def test_a_stale_pid_file_does_not_fool_status(tmp_path: Path, runner: CliRunner) -> None:
    settings = _stopped_settings(tmp_path)
    pid_file = settings.local_db_home / "run" / "neo4j.pid"
    pid_file.parent.mkdir(parents=True)
    # a live process that is not the database (this test), with its real start time
    ticks = Path(f"/proc/{os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()[19]
    for content in (f"{os.getpid()} {ticks}\n", "999999 1\n", "garbage\n"):
        pid_file.write_text(content)
        assert not localdb.status(settings).running
    result = runner.invoke(main, ["db", "status"], env={"GRAPHSVC_HOME": str(settings.home),
                                                             "GRAPHSVC_NEO4J_PORT": str(settings.local_bolt_port)})
    assert result.exit_code == 3 and "stopped" in result.stderr


def test_the_launcher_refuses_a_non_loopback_address(tmp_path: Path) -> None:
    settings = _stopped_settings(tmp_path).with_overrides(local_bolt_host="0.0.0.0")
    with pytest.raises(localdb.LocalDbError, match="loopback only"):
        localdb.start(settings, timeout_s=60)
    assert not localdb.status(settings).running


@pytest.mark.parametrize("setting", ["server.bolt.listen_address=0.0.0.0:7687", "dbms.security.auth_enabled=false"])
def test_tuning_settings_cannot_open_the_database(tmp_path: Path, setting: str) -> None:
    settings = _stopped_settings(tmp_path).with_overrides(
        local_neo4j_settings=f"dbms.cypher.min_replan_interval=2h; {setting}")
    with pytest.raises(localdb.LocalDbError, match="may not change"):
        localdb.start(settings, timeout_s=60)
    assert not localdb.status(settings).running


def test_tuning_settings_reach_neo4j(tmp_path: Path) -> None:
    from graphsvc.graph.db import Database

    settings = _stopped_settings(tmp_path).with_overrides(
        local_neo4j_settings="dbms.cypher.min_replan_interval=2h\ndb.tx_log.rotation.size=64M")
    localdb.start(settings, timeout_s=120)
    try:
        with Database(settings) as database:
            rows = database.execute(
                "SHOW SETTINGS YIELD name, value WHERE name IN ['dbms.cypher.min_replan_interval', "
                "'db.tx_log.rotation.size', 'server.bolt.listen_address'] RETURN name, value"
            )
        values = {r["name"]: r["value"] for r in rows}
        assert values["dbms.cypher.min_replan_interval"] == "2h"
        assert values["db.tx_log.rotation.size"] in ("64.00MiB", "64M", "67108864")
        assert values["server.bolt.listen_address"].startswith("127.0.0.1:")
    finally:
        localdb.stop(settings)


def test_a_port_in_use_is_reported(tmp_path: Path, neo4j_settings: Settings) -> None:
    settings = _stopped_settings(tmp_path).with_overrides(local_bolt_port=neo4j_settings.local_bolt_port)
    with pytest.raises(localdb.LocalDbError, match="in use"):
        localdb.start(settings)


def test_the_generated_password_is_private_and_stable(tmp_path: Path) -> None:
    settings = _stopped_settings(tmp_path)
    first = settings.password()
    assert len(first) >= 24
    assert settings.password() == first
    assert (settings.home / "neo4j-password").stat().st_mode & 0o077 == 0


def test_a_remote_database_needs_a_password() -> None:
    settings = Settings.from_env({"NEO4J_URI": "neo4j://db.example:7687"})
    with pytest.raises(ValueError, match="NEO4J_PASSWORD"):
        settings.password()
