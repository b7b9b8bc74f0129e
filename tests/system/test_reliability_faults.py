"""Faults: Neo4j killed (SIGKILL) under API writes, and every query bounded.

- While Neo4j is down the service answers 503 with ``Retry-After`` in the one error shape,
  ``/health`` stays up, and it recovers by itself once Neo4j is back (no app restart).
- No record is partial: straight after the restart every batch is either wholly in the graph
  or not at all; a client that retries its failed batch ends with exactly the graph of an
  uninterrupted run (content fingerprints compared).
- Every list is capped, depth is bounded, and a runaway query is stopped by the transaction
  timeout of the one driver edge.

The session's Neo4j is shared by every test: it is started again in a ``finally``.
(Killing Neo4j under ``graphsvc load`` is tests/graph/test_load.py's
``test_neo4j_killed_mid_load_then_restart_and_rerun_converges``.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from graphsvc.security import audit
from graphsvc.security import keys as auth
from graphsvc.graph import localdb
from graphsvc.app import create_app
from graphsvc.config import Settings
from graphsvc.graph.db import Database
from graphsvc.errors import DatabaseUnavailable
from graphsvc.graph.fingerprint import fingerprint

PURPOSE = "OP-FAULTS/2026/001"


def batch(k: int) -> list[dict[str, Any]]:
    """Batch ``k``: an offender, two victims, three incidents (one naming the previous batch's
    victim: a reference across batches) and an order. No record appears in two batches, so the
    order batches land in does not change the final graph (contract: records arrive in any order)."""
    o, v0, v1 = f"F-P-{k}", f"F-V-{k}-0", f"F-V-{k}-1"
    earlier = f"F-V-{k - 1}-0" if k else "F-V-none"
    return [
        {"kind": "person", "id": o, "source": "FLT", "given_name": f"Off{k}", "family_name": "Fault",
         "phones": [f"07700 9{k:05d}"], "aliases": [f"F{k}"]},
        {"kind": "person", "id": v0, "source": "FLT", "given_name": f"Vic{k}", "family_name": "Zero",
         "addresses": [{"line1": f"{k} Mill Lane", "town": "Leeds", "postcode": "LS1 1AA"}]},
        {"kind": "person", "id": v1, "source": "FLT", "given_name": f"Vic{k}", "family_name": "One"},
        {"kind": "incident", "id": f"F-I-{k}-0", "source": "FLT", "occurred_at": f"2025-01-{1 + k % 28:02d}",
         "type": "text", "offender_ids": [o], "victim_ids": [v0], "identifiers_used": {"phones": [f"07700 9{k:05d}"]}},
        {"kind": "incident", "id": f"F-I-{k}-1", "source": "FLT", "occurred_at": f"2025-02-{1 + k % 28:02d}T21:00:00",
         "type": "following", "offender_ids": [o], "victim_ids": [v1], "breached_order_ids": [f"F-O-{k}"]},
        {"kind": "incident", "id": f"F-I-{k}-2", "source": "FLT", "occurred_at": "2025-03-01",
         "type": "loitering", "offender_ids": [o], "victim_ids": [earlier]},
        {"kind": "order", "id": f"F-O-{k}", "source": "FLT", "type": "restraining_order", "issued_on": "2024-06-01",
         "respondent_id": o, "protected_ids": [v1]},
    ]


BATCHES = 12


def _unavailable(response: Any, what: str) -> None:
    assert response.status_code == 503, f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    assert response.get_json()["error"]["code"] == "database_unavailable", what
    assert int(response.headers["Retry-After"]) > 0, what
    assert "Traceback" not in response.get_data(as_text=True)


def _present(db: Database, records: list[dict[str, Any]]) -> int:
    """How many of ``records`` are in the graph as records (not placeholders)."""
    ids = [r["id"] for r in records]
    row = db.execute(
        "MATCH (n) WHERE (n:Person OR n:Incident OR n:Order) AND n.id IN $ids AND NOT coalesce(n.placeholder, false) "
        "RETURN count(n) AS n",
        ids=ids,
    )
    return int(row[0]["n"])


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _clear_register(db: Database) -> None:
    db.execute("MATCH (n) WHERE NOT (n:ApiKey OR n:AuditEntry OR n:AuditHead) DETACH DELETE n")


def test_neo4j_killed_under_api_writes_503_then_recovery_and_convergence(neo4j_settings: Settings, db: Database) -> None:
    app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings, "JSON_LOGS": False,
                      "RATE_LIMIT_PER_S": 10_000.0, "RATE_LIMIT_BURST": 100_000,
                      "AUTO_RESOLVE": False})  # links carry created_at: two runs would never be equal
    writer = {"Authorization": f"Bearer {auth.create_key(db, role='case_system', name='fault-writer')[0]}"}
    batches = [batch(k) for k in range(BATCHES)]

    # The reference: the same batches written without interruption.
    client = app.test_client()
    for records in batches:
        assert client.post("/api/v1/records", json=records, headers=writer).get_json()["accepted"] == len(records)
    reference = fingerprint(db)
    _clear_register(db)
    assert fingerprint(db).nodes == 0

    # A case system writing batch after batch, retrying a batch after a 503 (when allowed to).
    log: list[tuple[int, int, float]] = []  # (batch, status, monotonic time)
    may_post = threading.Event()
    may_post.set()
    idle = threading.Event()
    failures: list[str] = []

    def case_system() -> None:
        own = app.test_client()
        try:
            for k, records in enumerate(batches):
                deadline = time.monotonic() + 240
                while True:
                    if not may_post.is_set():
                        idle.set()
                        may_post.wait(240)
                        idle.clear()
                    response = own.post("/api/v1/records", json=records, headers=writer)
                    log.append((k, response.status_code, time.monotonic()))
                    if response.status_code == 200:
                        break
                    _unavailable(response, f"batch {k}")
                    assert time.monotonic() < deadline, f"batch {k} never accepted"
                    time.sleep(0.3)
                if k >= 2:
                    time.sleep(0.2)  # keep writing while the database is killed
        except BaseException as exc:  # reported by the main thread
            failures.append(repr(exc))
        finally:
            idle.set()

    thread = threading.Thread(target=case_system, daemon=True)
    killed = False
    try:
        thread.start()
        _wait(lambda: sum(1 for _, s, _ in log if s == 200) >= 3 or bool(failures), 120, "three accepted batches")
        assert localdb.kill(neo4j_settings)
        killed = True
        killed_at = time.monotonic()
        # While down: writes 503 with Retry-After (the first after the driver's retry budget,
        # then at once: the breaker), readiness 503, liveness 200.
        _wait(lambda: sum(1 for _, s, t in log if s == 503 and t > killed_at) >= 3 or bool(failures), 90,
              "three 503s while Neo4j is down")
        assert not failures, failures
        probe = app.test_client()
        assert probe.get("/api/v1/health").status_code == 200
        _unavailable(probe.get("/api/v1/ready"), "ready while down")
        may_post.clear()
        assert idle.wait(60), "the writer did not pause"
        restart_at = time.monotonic()
        localdb.start(neo4j_settings)
        killed = False
        restarted_at = time.monotonic()
    finally:
        if killed:  # a failure above: bring the shared database back for the other tests
            localdb.start(neo4j_settings)
            may_post.set()

    # Straight after the restart, before any retry: no batch is partial.
    for k, records in enumerate(batches):
        present = _present(db, records)
        assert present in (0, len(records)), f"batch {k} is partial: {present} of {len(records)} records"
    # The app recovers by itself (no restart), then the retried writes converge.
    probe = app.test_client()
    _wait(lambda: probe.get("/api/v1/ready").status_code == 200, 60, "readiness after the restart")
    ready_at = time.monotonic()
    may_post.set()
    thread.join(300)
    assert not thread.is_alive(), "the writer did not finish"
    assert not failures, failures
    statuses = {s for _, s, _ in log}
    assert statuses == {200, 503}, statuses
    assert [k for k, s, _ in log if s == 200] == list(range(BATCHES))
    assert fingerprint(db) == reference
    assert audit.verify(db).ok
    down = [t for _, s, t in log if s == 503]
    print(f"\n{len(log)} write requests, {len(down)} answered 503 while Neo4j was down (first "
          f"{down[0] - killed_at:.1f} s after the kill, the next in {down[-1] - down[0]:.2f} s); Neo4j restart "
          f"{restarted_at - restart_at:.1f} s; ready again {ready_at - restarted_at:.1f} s after it; "
          f"all {BATCHES} batches accepted {log[-1][2] - ready_at:.1f} s later; fingerprint equals the reference")


# -- every answer bounded ----------------------------------------------------------------------
def _serial_register(offenders: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for o in range(offenders):
        for v in range(2):
            records.append({"kind": "incident", "id": f"S-I-{o}-{v}", "source": "SER", "type": "call",
                            "occurred_at": f"2025-0{1 + v}-{1 + o % 28:02d}", "offender_ids": [f"S-P-{o}"],
                            "victim_ids": [f"S-V-{o}-{v}"]})
    return records


def _rules(app: Any) -> set[str]:
    return {r.rule for r in app.url_map.iter_rules()}


LIMIT_CAPS = {  # path -> the documented cap of its limit parameter
    "/api/v1/patterns/serial": 200,
    "/api/v1/patterns/unidentified": 200,
    "/api/v1/search?q=Fault": 100,
    "/api/v1/audit": 500,
}


def test_limits_and_depths_are_capped(neo4j_settings: Settings, db: Database, load) -> None:  # type: ignore[no-untyped-def]
    load(_serial_register(60))
    app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings, "JSON_LOGS": False,
                      "RATE_LIMIT_PER_S": 10_000.0, "RATE_LIMIT_BURST": 100_000})
    client = app.test_client()
    h = {"Authorization": f"Bearer {auth.create_key(db, role='admin', name='bounds')[0]}", "X-Purpose": PURPOSE}
    rules = _rules(app)
    checked = 0
    for path, cap in LIMIT_CAPS.items():
        if path.split("?")[0] not in rules:
            continue
        sep = "&" if "?" in path else "?"
        for limit in (cap + 1, 100_000, 10**30, 0, -1):
            response = client.get(f"{path}{sep}limit={limit}", headers=h)
            assert response.status_code == 400, f"{path} limit={limit}: {response.status_code}"
            assert response.get_json()["error"]["code"] == "bad_request"
        response = client.get(f"{path}{sep}limit={cap}", headers=h)
        assert response.status_code == 200, f"{path} limit={cap}: {response.status_code}"
        checked += 1
    assert checked >= 1
    network = "/api/v1/persons/S-P-0/network"
    if network.replace("S-P-0", "<id>") in rules:
        for depth in (0, -1, 4, 99, 10**30):
            response = client.get(f"{network}?depth={depth}", headers=h)
            assert response.status_code == 400, f"depth={depth}: {response.status_code}"
        assert client.get(f"{network}?depth=3", headers=h).status_code == 200
    if "/api/v1/patterns/serial" in rules:
        for min_victims in (1, 0, 1001, 100_000):
            assert client.get(f"/api/v1/patterns/serial?min_victims={min_victims}", headers=h).status_code == 400
        # The default page is capped at 50 and pages through every serial offender exactly once.
        first = client.get("/api/v1/patterns/serial", headers=h).get_json()
        assert len(first["persons"]) == 50 and first["next_cursor"]
        seen: list[str] = []
        cursor: str | None = None
        for _ in range(10):
            url = "/api/v1/patterns/serial?limit=25" + (f"&cursor={cursor}" if cursor else "")
            page = client.get(url, headers=h).get_json()
            assert len(page["persons"]) <= 25
            seen += [p["person_id"] for p in page["persons"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(f"S-P-{o}" for o in range(60))


@pytest.mark.parametrize("kind", ["read", "write"])
def test_a_runaway_query_is_stopped_by_the_transaction_timeout(neo4j_settings: Settings, db: Database, kind: str) -> None:
    """The one driver edge gives every transaction a timeout: a query that would run for
    minutes is stopped by Neo4j and reported as a 503-class error, not left running."""
    settings = neo4j_settings.with_overrides(query_timeout_s=1.0, write_timeout_s=1.0)
    database = Database(settings)

    def runaway(tx: Any) -> Any:
        return tx.run("UNWIND range(1, 5000000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n").single()

    started = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailable, match="too long"):
            (database.read_tx if kind == "read" else database.write_tx)(runaway)
    finally:
        database.close()
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"the runaway query ran {elapsed:.1f} s"
    # Nothing is left running on the server.
    rows = db.execute("SHOW TRANSACTIONS YIELD currentQuery RETURN collect(currentQuery) AS q")
    assert not any("5000000000" in q for q in rows[0]["q"])
    assert Settings().query_timeout_s == 30.0 and Settings().write_timeout_s == 120.0
