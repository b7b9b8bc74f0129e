"""The pattern state (issue #19): the serial ranking and the unidentified clusters kept in the
graph as records arrive.

Every write path leaves ``graphsvc state verify`` clean (the state equals the register-wide
computation from the raw records), the ranking and the clusters read from the state are the
register-wide ones page for page, what depends on the day is worked out at read time, and a write
that goes round the write paths is noticed."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest

from graphsvc import services
from graphsvc.graph.db import Database
from graphsvc.repository.state import note_change_in
from graphsvc.services import resolution
from graphsvc.services import state as pattern_state
from graphsvc.services.state_verify import verify as verify_state
from graphsvc.services.patterns import _cluster_answer, _rank_serial
from graphsvc.services.ranking import serial_order
from graphsvc.repository import identity as identity_reads
from graphsvc.synthetic import generate_register
from loaders.sources import RawRecord, read_path
from loaders.times import today as london_today
from tests.analysis_records import incident, order, person


def _clean(db: Database, today: dt.date | None = None) -> dict[str, Any]:
    out = verify_state(db, today=today)
    assert out["pending"] == 0
    assert out["differences"] == [], out["differences"][:5]
    assert out["clean"] and out["groups"] == out["states"] and out["clusters"] == out["cluster_states"]
    return out


def _register_wide(db: Database, min_victims: int = 2, today: dt.date | None = None) -> list[dict[str, Any]]:
    threshold = db.settings.link_threshold
    return _rank_serial(db, identity_reads.all_identity_links(db, threshold), threshold, db.settings.thresholds,
                        today or london_today(), min_victims, None, None, None)


def _canon(entries: list[dict[str, Any]]) -> list[Any]:
    return json.loads(json.dumps(entries, sort_keys=True, default=str))


def _all_pages(db: Database, min_victims: int = 2, limit: int = 7) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = services.serial(db, min_victims=min_victims, limit=limit, cursor=cursor)
        out += page["persons"]
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def _cluster_pages(db: Database, limit: int = 3) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = services.unidentified(db, limit=limit, cursor=cursor)
        out += page["clusters"]
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def _register_wide_clusters(db: Database) -> list[dict[str, Any]]:
    """Every cluster's answer, computed register-wide (as the service did before the state)."""
    found = pattern_state.register_clusters(db)
    return _cluster_answer(db, found, False, None, False)["clusters"]


def _load(db: Database, records: list[dict[str, Any]]) -> None:
    from graphsvc.services.ingest import load

    summary = load(db, [RawRecord("<test>", i + 1, data=r) for i, r in enumerate(records)])
    assert summary.rejected_records == 0 and summary.state is not None and summary.state["status"] == "done"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("state") / "register.jsonl"
    generate_register(people=600, seed=19, out=out)
    return out


@pytest.fixture
def register(db: Database, synthetic: Path) -> Database:
    """The synthetic register loaded and resolved through the service's own write paths."""
    from graphsvc.services.ingest import load

    assert load(db, read_path(synthetic)).state["rebuilt"]  # type: ignore[index]
    resolution.resolve_all(db, resolution.load_model(db.settings))
    return db


def test_load_and_resolve_leave_the_state_equal_to_the_register_wide_ranking(register: Database) -> None:
    out = _clean(register)
    assert out["groups"] > 50  # a register with something to rank
    want = _register_wide(register)
    assert len(want) > 10 and any(e.get("possible_victim_count") for e in want)
    assert any(e["identity"]["unconfirmed"] or e["identity"]["confirmed_person_ids"] for e in want)
    # page by page from the state, the register-wide ranking, entry for entry
    assert _canon(_all_pages(register)) == _canon(want)
    assert _canon(_all_pages(register, min_victims=1, limit=50)) == _canon(_register_wide(register, 1))
    first = services.serial(register, min_victims=3, limit=5)
    assert first["stale"] is False and first["computed_at"]
    assert _canon(first["persons"]) == _canon(_register_wide(register, 3)[:5])
    # the unidentified clusters, page by page from the state, are the register-wide ones
    clusters = _register_wide_clusters(register)
    assert len(clusters) > 3 and any(c["bridging_identifiers"] for c in clusters)
    assert _canon(_cluster_pages(register)) == _canon(clusters)
    page = services.unidentified(register, limit=2)
    assert page["stale"] is False and page["computed_at"] and page["next_cursor"]


