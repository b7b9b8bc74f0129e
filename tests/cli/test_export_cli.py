"""``graphsvc export`` against a real Neo4j: the file, and the audit entry of the disclosure."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from graphsvc.security import audit
from graphsvc.cli import main

try:
    from tests.export_fixtures import OFFENDER, RECORDS
except ImportError:  # tests/ is not a package
    from export_fixtures import OFFENDER, RECORDS  # type: ignore[no-redef]


def test_export_writes_the_file_and_audits_the_disclosure(db, load, neo4j_env, tmp_path: Path, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    load(RECORDS)
    out = tmp_path / "net.cyjs"
    result = runner.invoke(
        main, ["export", OFFENDER, "--format", "cytoscape", "--depth", "1", "-o", str(out),
               "--purpose", "OP-TEST/123"], env=neo4j_env)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_bytes())
    assert doc["data"]["subject"]["ids"] == [OFFENDER]
    assert doc["data"]["exported_by"].startswith("cli:")
    entries = [e for e in audit.iter_entries(db) if e["action"] == "disclosure"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["purpose"] == "OP-TEST/123" and entry["status"] == "200"
    assert set(entry["person_ids"]) == {"P-OFF", "V-1", "V-2", "V-3"}
    assert json.loads(entry["query"])["format"] == "cytoscape"


def test_unknown_person_fails_and_is_audited(db, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["export", "NOBODY", "--format", "graphml", "--purpose", "x"],
                                env=neo4j_env)
    assert result.exit_code == 2
    assert "no person" in result.output
    (entry,) = [e for e in audit.iter_entries(db) if e["action"] == "disclosure"]
    assert entry["status"] == "404" and entry["person_ids"] == []


def test_purpose_is_required(neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["export", OFFENDER, "--format", "graphml"], env=neo4j_env)
    assert result.exit_code == 2 and "--purpose" in result.output


def test_export_cluster_writes_the_cluster_and_audits_it(db, load, neo4j_env, tmp_path: Path, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    load(RECORDS)
    out = tmp_path / "cluster.gexf"
    result = runner.invoke(main, ["export-cluster", "I-5", "--format", "gexf", "-o", str(out),
                                       "--purpose", "OP-TEST/9"], env=neo4j_env)
    assert result.exit_code == 0, result.output
    assert b"incident:I-5" in out.read_bytes()
    (entry,) = [e for e in audit.iter_entries(db) if e["action"] == "disclosure"]
    assert json.loads(entry["query"])["incident_ids"] == ["I-5"]
    assert "V-2" in entry["person_ids"]
