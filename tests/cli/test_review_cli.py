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


def test_reschedule_applies_a_changed_schedule_and_keeps_retain_decisions(db, load, neo4j_env, runner: CliRunner,  # type: ignore[no-untyped-def]
                                                                          tmp_path) -> None:
    import datetime as dt

    from graphsvc.analysis.retention import DEFAULT_SCHEDULE
    from graphsvc.services import review

    load([person("V-1"), incident("I-1", "2010-01-01", "call", [], ["V-1"]),
          incident("I-2", "2010-01-01", "call", [], ["V-1"])])
    db.execute("MATCH (p:Person {id: 'V-1'}) REMOVE p.first_recorded_on, p.review_on, p.review_scheduled")
    review.decide(db, "incident", "I-2", "retain", "open case", "a", next_review_on=dt.date.today() + dt.timedelta(days=90))
    lines = DEFAULT_SCHEDULE.read_text(encoding="utf-8").splitlines()
    changed = [line.replace("incident,*,3,6,", "incident,*,3,8,") for line in lines]
    path = tmp_path / "schedule.csv"
    path.write_text("\n".join(changed) + "\n", encoding="utf-8")
    out = runner.invoke(main, ["review", "reschedule"], env={**neo4j_env, "GRAPHSVC_REVIEW_SCHEDULE": str(path)})
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["records"]["incident"] == 2
    got = {r["id"]: r for r in db.execute(
        "MATCH (n) WHERE n.id IN ['I-1', 'I-2', 'V-1'] RETURN n.id AS id, n.review_on AS on, "
        "n.review_scheduled AS scheduled, n.first_recorded_on AS first")}
    assert got["I-1"]["on"].to_native() == dt.date(2018, 1, 1)  # eight years now
    assert got["I-2"]["scheduled"].to_native() == dt.date(2018, 1, 1) and got["I-2"]["on"].to_native() > dt.date.today()
    assert got["V-1"]["first"] is not None and got["V-1"]["on"] is not None
