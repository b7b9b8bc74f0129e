"""The analyses through the HTTP API: every route answers the contract's shapes (pydantic
response models validate), with a real key, purpose and Neo4j."""

from __future__ import annotations

import threading
import time

from graphsvc.security import keys as auth
from tests.analysis_records import incident, order, person, series


def test_every_analysis_route_answers(db, load, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GRAPHSVC_PATTERN_CACHE_S", "0")
    load([person("DM", "Daniel", "Marsh", phones=["07700 900123"]), person("V1", "Vi", "One"), person("V2"),
          *series("R", "DM", "V1", 0, 7, ["text", "call", "visit", "damage", "threat", "assault"]),
          order("O1", "DM", ["V1"], 3), incident("B", 50, "visit", ["DM"], ["V2"], breached_order_ids=["O1"]),
          incident("U1", 60, "call", [], ["V2"], identifiers_used={"phones": ["07700 900999"]}),
          incident("U2", 61, "call", [], ["V1"], identifiers_used={"phones": ["07700 900999"]})])
    key = auth.create_key(db, role="investigator", name="analysis-test")[0]
    h = {"Authorization": f"Bearer {key}", "X-Purpose": "OP-TEST"}
    r = client.post("/api/v1/check", json={"subject": {"given_name": "Danny", "phones": ["07700900123"]}}, headers=h)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["matches"][0]["person_id"] == "DM"
    for path in ("/api/v1/persons/DM", "/api/v1/persons/DM/fixation", "/api/v1/persons/V1/linked-victims",
                 "/api/v1/patterns/serial?min_victims=2", "/api/v1/patterns/unidentified", "/api/v1/search?q=Marsh"):
        r = client.get(path, headers=h)
        assert r.status_code == 200, (path, r.get_json())
    assert client.get("/api/v1/persons/DM/fixation", headers=h).get_json()["pattern"]["victim_count"] == 2
    assert client.get("/api/v1/patterns/unidentified", headers=h).get_json()["clusters"][0]["incident_ids"] == ["U1", "U2"]
    assert client.get("/api/v1/persons/NOPE/fixation", headers=h).status_code == 404
    assert client.get("/api/v1/patterns/serial?cursor=bad", headers=h).status_code in (400, 422)


# one offender, two victims: the serial ranking's smallest register
_TWO_VICTIMS = [person("DM", "Daniel", "Marsh"), person("V1"), person("V2"),
                incident("A", 1, "call", ["DM"], ["V1"]), incident("B", 2, "call", ["DM"], ["V2"])]


class _HeldRanking:
    """``services._rank_serial`` made to wait for ``release`` (a run over a large register,
    held until the test lets it finish); ``started`` is set and ``runs`` counted on each run."""

    def __init__(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        from graphsvc import services

        self.release = threading.Event()
        self.started = threading.Event()
        self.runs = 0
        real = services._rank_serial

        def held(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.runs += 1
            self.started.set()
            self.release.wait(30)
            return real(*args, **kwargs)

        monkeypatch.setattr(services, "_rank_serial", held)


def _until(ready, what: str, seconds: float = 30.0):  # type: ignore[no-untyped-def]
    """Poll ``ready()`` until it returns something true; fail with ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not (value := ready()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return value


def test_a_long_register_wide_job_answers_job_pending_then_its_result(db, load, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graphsvc import services

    monkeypatch.setenv("GRAPHSVC_PATTERN_CACHE_S", "120")
    services._job_cache.clear()
    load(_TWO_VICTIMS)
    held = _HeldRanking(monkeypatch)
    monkeypatch.setattr(services, "_job_wait_s", 0.2)
    key = auth.create_key(db, role="investigator", name="job-test")[0]
    h = {"Authorization": f"Bearer {key}", "X-Purpose": "OP-TEST"}
    first = client.get("/api/v1/patterns/serial?min_victims=2", headers=h)
    assert first.status_code == 503
    assert first.get_json()["error"]["code"] == "job_pending"
    assert int(first.headers["Retry-After"]) > 0
    assert client.get("/api/v1/patterns/serial?min_victims=2", headers=h).status_code == 503  # still running
    held.release.set()
    r = _until(lambda: (x := client.get("/api/v1/patterns/serial?min_victims=2", headers=h)).status_code == 200 and x,
               "the ranking never came")
    assert [p["person_id"] for p in r.get_json()["persons"]] == ["DM"]


def test_a_ranking_past_its_refresh_age_is_served_while_it_refreshes_and_marked_stale_after_the_graph_changed(db, load, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graphsvc import services

    services._job_cache.clear()
    load(_TWO_VICTIMS)
    monkeypatch.setenv("GRAPHSVC_PATTERN_CACHE_S", "60")
    monkeypatch.setattr(services, "_job_wait_s", 30.0)
    first = services.serial(db, min_victims=2)
    assert [p["person_id"] for p in first["persons"]] == ["DM"]
    assert first["computed_at"] is not None and first["stale"] is False
    assert services.serial(db, min_victims=2)["computed_at"] == first["computed_at"]  # fresh: the cache

    held = _HeldRanking(monkeypatch)
    monkeypatch.setattr(services, "_job_wait_s", 0.2)
    monkeypatch.setenv("GRAPHSVC_PATTERN_CACHE_S", "0.3")
    time.sleep(0.4)  # past the refresh age; the graph has not changed
    again = services.serial(db, min_victims=2)  # no wait and no job_pending: the previous answer
    assert (again["computed_at"], again["stale"]) == (first["computed_at"], False)
    assert [p["person_id"] for p in again["persons"]] == ["DM"]
    assert held.started.wait(10), "the refresh did not start"
    held.release.set()
    refreshed = _until(lambda: (x := services.serial(db, min_victims=2))["computed_at"] != first["computed_at"] and x,
                       "the refreshed ranking never replaced the old one")

    # the graph changed (a third victim) and the new run outlives the wait: the last answer,
    # marked stale, rather than "ask again"; then the new one
    held.release.clear()
    monkeypatch.setenv("GRAPHSVC_PATTERN_CACHE_S", "60")
    load([person("V3"), incident("C", 3, "call", ["DM"], ["V3"])])
    old = services.serial(db, min_victims=2)
    assert (old["computed_at"], old["stale"]) == (refreshed["computed_at"], True)
    assert old["persons"][0]["victim_count"] == 2
    held.release.set()
    fresh = _until(lambda: not (x := services.serial(db, min_victims=2))["stale"] and x, "the new ranking never came")
    assert fresh["persons"][0]["victim_count"] == 3
    assert fresh["computed_at"] > refreshed["computed_at"]


def test_a_record_replaced_in_place_changes_the_cached_ranking_at_once(db, load, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An incident's type edited (every count stays the same): the register's write counter is
    in the cache's fingerprint, so the next request is answered from a new run, not the cache."""
    from graphsvc import services

    services._job_cache.clear()
    monkeypatch.setenv("GRAPHSVC_PATTERN_CACHE_S", "600")
    monkeypatch.setattr(services, "_job_wait_s", 30.0)
    load(_TWO_VICTIMS)
    before = services.serial(db, min_victims=2)
    assert services.serial(db, min_victims=2)["computed_at"] == before["computed_at"]  # cached
    load([incident("B", 2, "assault", ["DM"], ["V2"])])  # the same record, its type changed in place
    after = services.serial(db, min_victims=2)
    assert after["computed_at"] != before["computed_at"] and after["stale"] is False
    assert after["persons"][0]["risk_score"] > before["persons"][0]["risk_score"]


def test_one_run_per_job_at_a_time_however_often_the_register_changes(db, load, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Changes arriving while a run is under way start no run beside it (at 1M a run takes
    minutes and gigabytes); the caller gets the last answer marked stale; the request after the
    run ends starts one for the register as it is then."""
    from graphsvc import services

    services._job_cache.clear()
    monkeypatch.setenv("GRAPHSVC_PATTERN_CACHE_S", "600")
    monkeypatch.setattr(services, "_job_wait_s", 30.0)
    load(_TWO_VICTIMS)
    first = services.serial(db, min_victims=2)

    held = _HeldRanking(monkeypatch)
    monkeypatch.setattr(services, "_job_wait_s", 0.2)
    for k in range(3):  # three loads, each met by a request while the first new run is held
        load([person(f"VX{k}"), incident(f"X{k}", 10 + k, "call", ["DM"], [f"VX{k}"])])
        answer = services.serial(db, min_victims=2)
        assert (answer["computed_at"], answer["stale"]) == (first["computed_at"], True)
    time.sleep(0.3)
    assert held.runs == 1, f"{held.runs} runs at once"
    held.release.set()
    latest = _until(lambda: not (x := services.serial(db, min_victims=2))["stale"]
                    and x["persons"][0]["victim_count"] >= 5 and x,
                    "the ranking of the register as it is never came")
    assert latest["persons"][0]["victim_count"] == 5
