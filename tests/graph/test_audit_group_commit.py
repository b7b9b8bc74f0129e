"""Audit group commit (issue 19, item 4) against a real Neo4j: the entries waiting in a process
are appended in one transaction, in the order handed over; each caller gets its own entry only
after the commit; the chain verifies; one bad entry fails alone."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from graphsvc.graph.db import Database
from graphsvc.repository.audit import Append
from graphsvc.repository.quota import Charge
from graphsvc.security import audit


def _wait_queued(writer: audit.GroupCommit, n: int) -> None:
    """Until ``n`` entries wait behind the one being written (at most 10 s)."""
    for _ in range(1000):
        if writer._queue.qsize() == n:
            return
        threading.Event().wait(0.01)


def _append(db: Database, actor: str, person_ids: list[str]) -> dict[str, Any]:
    return audit.append_entry(db, actor=actor, role="investigator", action="consultation", purpose="OP-GC",
                              query={"path": "/api/v1/check"}, person_ids=person_ids, status=200)


def test_waiting_entries_are_written_in_one_transaction_in_order(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db.execute("CREATE (:Person {id: 'G1', source: 'GMP'}), (:Person {id: 'M1', source: 'MPS'})")
    writer = audit.GroupCommit(db, max_batch=64)
    real = audit._append_batch
    held, entered, sizes = threading.Event(), threading.Event(), []

    def slow_first(db_: Database, appends: list[Any]) -> list[dict[str, Any]]:
        if not sizes and not entered.is_set():
            entered.set()
            held.wait(10)  # the first transaction is slow: the others queue behind it
        sizes.append(len(appends))
        return real(db_, appends)

    monkeypatch.setattr(audit, "_append_batch", slow_first)
    monkeypatch.setitem(audit._WRITERS, db, writer)
    got: dict[str, dict[str, Any]] = {}

    def call(name: str, ids: list[str]) -> None:
        got[name] = _append(db, name, ids)

    first = threading.Thread(target=call, args=("first", ["G1"]))
    first.start()
    assert entered.wait(10)  # the writer has taken the first entry and is writing it
    others = [threading.Thread(target=call, args=(f"c{n}", ["M1"] if n % 2 else ["G1", "M1"])) for n in range(10)]
    for t in others:
        t.start()
    _wait_queued(writer, 10)
    assert got == {}  # nobody is answered before their entry has committed
    held.set()
    for t in [first, *others]:
        t.join(30)
    assert sizes == [1, 10] and writer.batches == 2 and writer.entries == 11
    assert sorted(e["seq"] for e in got.values()) == list(range(1, 12))  # contiguous, no fork
    assert {name: e["actor"] for name, e in got.items()} == {name: name for name in got}  # each its own entry
    assert got["first"]["disclosed_agencies"] == ["GMP"]
    assert got["c1"]["disclosed_agencies"] == ["MPS"] and got["c2"]["disclosed_agencies"] == ["GMP", "MPS"]
    stored = {e["actor"]: e for e in audit.iter_entries(db)}
    assert {k: (v["seq"], v["hash"]) for k, v in stored.items()} == {k: (v["seq"], v["hash"]) for k, v in got.items()}
    assert audit.verify(db).ok


def test_read_charges_in_one_batch_stop_at_the_quota_in_chain_order(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The read quota is charged in the audit transaction: callers of one batch are counted in
    the order they were handed over; past the quota each gets ChargeRefused and its refusal (not
    its entry) is in the chain; a person already read today costs nothing again."""
    writer = audit.GroupCommit(db, max_batch=64)
    monkeypatch.setitem(audit._WRITERS, db, writer)
    real = audit._append_batch
    held, entered = threading.Event(), threading.Event()

    def slow_first(db_: Database, appends: list[Any]) -> Any:
        if not entered.is_set():
            entered.set()
            held.wait(10)
        return real(db_, appends)

    monkeypatch.setattr(audit, "_append_batch", slow_first)
    outcome: dict[str, Any] = {}

    def call(name: str, ids: list[str]) -> None:
        try:
            outcome[name] = audit.append_entry(
                db, actor=name, role="investigator", action="consultation", purpose="OP-Q", query={"n": name},
                person_ids=ids, status=200, charge=Charge("k1", "2026-12-05", tuple(ids), 3),
                refusal_query=lambda would_be: {"reason": "quota_exceeded", "would_be": would_be})
        except audit.ChargeRefused as refused:
            outcome[name] = refused

    first = threading.Thread(target=call, args=("r0", ["P0"]))
    first.start()
    assert entered.wait(10)
    plan = [("r1", ["P1"]), ("r2", ["P2", "P3"]), ("r3", ["P0", "P2"]), ("r4", ["P3"]), ("r5", ["P9"])]
    others = []
    for name, ids in plan:  # handed over one after the other: the batch keeps this order
        others.append(threading.Thread(target=call, args=(name, ids)))
        others[-1].start()
        _wait_queued(writer, len(others))
    held.set()
    for t in [first, *others]:
        t.join(30)
    # P0, then P1 (2), then P2+P3 would make 4 > 3: refused; P0+P2 makes 3; P3 would make 4; P9 too
    assert sorted(n for n, v in outcome.items() if isinstance(v, dict)) == ["r0", "r1", "r3"]
    assert {n: v.would_be for n, v in outcome.items() if isinstance(v, audit.ChargeRefused)} == {
        "r2": 4, "r4": 4, "r5": 4}
    stored = {e["actor"]: e for e in audit.iter_entries(db)}
    assert [stored[n]["action"] for n in ("r0", "r1", "r2", "r3", "r4", "r5")] == [
        "consultation", "consultation", "access_denied", "consultation", "access_denied", "access_denied"]
    assert stored["r2"]["person_ids"] == [] and stored["r2"]["status"] == "429"
    assert stored["r2"]["query"] == '{"reason":"quota_exceeded","would_be":4}'
    assert writer.batches == 2 and audit.verify(db).ok
    day = db.execute("MATCH (d:KeyDay {key_id: 'k1'}) OPTIONAL MATCH (r:KeyRead {key_id: 'k1'}) "
                     "RETURN d.count AS count, collect(r.person_id) AS read")[0]
    assert day["count"] == 3 and sorted(day["read"]) == ["P0", "P1", "P2"]


