"""The audit log: a verified hash chain, tampering found, concurrent appends, GET /audit."""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner

from graphsvc.security import audit
from graphsvc.cli import main as cli_main
from graphsvc.graph.db import Database


def append(db: Database, n: int, actor: str = "dc-smith#k1", action: str = "consultation") -> list[dict]:  # type: ignore[type-arg]
    return [
        audit.append_entry(db, actor=actor, role="investigator", action=action, purpose=f"OP-{i}",
                           query={"path": f"/persons/P{i}", "q": {"nested": [i]}}, person_ids=[f"P{i}", "P0"],
                           status=200)
        for i in range(n)
    ]


def test_entries_chain_and_verify(db: Database) -> None:
    entries = append(db, 5)
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0]["prev_hash"] == "" and all(
        later["prev_hash"] == earlier["hash"] for earlier, later in zip(entries, entries[1:])
    )
    result = audit.verify(db)
    assert result.ok and result.entries == 5 and result.head_hash == entries[-1]["hash"]


def test_an_empty_log_verifies(db: Database) -> None:
    assert audit.verify(db).ok


def test_unknown_actions_are_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        audit.append_entry(db, actor="x", role="admin", action="peek", purpose=None, query={}, person_ids=[], status=200)


@pytest.mark.parametrize(
    "tamper, bad_seq",
    [
        ("MATCH (e:AuditEntry {seq: 3}) SET e.purpose = 'nothing to see'", 3),
        ("MATCH (e:AuditEntry {seq: 2}) SET e.person_ids = ['P1']", 2),
        ("MATCH (e:AuditEntry {seq: 4}) SET e.status = '404'", 4),
        ("MATCH (e:AuditEntry {seq: 3}) SET e.note = 'added later'", 3),
        ("MATCH (e:AuditEntry {seq: 3}) DETACH DELETE e", 3),
        ("MATCH (e:AuditEntry {seq: 6}) DETACH DELETE e", 6),
        ("MATCH (e:AuditEntry) WHERE e.seq >= 5 DETACH DELETE e", 5),
    ],
)
def test_tampering_is_detected_and_named(db: Database, tamper: str, bad_seq: int) -> None:
    append(db, 6)
    assert audit.verify(db).ok
    db.execute(tamper)  # type: ignore[arg-type]
    result = audit.verify(db)
    assert not result.ok
    assert result.bad_seq == bad_seq, result.problem
    assert str(bad_seq) in (result.problem or "")


def test_a_rehashed_edit_still_breaks_the_link(db: Database) -> None:
    entries = append(db, 4)
    forged = {**entries[1], "purpose": "forged"}
    forged["hash"] = audit.entry_hash(forged)
    db.execute("MATCH (e:AuditEntry {seq: 2}) SET e.purpose = $p, e.hash = $h", p="forged", h=forged["hash"])
    result = audit.verify(db)
    assert not result.ok and result.bad_seq == 3


def test_concurrent_appends_keep_one_chain(db: Database) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            append(db, 10, actor=f"worker-{n}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = audit.verify(db)
    assert result.ok and result.entries == 60


def test_cli_verify_names_the_broken_entry(db: Database, neo4j_env, monkeypatch, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    for name, value in neo4j_env.items():
        monkeypatch.setenv(name, value)
    append(db, 3)
    ok = runner.invoke(cli_main, ["audit", "verify"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True
    listed = runner.invoke(cli_main, ["audit", "list", "--limit", "2"])
    assert [json.loads(line)["seq"] for line in listed.stdout.splitlines()] == [3, 2]
    db.execute("MATCH (e:AuditEntry {seq: 2}) SET e.actor = 'someone else'")
    broken = runner.invoke(cli_main, ["audit", "verify"])
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["bad_seq"] == 2
    assert "entry 2" in broken.stderr


# -- GET /audit ------------------------------------------------------------------------------
def test_get_audit_filters_and_pages(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    append(db, 3, actor="dc-smith#k1")
    append(db, 2, actor="dc-jones#k2", action="disclosure")
    admin = {"Authorization": f"Bearer {keys['admin']}"}

    body = client.get("/api/v1/audit", headers=admin).get_json()
    assert [e["seq"] for e in body["entries"]] == [5, 4, 3, 2, 1] and body["next_cursor"] is None
    assert body["entries"][0]["query"]["q"] == {"nested": [1]}  # decoded

    by_actor = client.get("/api/v1/audit?actor=dc-jones", headers=admin).get_json()["entries"]
    assert {e["actor"] for e in by_actor} == {"dc-jones#k2"}
    assert len(client.get("/api/v1/audit?action=disclosure", headers=admin).get_json()["entries"]) == 2
    by_person = client.get("/api/v1/audit?person_id=P2", headers=admin).get_json()["entries"]
    assert [e["seq"] for e in by_person] == [3]

    page1 = client.get("/api/v1/audit?limit=2", headers=admin).get_json()
    assert [e["seq"] for e in page1["entries"]] == [5, 4] and page1["next_cursor"] == "4"
    page2 = client.get(f"/api/v1/audit?limit=2&cursor={page1['next_cursor']}", headers=admin).get_json()
    assert [e["seq"] for e in page2["entries"]] == [3, 2]

    at3 = body["entries"][2]["at"]
    since = client.get("/api/v1/audit", query_string={"since": at3}, headers=admin).get_json()["entries"]
    assert [e["seq"] for e in since] == [5, 4, 3]
    until = client.get("/api/v1/audit", query_string={"until": at3}, headers=admin).get_json()["entries"]
    assert [e["seq"] for e in until] == [2, 1]


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "action=peek", "since=yesterday", "cursor=-1"])
def test_get_audit_rejects_bad_filters(client, keys, query: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/audit?{query}", headers={"Authorization": f"Bearer {keys['admin']}"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert response.get_json()["error"]["details"]
