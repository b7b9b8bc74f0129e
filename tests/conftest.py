"""Shared fixtures: one real Neo4j per test run, an empty graph per test.

The database is the project's own local Neo4j (``graphsvc.graph.localdb``), started once per run in
a temporary folder on a free loopback port with a generated password, and stopped at the end.
Nothing is mocked.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graphsvc.config import Settings
from graphsvc.graph import localdb
from graphsvc.graph.db import Database
from graphsvc.security import keys as auth
from graphsvc.security.policy import Role


def free_port() -> int:
    """A free TCP port on loopback (for this run's Neo4j, or a service a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(settings: Settings) -> Iterator[Settings]:
    """A local Neo4j of ``settings``' own, started here and stopped when the block ends."""
    localdb.start(settings)
    try:
        yield settings
    finally:
        localdb.stop(settings)


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings that point at this run's own Neo4j (started here, stopped at the end)."""
    home = tmp_path_factory.mktemp("graphsvc-home")
    settings = Settings(
        home=home,
        local_bolt_port=free_port(),
        local_heap_mib=768,
        local_pagecache_mib=256,
    )
    with running(settings):
        yield settings


@pytest.fixture(scope="session")
def neo4j_env(neo4j_settings: Settings) -> dict[str, str]:
    """Environment variables that make a ``graphsvc`` command use this run's Neo4j."""
    return {
        "NEO4J_URI": neo4j_settings.local_bolt_uri,
        "NEO4J_USER": neo4j_settings.neo4j_user,
        "NEO4J_PASSWORD": neo4j_settings.password(),
        "GRAPHSVC_HOME": str(neo4j_settings.home),
    }


@pytest.fixture(scope="session")
def _database(neo4j_settings: Settings) -> Iterator[Database]:
    database = Database(neo4j_settings)
    database.apply_schema()
    yield database
    database.close()


@pytest.fixture
def db(_database: Database) -> Database:
    """The run's database, emptied of data (the schema stays)."""
    _database.execute("MATCH (n) DETACH DELETE n")
    return _database


@pytest.fixture
def load(db: Database):  # type: ignore[no-untyped-def]
    """Load a list of record dicts through the real pipeline; returns the summary."""
    from graphsvc.services.ingest import load as run_load
    from loaders.sources import RawRecord

    def _load(records: list[dict[str, Any]], batch_size: int = 2000):  # type: ignore[no-untyped-def]
        raws = [RawRecord("<test>", i + 1, data=r) for i, r in enumerate(records)]
        return run_load(db, raws, batch_size=batch_size)

    return _load


@pytest.fixture
def app(neo4j_settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    from graphsvc.app import create_app

    return create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings})


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    """One API key per role, by role name (``test-<role>`` in the audit log's actor)."""
    return {role.value: auth.create_key(db, role=role.value, name=f"test-{role.value}")[0] for role in Role}


@pytest.fixture
def runner() -> CliRunner:
    """Invokes ``graphsvc`` commands in-process (``runner.invoke(main, [...], env=neo4j_env)``)."""
    return CliRunner()


@pytest.fixture
def write_jsonl(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _write(records: list[Any], name: str = "records.jsonl") -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(record if isinstance(record, str) else json.dumps(record))
                handle.write("\n")
        return path

    return _write