def test_every_write_path_leaves_verify_clean(register: Database) -> None:
    db = register
    top = _register_wide(db)[0]
    rep, victim = top["person_id"], top["victim_ids"][0]
    # POST /records' path: a new incident and a new victim for the top offender
    _load(db, [person("ST-V1", "Nia", "Newcome"), incident("ST-I1", 900, "assault", [rep], ["ST-V1"])])
    _clean(db)
    assert next(e for e in _all_pages(db) if e["person_id"] == rep)["victim_count"] == top["victim_count"] + 1
    # a placeholder offender with a state of his own, let go of: the placeholder and its state go
    _load(db, [incident("ST-I9", 901, "text", ["ST-GHOST"], ["ST-V1"]), incident("ST-I8", 902, "text", ["ST-GHOST"], [victim])])
    _clean(db)
    assert _entry(db, "ST-GHOST") is not None
    _load(db, [incident("ST-I9", 901, "text", [rep], ["ST-V1"]), incident("ST-I8", 902, "text", [rep], [victim])])
    _clean(db)
    assert _entry(db, "ST-GHOST") is None
    # a record replaced: the incident now names an existing victim instead (the new one is let go of)
    _load(db, [incident("ST-I1", 900, "assault", [rep], [victim])])
    _clean(db)
    # an unidentified incident using an offender's phone: a possible victim of his
    _load(db, [person("ST-OX", "Ivo", "Phoner", phones=["07700 900111"]), person("ST-V2", "Ola", "Possible"),
               incident("ST-I3", 880, "text", ["ST-OX"], [victim]),
               incident("ST-I2", 905, "call", [], ["ST-V2"], identifiers_used={"phones": ["07700 900111"]})])
    _clean(db)
    assert _entry(db, "ST-OX")["possible_victim_count"] == 1
    # someone else on the register holds the phone: it no longer points at him alone
    _load(db, [person("ST-P2", "Una", "Sharer", phones=["07700 900111"])])
    _clean(db)
    assert _entry(db, "ST-OX") is None  # one victim, no possible one: not listed at two
    # her record replaced without the phone (the phone let go of): his possible victim is back
    _load(db, [person("ST-P2", "Una", "Sharer")])
    _clean(db)
    assert _entry(db, "ST-OX")["possible_victim_count"] == 1
    # an order restraining him (in force today)
    _load(db, [order("ST-O1", rep, [victim], (london_today() - dt.date(2024, 1, 1)).days - 10)])
    _clean(db)
    # identity links decided: confirmed, rejected, undone
    link = next(iter(resolution.list_links(db, status="proposed", limit=5)["links"]), None)
    assert link is not None
    for decision in ("confirm", "reject", "undo"):
        resolution.decide(db, link["a"], link["b"], decision, actor="test", role="admin", reason="checked",
                          purpose="state test")
        _clean(db)
    # incremental resolution of some persons, then a full one
    resolution.resolve_persons(db, ["ST-V1", "ST-V2", rep], resolution.load_model(db.settings))
    _clean(db)
    resolution.resolve_all(db, resolution.load_model(db.settings))
    _clean(db)
    assert _canon(_all_pages(db)) == _canon(_register_wide(db))


def _entry(db: Database, person_id: str) -> dict[str, Any] | None:
    return next((e for e in _all_pages(db, limit=100) if e["person_id"] == person_id), None)


