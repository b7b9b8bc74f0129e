"""The analyses through the HTTP API: every route answers the contract's shapes (pydantic
response models validate), with a real key, purpose and Neo4j; and the cache of register-wide
jobs (:class:`graphsvc.services.JobCache`), the app's and on its own, driven through its
interface: apps built with the refresh age and wait a test needs, runs held by a runner or a
compute that blocks on an event."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from graphsvc import services
from graphsvc.app import create_app
from graphsvc.errors import JobPending
from graphsvc.security import keys as auth
from graphsvc.services import JobCache
from graphsvc.services import state as pattern_state
from tests.analysis_records import incident, order, person, series


def _app(settings, *, pattern_cache_s: float, **config: Any):  # type: ignore[no-untyped-def]
    """The service on this run's Neo4j, its job cache refreshed after ``pattern_cache_s``
    (the settings' ``GRAPHSVC_PATTERN_CACHE_S``); ``config`` as for :func:`create_app`."""
    return create_app({"TESTING": True, "GRAPHSVC_SETTINGS": settings.with_overrides(pattern_cache_s=pattern_cache_s),
                       **config})


def test_every_analysis_route_answers(db, load, neo4j_settings) -> None:  # type: ignore[no-untyped-def]
    client = _app(neo4j_settings, pattern_cache_s=0).test_client()  # no cache: every answer computed afresh
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
    """A :data:`~graphsvc.services.jobs.Runner` that holds each run of the serial ranking until
    ``release`` is set (a run over a large register, held until the test lets it finish);
    ``started`` is set and ``runs`` counted on each run. Other jobs run as usual."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.runs = 0

    def __call__(self, name: str, compute):  # type: ignore[no-untyped-def]
        if name != "serial":
            return compute()
        self.runs += 1
        self.started.set()
        self.release.wait(30)
        return compute()


class _Register:
    """A register-wide job for :meth:`JobCache.answer`: it counts the incidents on the register
    (so an answer says which state of the register it was computed from), and each run waits
    for ``release`` (set from the start: runs go through until :meth:`hold`)."""

    def __init__(self, db) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.release = threading.Event()
        self.release.set()
        self.started = threading.Event()
        self.runs = 0

    def hold(self) -> None:
        """Hold the runs from now on (until ``release`` is set); count them afresh."""
        self.release.clear()
        self.started.clear()
        self.runs = 0

    def compute(self) -> int:
        self.runs += 1
        self.started.set()
        self.release.wait(30)
        return int(self.db.execute("MATCH (i:Incident) RETURN count(i) AS n")[0]["n"])


def _until(ready, what: str, seconds: float = 30.0):  # type: ignore[no-untyped-def]
    """Poll ``ready()`` until it returns something true; fail with ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not (value := ready()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return value


def test_the_app_cache_takes_its_refresh_age_and_wait_from_the_app_and_no_cache_computes_afresh(db, load, neo4j_settings) -> None:  # type: ignore[no-untyped-def]
    app = _app(neo4j_settings, pattern_cache_s=120, JOB_WAIT_S=0.2)
    jobs = services.current_jobs(app)
    assert isinstance(jobs, JobCache) and app.extensions["graphsvc.jobs"] is jobs
    assert (jobs.ttl_s, jobs.wait_s) == (120, 0.2)
    with app.app_context():
        assert services.current_jobs() is jobs
    assert services.current_jobs(_app(neo4j_settings, pattern_cache_s=120)) is not jobs  # one cache per app
    load(_TWO_VICTIMS)
    # without a cache (services called directly) every answer is computed afresh, in the caller's thread
    # (a filtered ranking: the whole register's is read from the pattern state, no job at all)
    first, second = services.serial(db, min_victims=2, agency="WMP"), services.serial(db, min_victims=2, agency="WMP")
    assert [p["person_id"] for p in first["persons"]] == ["DM"] and first["stale"] is False
    assert second["computed_at"] > first["computed_at"]
    # the unidentified clusters are read from the pattern state: when it was last brought up to date
    applied = pattern_state.status(db)["meta"]["applied_at"].isoformat()
    assert services.unidentified(db)["computed_at"] == services.unidentified(db)["computed_at"] == applied
    # with one, the answer is kept
    jobs.wait_s = 30.0
    kept = services.serial(db, min_victims=2, agency="WMP", jobs=jobs)
    assert services.serial(db, min_victims=2, agency="WMP", jobs=jobs)["computed_at"] == kept["computed_at"]


def test_a_long_register_wide_job_answers_job_pending_then_its_result(db, load, neo4j_settings) -> None:  # type: ignore[no-untyped-def]
    app = _app(neo4j_settings, pattern_cache_s=120, JOB_WAIT_S=0.2)
    held = _HeldRanking()
    JobCache(runner=held).init_app(app)  # the app's cache, its runs held; refresh age and wait from the app
    assert (services.current_jobs(app).ttl_s, services.current_jobs(app).wait_s) == (120, 0.2)
    client = app.test_client()
    load(_TWO_VICTIMS)
    key = auth.create_key(db, role="investigator", name="job-test")[0]
    h = {"Authorization": f"Bearer {key}", "X-Purpose": "OP-TEST"}
    # a filtered ranking is a register-wide job
    url = "/api/v1/patterns/serial?min_victims=2&agency=WMP"
    first = client.get(url, headers=h)
    assert first.status_code == 503
    assert first.get_json()["error"]["code"] == "job_pending"
    assert int(first.headers["Retry-After"]) > 0
    assert client.get(url, headers=h).status_code == 503  # still running
    # the whole register's ranking is read from the pattern state meanwhile: no job, no wait
    whole = client.get("/api/v1/patterns/serial?min_victims=2", headers=h)
    assert whole.status_code == 200 and [p["person_id"] for p in whole.get_json()["persons"]] == ["DM"]
    held.release.set()
    r = _until(lambda: (x := client.get(url, headers=h)).status_code == 200 and x, "the ranking never came")
    assert [p["person_id"] for p in r.get_json()["persons"]] == ["DM"]
    assert held.runs == 1


def test_an_answer_past_its_refresh_age_is_served_while_it_refreshes_and_marked_stale_after_the_register_changed(db, load) -> None:  # type: ignore[no-untyped-def]
    load(_TWO_VICTIMS)
    job = _Register(db)
    jobs = JobCache(ttl_s=60, wait_s=30.0)

    def ask():  # type: ignore[no-untyped-def]
        return jobs.answer(db, "serial", "min_victims=2", job.compute)

    first = ask()
    assert first.value == 2 and first.computed_at is not None and first.stale is False
    assert ask().computed_at == first.computed_at  # fresh: the cache
    assert job.runs == 1

    job.hold()
    jobs.wait_s = 0.2
    jobs.ttl_s = 0.3
    time.sleep(0.4)  # past the refresh age; the register has not changed
    again = ask()  # no wait and no JobPending: the previous answer
    assert (again.computed_at, again.stale) == (first.computed_at, False)
    assert again.value == 2
    assert job.started.wait(10), "the refresh did not start"
    job.release.set()
    refreshed = _until(lambda: (x := ask()).computed_at != first.computed_at and x,
                       "the refreshed answer never replaced the old one")
    assert refreshed.value == 2 and refreshed.stale is False

    # the register changed (a third incident) and the new run outlives the wait: the last
    # answer, marked stale, rather than "ask again"; then the new one
    jobs.ttl_s = 60
    job.hold()
    load([person("V3"), incident("C", 3, "call", ["DM"], ["V3"])])
    old = ask()
    assert (old.computed_at, old.stale) == (refreshed.computed_at, True)
    assert old.value == 2
    job.release.set()
    fresh = _until(lambda: not (x := ask()).stale and x, "the new answer never came")
    assert fresh.value == 3
    assert fresh.computed_at > refreshed.computed_at


def test_a_record_replaced_in_place_changes_the_cached_ranking_at_once(db, load) -> None:  # type: ignore[no-untyped-def]
    """An incident's type edited (every count stays the same): the register's write counter is
    in the cache's fingerprint, so the next request is answered from a new run, not the cache."""
    jobs = JobCache(ttl_s=600, wait_s=30.0)
    load(_TWO_VICTIMS)
    before = services.serial(db, min_victims=2, jobs=jobs)
    assert services.serial(db, min_victims=2, jobs=jobs)["computed_at"] == before["computed_at"]  # cached
    load([incident("B", 2, "assault", ["DM"], ["V2"])])  # the same record, its type changed in place
    after = services.serial(db, min_victims=2, jobs=jobs)
    assert after["computed_at"] != before["computed_at"] and after["stale"] is False
    assert after["persons"][0]["risk_score"] > before["persons"][0]["risk_score"]


def test_one_run_per_job_at_a_time_however_often_the_register_changes(db, load) -> None:  # type: ignore[no-untyped-def]
    """Changes arriving while a run is under way start no run beside it (at 1M a run takes
    minutes and gigabytes); the caller gets the last answer marked stale; the request after the
    run ends starts one for the register as it is then."""
    jobs = JobCache(ttl_s=600, wait_s=30.0)
    load(_TWO_VICTIMS)
    job = _Register(db)

    def ask():  # type: ignore[no-untyped-def]
        return jobs.answer(db, "serial", "min_victims=2", job.compute)

    first = ask()

    job.hold()
    jobs.wait_s = 0.2
    for k in range(3):  # three loads, each met by a request while the first new run is held
        load([person(f"VX{k}"), incident(f"X{k}", 10 + k, "call", ["DM"], [f"VX{k}"])])
        answer = ask()
        assert (answer.computed_at, answer.stale) == (first.computed_at, True)
    time.sleep(0.3)
    assert job.runs == 1, f"{job.runs} runs at once"
    job.release.set()
    latest = _until(lambda: not (x := ask()).stale and x.value >= 5 and x,
                    "the answer for the register as it is never came")
    assert latest.value == 5


def test_no_answer_yet_and_a_run_that_outlives_the_wait_is_job_pending_and_the_run_goes_on(db, load) -> None:  # type: ignore[no-untyped-def]
    load(_TWO_VICTIMS)
    job = _Register(db)
    job.hold()
    jobs = JobCache(ttl_s=600, wait_s=0.2)
    with pytest.raises(JobPending) as pending:
        jobs.answer(db, "clusters", None, job.compute)
    assert pending.value.retry_after > 0 and pending.value.details == {"job": "clusters"}
    with pytest.raises(JobPending):
        jobs.answer(db, "clusters", None, job.compute)  # the same run, still under way
    assert job.runs == 1
    job.release.set()
    done = _until(lambda: _or_none(lambda: jobs.answer(db, "clusters", None, job.compute)), "the answer never came")
    assert (done.value, done.stale, job.runs) == (2, False, 1)


def _or_none(ask):  # type: ignore[no-untyped-def]
    try:
        return ask()
    except JobPending:
        return None


def test_an_error_in_the_job_reaches_every_waiter_and_the_next_request_starts_it_again(db) -> None:  # type: ignore[no-untyped-def]
    jobs = JobCache(ttl_s=600, wait_s=30.0)
    release, runs = threading.Event(), []

    def failing() -> int:
        runs.append(1)
        release.wait(30)
        raise RuntimeError("the register-wide read failed")

    errors: list[BaseException] = []

    def waiter() -> None:
        try:
            jobs.answer(db, "serial", "q", failing)
        except RuntimeError as exc:
            errors.append(exc)

    waiters = [threading.Thread(target=waiter) for _ in range(3)]
    for t in waiters:
        t.start()
    _until(lambda: runs, "the run never started")
    time.sleep(0.5)  # every waiter is waiting on the one run
    release.set()
    for t in waiters:
        t.join(30)
    assert len(runs) == 1, "one run for every waiter"
    assert [str(e) for e in errors] == ["the register-wide read failed"] * 3
    answer = jobs.answer(db, "serial", "q", lambda: 7)  # nothing kept: the next request runs it again
    assert (answer.value, answer.stale) == (7, False)


def test_without_a_wait_another_questions_run_is_waited_for_then_this_one_runs(db) -> None:  # type: ignore[no-untyped-def]
    """``wait_s=None`` (the CLI): while a run for another question is under way none starts
    beside it; the caller waits for that run to end, then its own runs and it gets its answer."""
    jobs = JobCache(ttl_s=600, wait_s=None)
    release, order_of_runs = threading.Event(), []

    def slow() -> str:
        order_of_runs.append("a")
        release.wait(30)
        return "a"

    def quick() -> str:
        order_of_runs.append("b")
        return "b"

    first = threading.Thread(target=lambda: jobs.answer(db, "serial", "question a", slow))
    first.start()
    _until(lambda: order_of_runs, "the first run never started")
    got: list[Any] = []
    second = threading.Thread(target=lambda: got.append(jobs.answer(db, "serial", "question b", quick)))
    second.start()
    time.sleep(0.3)
    assert order_of_runs == ["a"] and not got, "a second run started beside the first"
    release.set()
    first.join(30)
    second.join(30)
    assert order_of_runs == ["a", "b"]
    assert (got[0].value, got[0].stale) == ("b", False)
