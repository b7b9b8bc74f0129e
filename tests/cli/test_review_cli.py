"""``graphsvc review due|decide`` (contract section 8): the shell does what the API does, audited."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from graphsvc.cli import main
from tests.analysis_records import incident, person


def test_due_then_dispose_from_the_shell_is_audited_as_an_erasure(db, load, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    load([person("V-1"), incident("I-1", "2010-01-01", "call", [], ["V-1"]),
          {**incident("B-1", "2010-01-02", "call", [], ["V-1"]), "source": "BTP"}])
    out = runner.invoke(main, ["review", "due", "--before", "2020-01-01", "--purpose", "MoPI review"], env=neo4j_env)
    assert out.exit_code == 0, out.output
    assert [r["id"] for r in json.loads(out.output)["records"]] == ["I-1", "B-1"]
    refused = runner.invoke(main, ["review", "decide", "incident", "B-1", "dispose", "--reason", "r",
                                   "--purpose", "MoPI review", "--for-agency", "WMP"], env=neo4j_env)
    assert refused.exit_code != 0 and "BTP" in refused.output
    done = runner.invoke(main, ["review", "decide", "incident", "I-1", "dispose", "--reason", "no purpose remains",
                                "--purpose", "MoPI review"], env=neo4j_env)
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["decision"] == "dispose"
    assert db.execute("MATCH (i:Incident {id: 'I-1'}) RETURN count(i) AS n")[0]["n"] == 0
    rows: list[dict[str, Any]] = db.execute(
        "MATCH (e:AuditEntry {action: 'erasure'}) RETURN e.status AS status, e.query AS query ORDER BY e.seq")
    assert [r["status"] for r in rows] == ["403", "200"]
    assert json.loads(rows[1]["query"])["source"] == "WMP" and json.loads(rows[1]["query"])["id"] == "I-1"