def test_many_concurrent_callers_keep_one_unbroken_chain(db: Database) -> None:
    done: list[int] = []

    def caller(n: int) -> None:
        for i in range(15):
            done.append(_append(db, f"t{n}", [f"P{i}"])["seq"])

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(done) == list(range(1, 181))
    result = audit.verify(db)
    assert result.ok and result.entries == 180


def test_one_bad_entry_fails_alone(db: Database) -> None:
    writer = audit.GroupCommit(db, max_batch=64)

    def good(head: dict[str, Any], agencies: list[str]) -> dict[str, Any]:
        entry = {"seq": int(head["seq"]) + 1, "at": "2026-12-04T12:00:00.000000+00:00", "actor": "ok", "role": "admin",
                 "action": "consultation", "purpose": "p", "query": "{}", "person_ids": [], "status": "200",
                 "prev_hash": head["hash"]}
        entry["hash"] = audit.entry_hash(entry)
        return entry

    def bad(head: dict[str, Any], agencies: list[str]) -> dict[str, Any]:
        raise ValueError("this entry cannot be made")

    results: dict[str, Any] = {}

    def call(name: str, make: Any) -> None:
        try:
            results[name] = writer.append(Append(make, []))["seq"]
        except ValueError as exc:
            results[name] = exc

    threads = [threading.Thread(target=call, args=(f"n{n}", bad if n == 3 else good)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert isinstance(results.pop("n3"), ValueError)
    assert sorted(results.values()) == [1, 2, 3, 4, 5]
    assert audit.verify(db).ok


def test_without_group_commit_each_entry_is_its_own_transaction(db: Database) -> None:
    direct = Database(dataclasses.replace(db.settings, audit_group_commit=False))
    try:
        entries = [_append(direct, f"d{n}", []) for n in range(3)]
        assert [e["seq"] for e in entries] == [1, 2, 3] and direct not in audit._WRITERS
        assert audit.verify(db).ok
    finally:
        direct.close()


@pytest.mark.parametrize("max_batch", [1, 2])
def test_the_batch_size_is_capped(db: Database, max_batch: int) -> None:
    writer = audit.GroupCommit(db, max_batch=max_batch)
    seqs: list[int] = []
    threads = [threading.Thread(target=lambda: seqs.append(writer.append(Append(_maker(), []))["seq"])) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(seqs) == list(range(1, 7)) and writer.batches >= 6 // max_batch


def _maker() -> Any:
    def make(head: dict[str, Any], agencies: list[str]) -> dict[str, Any]:
        entry = {"seq": int(head["seq"]) + 1, "at": audit._now(), "actor": "cap", "role": "admin",
                 "action": "consultation", "purpose": "p", "query": "{}", "person_ids": [], "status": "200",
                 "prev_hash": head["hash"]}
        entry["hash"] = audit.entry_hash(entry)
        return entry
    return make


def test_an_outage_fails_the_waiting_batch_at_once_not_entry_by_entry(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.errors import DatabaseUnavailable

    writer = audit.GroupCommit(db, max_batch=64)
    entered, held, calls = threading.Event(), threading.Event(), []

    def away(db_: Database, appends: list[Any]) -> list[dict[str, Any]]:
        calls.append(len(appends))
        if len(calls) == 1:
            entered.set()
            held.wait(10)
        raise DatabaseUnavailable("the graph database is not reachable")

    monkeypatch.setattr(audit, "_append_batch", away)
    failed: list[str] = []

    def call(n: int) -> None:
        try:
            writer.append(Append(_maker(), []))
        except DatabaseUnavailable:
            failed.append(f"c{n}")

    first = threading.Thread(target=call, args=(0,))
    first.start()
    assert entered.wait(10)
    others = [threading.Thread(target=call, args=(n,)) for n in range(1, 9)]
    for t in others:
        t.start()
    _wait_queued(writer, 8)
    held.set()
    for t in [first, *others]:
        t.join(30)
    assert sorted(failed) == sorted(f"c{n}" for n in range(9))  # every caller told: nothing disclosed
    assert calls == [1, 8]  # one attempt for the waiting batch, not eight more