def test_the_day_is_worked_out_at_read_time(db: Database, load) -> None:  # type: ignore[no-untyped-def]
    """An order in force until a day: the stored rank holds until then, the score after it comes
    from the stored dates, and the ranking on each day is the register-wide one of that day."""
    load([person("DO", "Dan", "Order"), person("DX", "Dex", "Other"), person("W1"), person("W2"), person("W3"),
          incident("DI1", 0, "text", ["DO"], ["W1"]), incident("DI2", 10, "text", ["DO"], ["W2"]),
          incident("DI3", 0, "text", ["DX"], ["W1"]), incident("DI4", 12, "text", ["DX"], ["W3"]),
          order("DOO", "DO", ["W1"], 20, 400)])
    expires = dt.date(2024, 1, 1) + dt.timedelta(days=400)
    for day in (expires - dt.timedelta(days=5), expires, expires + dt.timedelta(days=1), expires + dt.timedelta(days=90)):
        _clean(db, today=day)
        got = pattern_state.serial_page(db, min_victims=2, limit=10, after=None, today=day)
        assert got is not None
        assert _canon(got["persons"]) == _canon(_register_wide(db, today=day)), day
    before = pattern_state.serial_page(db, min_victims=2, limit=10, after=None, today=expires)
    after = pattern_state.serial_page(db, min_victims=2, limit=10, after=None, today=expires + dt.timedelta(days=1))
    assert before and after
    assert [e["person_id"] for e in before["persons"]] == ["DO", "DX"]  # the order in force lifts DO
    assert next(e for e in after["persons"] if e["person_id"] == "DO")["risk_score"] < before["persons"][0]["risk_score"]
    assert pattern_state.valid_until([{"issued_on": dt.date(2024, 1, 21), "expires_on": expires}],
                                     dt.date(2024, 2, 1)) == expires + dt.timedelta(days=1)


def test_a_write_round_the_write_paths_is_noticed_and_rebuild_restores(db: Database, load) -> None:  # type: ignore[no-untyped-def]
    load([person("RA"), person("RB"), person("RV1"), person("RV2"),
          incident("RI1", 0, "text", ["RA"], ["RV1"]), incident("RI2", 5, "text", ["RB"], ["RV2"])])
    assert services.serial(db, min_victims=2)["persons"] == []
    # a link made by hand in Cypher: no outbox entry says so
    db.execute("MATCH (a:Person {id: 'RA'}), (b:Person {id: 'RB'}) "
               "CREATE (a)-[:POSSIBLY_SAME_AS {probability: 1.0, status: 'confirmed', evidence: '{}'}]->(b)")
    assert verify_state(db)["clean"] is False
    # the ranking notices the register moved and answers the register-wide way meanwhile
    assert [e["person_id"] for e in services.serial(db, min_victims=2)["persons"]] == ["RA"]
    pattern_state.rebuild(db)
    _clean(db)
    assert [e["person_id"] for e in services.serial(db, min_victims=2)["persons"]] == ["RA"]


def test_changes_left_by_a_writer_that_died_are_applied_later(db: Database, load) -> None:  # type: ignore[no-untyped-def]
    load([person("KA"), person("KV1"), person("KV2"), incident("KI1", 0, "text", ["KA"], ["KV1"])])
    # a write committed with its outbox entry, its writer gone before applying it
    db.execute("MATCH (a:Person {id: 'KA'}), (v:Person {id: 'KV2'}) "
               "CREATE (i:Incident {id: 'KI2', source: 'WMP', type: 'text', occurred_at: datetime('2024-02-01T00:00Z')}) "
               "CREATE (a)-[:OFFENDER_IN {source: 'WMP'}]->(i) CREATE (v)-[:VICTIM_IN {source: 'WMP'}]->(i) SET v:Victim")
    db.write_tx(lambda tx: note_change_in(db, tx, person_ids=["KA", "KV2"], incident_ids=["KI2"]))
    waiting = services.serial(db, min_victims=2)
    assert waiting["stale"] is True and waiting["persons"] == []  # the state as it was, said to be behind
    assert pattern_state.status(db)["pending"] == 1
    # a served worker's poller leaves an entry younger than its interval to the writer, then applies it
    poller = pattern_state.Poller(db, interval_s=1.0)
    assert poller.poll_once() is None and pattern_state.status(db)["pending"] == 1
    time.sleep(1.1)
    assert poller.poll_once()["applied"] == 1  # type: ignore[index]
    _clean(db)
    now = services.serial(db, min_victims=2)
    assert now["stale"] is False and [e["person_id"] for e in now["persons"]] == ["KA"]


