"""``--for-agency CODE`` on the analysis and export commands: the shell answers as that agency's
key does (contract section 5), through the same rule, and the audit entry names the agency."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphsvc.cli import main
from graphsvc.security import audit
from tests.need_to_know import MPS_SECRETS, SECRETS, register

PURPOSE = ["--purpose", "OP-NTK/CLI"]
COMMANDS = [
    ["fixation", "DM"],
    ["linked-victims", "G-V1"],
    ["serial", "--min-victims", "2"],
    ["unidentified"],
    ["search", "Quillane"],
    ["check", "--subject", json.dumps({"given_name": "Daniel", "family_name": "Marsh", "phones": ["07700 900555"]})],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_answer_for_another_agency_withholds_its_victims(db, load, neo4j_env, runner: CliRunner, command) -> None:  # type: ignore[no-untyped-def]
    load(register())
    national = runner.invoke(main, [*command, *PURPOSE], env=neo4j_env)
    assert national.exit_code == 0, national.output
    as_mps = runner.invoke(main, [*command, *PURPOSE, "--for-agency", "MPS"], env=neo4j_env)
    assert as_mps.exit_code == 0, as_mps.output
    answer, full = json.loads(as_mps.output), json.loads(national.output)
    assert [s for s in SECRETS if s.lower() in as_mps.output.lower()] == []
    if command[0] == "search":
        assert full["persons"] and answer == {"persons": [], "withheld_by": []}  # her hit is gone without trace
    elif any(s.lower() in national.output.lower() for s in SECRETS):
        assert answer["withheld_by"] == ["GMP"]  # what was withheld, and whom to ask
    else:  # nothing of GMP's victims in it: the same answer
        assert answer == {**full, "withheld_by": []} or answer | {"computed_at": None} == full | {
            "computed_at": None, "withheld_by": []}
    entry = audit.find_entries(db, limit=1)[0]
    assert entry["actor_agency"] == "MPS" and entry["purpose"] == "OP-NTK/CLI"


def test_an_export_for_an_agency_withholds_and_audits_it(db, load, neo4j_env, runner: CliRunner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load(register())
    out = tmp_path / "dm.graphml"
    result = runner.invoke(main, ["export", "DM", "--format", "graphml", "--depth", "2", "-o", str(out), *PURPOSE,
                                  "--for-agency", "GMP"], env=neo4j_env)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert [s for s in MPS_SECRETS if s in text] == [] and "[withheld: MPS]" in text
    assert "Quillane" in text  # GMP reads its own victim
    (entry,) = [e for e in audit.iter_entries(db) if e["action"] == "disclosure"]
    assert entry["actor_agency"] == "GMP"


def test_a_malformed_agency_is_a_usage_error(neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["fixation", "DM", *PURPOSE, "--for-agency", "M P S"], env=neo4j_env)
    assert result.exit_code == 2 and "agency" in result.output
