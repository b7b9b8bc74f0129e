"""Neo4j stopped and restarted under the running app: 503 with Retry-After, then recovery
without a restart. The database is started again whatever happens (other tests share it)."""

from __future__ import annotations

import time

from graphsvc.security import audit
from graphsvc.security import keys as auth
from graphsvc.graph import localdb
from graphsvc.app import create_app
from graphsvc.graph.db import Database

PERSON = {"kind": "person", "id": "U-P-1", "source": "TST", "given_name": "Amy", "family_name": "Hale"}


def _unavailable(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == "database_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert "Traceback" not in response.get_data(as_text=True)


def test_neo4j_outage_gives_503_and_the_app_recovers(neo4j_settings, db: Database) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings})
    client = app.test_client()
    admin = {"Authorization": f"Bearer {auth.create_key(db, role='admin', name='ops')[0]}"}
    writer_key = auth.create_key(db, role="case_system", name="rms")[0]
    writer = {"Authorization": f"Bearer {writer_key}"}
    assert client.get("/api/v1/keys", headers=admin).status_code == 200  # warm: schema applied, key cached

    localdb.stop(neo4j_settings)
    try:
        assert client.get("/api/v1/health").status_code == 200  # liveness never needs Neo4j
        started = time.monotonic()
        # The first request to find Neo4j gone waits out the driver's retry budget...
        _unavailable(client.get("/api/v1/keys", headers=admin))  # a cached key, a read that fails
        first = time.monotonic() - started
        # ...and opens the breaker: from then on 503 comes at once.
        started = time.monotonic()
        _unavailable(client.get("/api/v1/ready"))
        _unavailable(client.post("/api/v1/records", json=[PERSON], headers=writer))
        _unavailable(client.get("/api/v1/audit", headers=admin))
        rest = time.monotonic() - started
        print(f"first 503 after {first:.1f} s; the next three in {rest:.2f} s")
        assert rest < 5
    finally:
        localdb.start(neo4j_settings)

    deadline = time.monotonic() + 30
    while client.get("/api/v1/ready").status_code != 200:
        assert time.monotonic() < deadline, "the app did not recover after Neo4j came back"
        time.sleep(0.5)
    assert client.get("/api/v1/keys", headers=admin).status_code == 200
    assert client.post("/api/v1/records", json=[PERSON], headers=writer).get_json()["accepted"] == 1
    assert db.execute("MATCH (p:Person {id: 'U-P-1'}) RETURN count(p) AS n") == [{"n": 1}]
    result = audit.verify(db)
    assert result.ok and result.entries >= 1