def test_an_apply_round_past_the_transaction_timeout_is_done_by_a_rebuild(db: Database, load, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A round too heavy for one transaction (a resolve naming thousands of persons on a busy
    machine) would time out at every retry and leave the ranking stale for good: it is rebuilt."""
    from graphsvc.errors import QueryTimedOut
    from graphsvc.repository import state as store

    load([person("TA"), person("TV1"), person("TV2"), incident("TI1", 0, "text", ["TA"], ["TV1"])])
    db.execute("MATCH (a:Person {id: 'TA'}), (v:Person {id: 'TV2'}) "
               "CREATE (i:Incident {id: 'TI2', source: 'WMP', type: 'text', occurred_at: datetime('2024-02-01T00:00Z')}) "
               "CREATE (a)-[:OFFENDER_IN {source: 'WMP'}]->(i) CREATE (v)-[:VICTIM_IN {source: 'WMP'}]->(i) SET v:Victim")
    db.write_tx(lambda tx: note_change_in(db, tx, person_ids=["TA", "TV2"], incident_ids=["TI2"]))

    def too_heavy(*args: Any, **kwargs: Any) -> Any:
        raise QueryTimedOut("the query took too long and was stopped")

    monkeypatch.setattr(store, "apply_round", too_heavy)
    done = pattern_state.apply(db)
    assert done["rebuilt"] is True and done["pending"] == 0
    _clean(db)
    now = services.serial(db, min_victims=2)
    assert now["stale"] is False and [e["person_id"] for e in now["persons"]] == ["TA"]


def test_clusters_follow_the_records_as_they_arrive(db: Database, load) -> None:  # type: ignore[no-untyped-def]
    def ids(db: Database) -> list[list[str]]:
        return [c["incident_ids"] for c in _cluster_pages(db)]

    phone_a, phone_b = {"phones": ["07700 900201"]}, {"phones": ["07700 900202"]}
    load([person("CV1"), person("CV2"), person("CO1"),
          incident("CU1", 10, "call", [], ["CV1"], identifiers_used=phone_a),
          incident("CU2", 11, "call", [], ["CV1"], identifiers_used={"phones": phone_a["phones"] + phone_b["phones"]}),
          incident("CU3", 12, "text", [], ["CV2"], identifiers_used=phone_b)])
    _clean(db)
    assert ids(db) == [["CU1", "CU2", "CU3"]]
    only = services.unidentified(db)["clusters"][0]
    assert only["bridging_identifiers"] == ["phone:+447700900201", "phone:+447700900202"]
    assert only["victim_ids"] == ["CV1", "CV2"]
    # the middle incident is found to be his: it leaves the cluster, which falls apart
    load([incident("CU2", 11, "call", ["CO1"], ["CV1"], identifiers_used={"phones": phone_a["phones"] + phone_b["phones"]})])
    _clean(db)
    assert ids(db) == []
    # a new incident on the second phone joins the third
    load([incident("CU4", 13, "text", [], ["CV2"], identifiers_used=phone_b)])
    _clean(db)
    assert ids(db) == [["CU3", "CU4"]]
    # the answer is read from the state: a state deleted by hand is missing from it until rebuilt
    db.execute("MATCH (c:ClusterState {cluster_id: 'CU3'}) DETACH DELETE c")
    assert ids(db) == []
    assert [d["problem"] for d in verify_state(db)["differences"]] == ["missing"]
    pattern_state.rebuild(db)
    _clean(db)
    assert ids(db) == [["CU3", "CU4"]]


def test_a_state_kept_before_clusters_is_rebuilt_by_the_next_apply(db: Database, load) -> None:  # type: ignore[no-untyped-def]
    load([person("UV1"), incident("UU1", 10, "call", [], ["UV1"], identifiers_used={"phones": ["07700 900203"]}),
          incident("UU2", 11, "call", [], ["UV1"], identifiers_used={"phones": ["07700 900203"]})])
    # the state as a version before clusters left it: ready, with no cluster states
    db.execute("MATCH (c:ClusterState) DETACH DELETE c")
    db.execute("MATCH (m:PatternState {name: 'serial'}) REMOVE m.clusters_ready")
    assert not verify_state(db)["clean"]
    # meanwhile the clusters are computed register-wide
    assert [c["incident_ids"] for c in services.unidentified(db)["clusters"]] == [["UU1", "UU2"]]
    assert pattern_state.apply(db)["rebuilt"] is True
    _clean(db)
    assert [c["incident_ids"] for c in _cluster_pages(db)] == [["UU1", "UU2"]]


def test_serial_order_and_rank_key_agree() -> None:
    rows = [(0.5, 3, "B"), (0.5, 3, "A"), (0.5, 10, "Z"), (0.99, 1, "Q"), (0.0, 0, "A"), (1.0, 1000, "X-1")]
    by_key = sorted(rows, key=lambda r: pattern_state.rank_key(*r))
    by_order = sorted(rows, key=lambda r: serial_order({"risk_score": r[0], "victim_count": r[1], "person_id": r[2]}))
    assert by_key == by_order


def test_concurrent_writers_each_applying_leave_verify_clean(db: Database, load) -> None:  # type: ignore[no-untyped-def]
    """Writers in several threads (as gunicorn's workers and a loader would be), each bringing the
    state up to date before it returns, on the same offenders: the lock serialises the appliers,
    and the state ends as the records say."""
    from concurrent.futures import ThreadPoolExecutor

    load([person("CA"), person("CB"), incident("CI0", 0, "text", ["CA"], ["CB"])])

    def write(k: int) -> None:
        offender = "CA" if k % 2 else "CB"
        _load(db, [person(f"CV{k}"), incident(f"CI{k + 1}", k + 1, "text", [offender], [f"CV{k}"])])

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(16)))
    _clean(db)
    by_id = {e["person_id"]: e for e in _all_pages(db, min_victims=1)}
    assert by_id["CA"]["victim_count"] == 9 and by_id["CB"]["victim_count"] == 8


def test_post_records_answers_after_the_state_holds_the_batch(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    """Whether or not the batch's persons are resolved inline, the ranking read right after
    ``POST /records`` answers has the batch, and nothing waits in the outbox."""
    def post(records: list[dict[str, Any]]) -> dict[str, Any]:
        r = client.post("/api/v1/records", json=records, headers={"Authorization": f"Bearer {keys['case_system']}"})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    with_persons = post([person("PA", "Pat", "Asher"), person("PV1"), person("PV2"),
                         incident("PI1", 0, "text", ["PA"], ["PV1"]), incident("PI2", 3, "text", ["PA"], ["PV2"])])
    assert with_persons["resolution"]["status"] == "done"
    got = services.serial(db, min_victims=2)
    assert [e["person_id"] for e in got["persons"]] == ["PA"] and got["stale"] is False
    incidents_only = post([incident("PI3", 5, "text", ["PA"], ["PV3"])])  # no person record: no resolution
    assert incidents_only["resolution"]["status"] == "skipped"
    got = services.serial(db, min_victims=2)
    assert got["persons"][0]["victim_count"] == 3 and got["stale"] is False
    assert pattern_state.status(db)["pending"] == 0
    _clean(db)


# -- the intake check reads the state's check cards ----------------------------------------------
def _subjects(db: Database, entries: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str | None]]:
    """Check subjects for the persons of ``entries``: by name and date of birth, and by phone
    (every record of the group), with one of their victims as the complainant."""
    out: list[tuple[dict[str, Any], str | None]] = []
    for e in entries:
        for pid in e["person_ids"][:2]:
            p = db.execute("MATCH (p:Person {id: $id}) RETURN p.given_name AS g, p.family_name AS f, "
                           "toString(p.dob) AS d, [(p)-[:HAS_IDENTIFIER]->(x:Phone) | x.value] AS phones", id=pid)[0]
            named = {"given_name": p["g"], "family_name": p["f"], "dob": p["d"]}
            out.append((named, e["victim_ids"][0]))
            if p["phones"]:
                out.append(({"phones": p["phones"][:1]}, None))
    return out


def _check_both_ways(db: Database, subject: dict[str, Any], complainant: str | None) -> dict[str, Any]:
    got = services.check(db, subject, complainant)
    want = services.check(db, subject, complainant, from_state=False)
    assert _canon([got]) == _canon([want]), subject
    return got


def _cards_of(db: Database, ids: list[str]) -> dict[str, Any]:
    from graphsvc.repository.state import check_cards_in

    read = db.read_tx(lambda tx: check_cards_in(db, tx, ids))
    ok = pattern_state.cards_usable(read, db.settings.link_threshold, db.settings.thresholds)
    return {"usable": ok, "cards": read["cards"]}


def test_the_check_reads_the_state_and_answers_as_from_the_records(register: Database) -> None:
    db = register
    ranked = _register_wide(db, 1)
    # the groups with most to show: several victims, orders, links between records
    chosen = ranked[:12] + [e for e in ranked if e["identity"]["unconfirmed"] or e["identity"]["confirmed_person_ids"]][:8]
    subjects = _subjects(db, chosen)
    assert len(subjects) > 20
    flagged: set[str] = set()
    for subject, complainant in subjects:
        got = _check_both_ways(db, subject, complainant)
        flagged |= {f["code"] for m in got["matches"] for f in m["flags"]}
    assert {"MULTIPLE_VICTIMS", "LINKED_UNIDENTIFIED", "VIOLENCE"} <= flagged, flagged
    # and the summaries did come from the cards: every ranked group's members have one
    cards = _cards_of(db, [p for e in chosen for p in e["person_ids"]])
    assert cards["usable"] and set(cards["cards"]) == {p for e in chosen for p in e["person_ids"]}


def test_the_check_reads_the_records_while_the_state_is_behind(db: Database, load) -> None:  # type: ignore[no-untyped-def]
    load([person("CA", "Cal", "Carder", phones=["07700 900222"]), person("CV1"), person("CV2"), person("CV3"),
          incident("CI1", 0, "text", ["CA"], ["CV1"]), incident("CI2", 5, "text", ["CA"], ["CV2"]),
          order("CO1", "CA", ["CV1"], 8, 4000)])
    subject = {"phones": ["07700 900222"]}
    first = _check_both_ways(db, subject, "CV1")["matches"][0]
    assert first["person_id"] == "CA" and first["victim_count"] == 2 and first["incident_count"] == 2
    assert "one protects the complainant" in next(f for f in first["flags"] if f["code"] == "ACTIVE_ORDER")["message"]
    assert _cards_of(db, ["CA"])["usable"]
    # a write committed with its outbox entry, not yet applied: the check reads the records
    db.execute("MATCH (a:Person {id: 'CA'}), (v:Person {id: 'CV3'}) "
               "CREATE (i:Incident {id: 'CI3', source: 'WMP', type: 'assault', occurred_at: datetime('2024-02-01T00:00Z')}) "
               "CREATE (a)-[:OFFENDER_IN {source: 'WMP'}]->(i) CREATE (v)-[:VICTIM_IN {source: 'WMP'}]->(i) SET v:Victim")
    db.write_tx(lambda tx: note_change_in(db, tx, person_ids=["CA", "CV3"], incident_ids=["CI3"]))
    assert not _cards_of(db, ["CA"])["usable"]
    waiting = _check_both_ways(db, subject, None)["matches"][0]
    assert waiting["victim_count"] == 3 and {"VIOLENCE", "MULTIPLE_VICTIMS"} <= {f["code"] for f in waiting["flags"]}
    pattern_state.apply(db)
    assert _cards_of(db, ["CA"])["usable"]
    assert _check_both_ways(db, subject, None) == services.check(db, subject)
    # a write round the write paths (no outbox entry): the register's mark moved, the records are read
    db.execute("MATCH (r:Order {id: 'CO1'}) SET r.expires_on = date('2024-01-20')")
    db.execute("MATCH (v:RegisterVersion {id: 'register'}) SET v.n = v.n + 1")
    assert not _cards_of(db, ["CA"])["usable"]
    behind = _check_both_ways(db, subject, None)["matches"][0]
    assert [f["code"] for f in behind["flags"] if f["code"].endswith("_ORDER")] == ["PRIOR_ORDER"]
    pattern_state.rebuild(db)
    _clean(db)
    assert _cards_of(db, ["CA"])["usable"]
    assert _check_both_ways(db, subject, None)["matches"][0] == behind
