"""`graphsvc dump` then `graphsvc load` into an empty database gives the same graph."""

from __future__ import annotations

import json

from click.testing import CliRunner

from graphsvc.cli import main
from graphsvc.graph.fingerprint import fingerprint
from tests.records_factory import register


def test_dump_and_reload_give_an_identical_graph(db, load, tmp_path, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    records = register(90, seed=5) + [
        {"kind": "incident", "id": "X-1", "source": "BTP", "occurred_at": "2024-06-01T23:30:00+01:00",
         "reported_at": "2024-06-02T09:00:00Z", "type": "breach", "offender_ids": ["T-P-O0"], "victim_ids": ["ZZ-unloaded"],
         "breached_order_ids": ["T-O-0", "O-never-loaded"], "outcome": "charged", "description": "Sat outside — «again»",
         "identifiers_used": {"emails": ["Someone@Example.org"], "vehicles": ["ab12cde"]}},
        {"kind": "person", "id": "X-P", "source": "BTP", "aliases": ["Zed", "Zee"], "gender": "F", "dob": "1990-12-31",
         "handles": [{"platform": "tiktok", "handle": "@Zed"}]},
    ]
    load(records)
    before = fingerprint(db)
    out = tmp_path / "dump.jsonl"
    result = runner.invoke(main, ["dump", "-o", str(out)], env=neo4j_env)
    assert result.exit_code == 0, result.output
    dumped = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(dumped) == len({(r["kind"], r["id"]) for r in records})
    db.execute("MATCH (n) DETACH DELETE n")
    result = runner.invoke(main, ["load", str(out), "--no-resolve"], env=neo4j_env)  # a restore: links are not records
    assert result.exit_code == 0, result.output
    after = fingerprint(db)
    assert after.nodes == before.nodes and after.relationships == before.relationships
    assert after == before
