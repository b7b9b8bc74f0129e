"""Alerts (contract section 6, issue #20), against a real receiver: an HTTP server in the test,
on loopback, and the dispatcher the service runs.

Every rule fires on the write that should fire it and not on those that should not (an order
expired, a rejected write, a second incident against a victim already counted); what an alert
says is withheld by agency as any answer is; the signature verifies; a receiver that answers 500
three times gets the alert on the fourth try, with the same id; each subscription's alerts arrive
in order and a hanging receiver does not hold the others up; a revoked key's subscriptions stop;
alerts written while no dispatcher runs are delivered by the next one."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from graphsvc.config import Settings
from graphsvc.graph.db import Database
from graphsvc.repository import alerts as alert_store
from graphsvc.security import keys as auth
from graphsvc.services import dispatch
from graphsvc.services.dispatch import Dispatcher
from tests.analysis_records import incident, order, person

SECRET = "test-secret-0123456789abcdef"


@dataclass
class Receiver:
    """A webhook receiver on loopback: records what arrives, answers ``statuses`` in turn (then 200)."""

    statuses: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    got: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def wait_for(self, n: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        end = time.monotonic() + timeout
        while time.monotonic() < end and len([g for g in self.got if g["status"] == 200]) < n:
            time.sleep(0.05)
        return [g for g in self.got if g["status"] == 200]


def _serve(rx: Receiver) -> ThreadingHTTPServer:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if rx.delay_s:
                time.sleep(rx.delay_s)
            with lock:
                status = rx.statuses.pop(0) if rx.statuses else 200
                rx.got.append({"status": status, "body": raw, "headers": dict(self.headers),
                               "at": time.monotonic()})
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rx.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def receivers() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def make(**kw: Any) -> Receiver:
        rx = Receiver(**kw)
        servers.append(_serve(rx))
        return rx

    yield make
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture
def dispatcher(db: Database, neo4j_settings: Settings) -> Iterator[Any]:
    made: list[Dispatcher] = []

    def make(**kw: Any) -> Dispatcher:
        settings = dataclasses.replace(neo4j_settings, **{"alert_poll_s": 0.05, "alert_timeout_s": 1.0, **kw})
        d = Dispatcher(db, settings, holder=f"test-{len(made)}")
        made.append(d)
        return d.start()

    yield make
    for d in made:
        d.stop(wait=False)


def h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Purpose": "OP-ALERTS/1"}


def _key(db: Database, role: str = "investigator", agency: str | None = None, name: str | None = None) -> str:
    return auth.create_key(db, role=role, name=name or f"alerts-{role}-{agency or 'national'}", agency=agency)[0]


def _subscribe(client: Any, key: str, url: str, rules: list[str], **extra: Any) -> dict[str, Any]:
    r = client.post("/api/v1/subscriptions", json={"url": url, "secret": SECRET, "rules": rules, **extra},
                    headers=h(key))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _write(client: Any, key: str, records: list[dict[str, Any]], status: int = 200) -> Any:
    r = client.post("/api/v1/records", json=records, headers=h(key))
    assert r.status_code == status, r.get_json()
    return r.get_json()


def _page(client: Any, key: str, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/alerts", query_string=params, headers=h(key))
    assert r.status_code == 200, r.get_json()
    return r.get_json()  # type: ignore[no-any-return]


def _alerts(client: Any, key: str, **params: Any) -> list[dict[str, Any]]:
    return _page(client, key, **params)["alerts"]  # type: ignore[no-any-return]


def _by_rule(alerts: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [a for a in alerts if a["rule"] == rule]


# -- subscriptions -----------------------------------------------------------------------------
def test_a_subscription_is_validated_and_its_secret_never_returned(client: Any, db: Database) -> None:
    key, other = _key(db), _key(db, name="another-investigator")
    for url, why in [("ftp://127.0.0.1/x", "http or https"), ("http://user:pw@127.0.0.1/x", "credentials"),
                     ("https://receiver.example.org/x", "loopback"), ("http:///x", "host")]:
        r = client.post("/api/v1/subscriptions", json={"url": url, "secret": SECRET, "rules": ["serial"]},
                        headers=h(key))
        assert r.status_code == 422, url
        assert "url" in json.dumps(r.get_json()) and why in json.dumps(r.get_json()), r.get_json()
    r = client.post("/api/v1/subscriptions", json={"url": "http://127.0.0.1:9/x", "secret": "short", "rules": ["serial"]},
                    headers=h(key))
    assert r.status_code == 422 and "secret" in json.dumps(r.get_json())
    r = client.post("/api/v1/subscriptions", json={"url": "http://127.0.0.1:9/x", "secret": SECRET,
                                                    "rules": ["watched_person"]}, headers=h(key))
    assert r.status_code == 422 and "person_ids" in json.dumps(r.get_json())

    made = _subscribe(client, key, "http://127.0.0.1:9/x", ["serial", "new_victim"], min_victims=2)
    assert made["rules"] == ["serial", "new_victim"] and made["min_victims"] == 2
    listed = client.get("/api/v1/subscriptions", headers=h(key)).get_json()["subscriptions"]
    assert [s["id"] for s in listed] == [made["id"]]
    assert SECRET not in json.dumps(made) + json.dumps(listed)
    assert client.get("/api/v1/subscriptions", headers=h(other)).get_json()["subscriptions"] == []
    assert client.delete(f"/api/v1/subscriptions/{made['id']}", headers=h(other)).status_code == 404
    assert client.delete(f"/api/v1/subscriptions/{made['id']}", headers=h(key)).status_code == 200
    assert client.get("/api/v1/subscriptions", headers=h(key)).get_json()["subscriptions"] == []


# -- the rules ---------------------------------------------------------------------------------
def test_each_rule_fires_on_the_write_that_should_fire_it_and_not_on_others(client: Any, db: Database) -> None:
    writer, reader = _key(db, "case_system"), _key(db)
    sub = _subscribe(client, reader, "http://127.0.0.1:9/x",
                     ["watched_person", "order_subject_named", "new_victim", "serial", "unidentified_link"],
                     person_ids=["W-1"])
    _write(client, writer, [person("R-1", "Corvin", "Ashdown", phones=["07700 900401"]),
                            person("V-1", "Ada", "Lyle"), person("V-2", "Bea", "Marl"), person("V-3", "Cat", "Noor"),
                            person("W-1", "Wes", "Tarn"), person("V-9", "Dot", "Pell")])
    # the watched person's own record is a new record naming him; nothing else fires on person records
    assert [(a["rule"], a["evidence"]) for a in _alerts(client, reader)] == [("watched_person", ["W-1"])]

    # an order in force and one expired; a new incident names the respondent
    _write(client, writer, [order("ORD-LIVE", "R-1", ["V-1"], "2024-01-10"),
                            order("ORD-OLD", "R-1", ["V-9"], "2020-01-01", "2021-01-01")])
    _write(client, writer, [incident("INC-1", "2024-03-01", "visit", ["R-1"], ["V-1"])])
    alerts = _alerts(client, reader)
    named = _by_rule(alerts, "order_subject_named")
    assert [sorted(a["evidence"]) for a in named] == [["INC-1", "ORD-LIVE"]], "the expired order raises nothing"
    assert named[0]["person_ids"][0] == "R-1" and "ORD-LIVE" in named[0]["message"]
    new = _by_rule(alerts, "new_victim")
    assert len(new) == 1 and new[0]["person_ids"] == ["R-1", "V-1"] and "INC-1" in new[0]["evidence"]
    assert _by_rule(alerts, "serial") == []

    # a second incident against the same victim: no new victim (the order is named again)
    _write(client, writer, [incident("INC-2", "2024-03-05", "call", ["R-1"], ["V-1"])])
    alerts = _alerts(client, reader)
    assert len(_by_rule(alerts, "new_victim")) == 1
    assert len(_by_rule(alerts, "order_subject_named")) == 2

    # the third distinct victim makes him serial, once; the fourth does not repeat it
    _write(client, writer, [incident("INC-3", "2024-04-01", "text", ["R-1"], ["V-2"])])
    _write(client, writer, [incident("INC-4", "2024-05-01", "text", ["R-1"], ["V-3"])])
    _write(client, writer, [incident("INC-5", "2024-06-01", "text", ["R-1"], ["V-9"])])
    alerts = _alerts(client, reader)
    serial = _by_rule(alerts, "serial")
    assert len(serial) == 1 and serial[0]["person_ids"][:1] == ["R-1"] and "3 distinct victims" in serial[0]["message"]
    assert {"INC-1", "INC-3", "INC-4"} <= set(serial[0]["evidence"])
    assert [a["person_ids"][1] for a in _by_rule(alerts, "new_victim")] == ["V-1", "V-2", "V-3", "V-9"]

    # an incident with no identified perpetrator that used his phone
    _write(client, writer, [incident("INC-U", "2024-07-01", "call", [], ["V-2"], identifiers_used={"phones": ["07700 900401"]})])
    unid = _by_rule(_alerts(client, reader), "unidentified_link")
    assert [(a["person_ids"], sorted(a["evidence"])) for a in unid] == [(["R-1"], ["INC-U", "R-1"])]
    # written again (a retried load): the same cause raises no second alert
    _write(client, writer, [incident("INC-U", "2024-07-01", "call", [], ["V-2"], identifiers_used={"phones": ["07700 900401"]})])
    assert len(_by_rule(_alerts(client, reader), "unidentified_link")) == 1

    # the watched person is named
    assert len(_by_rule(_alerts(client, reader), "watched_person")) == 1, "incidents not naming him raise nothing"
    _write(client, writer, [incident("INC-W", "2024-08-01", "visit", ["W-1"], ["V-9"])])
    watched = _by_rule(_alerts(client, reader), "watched_person")
    assert [(a["person_ids"][0], a["evidence"]) for a in watched] == [("W-1", ["W-1"]), ("W-1", ["INC-W"])]

    # a rejected write (422) raises nothing
    before = len(_alerts(client, reader))
    _write(client, writer, [incident("INC-BAD", "2024-09-01", "visit", ["W-1"], ["V-1"]),
                            {"kind": "incident", "id": "INC-BAD2", "source": "WMP"}], status=422)
    after = _alerts(client, reader)
    assert len(after) == before
    # every alert is the subscription's, in order, with its evidence
    assert all(a["subscription_id"] == sub["id"] and a["evidence"] for a in after)
    seqs = [a["delivery"]["seq"] for a in after]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_a_watched_persons_registration_and_notification_raise_watched_person(client: Any, db: Database) -> None:
    """An offender manager watching a man hears of his register records as of any other: the
    registration that names him and the notification he makes (contract section 7), not another
    man's."""
    writer, reader = _key(db, "case_system"), _key(db)
    _subscribe(client, reader, "http://127.0.0.1:9/x", ["watched_person"], person_ids=["W-R"])
    _write(client, writer, [person("W-R", "Wes", "Tarn"), person("O-R", "Oli", "Brand")])
    assert [a["evidence"] for a in _alerts(client, reader)] == [["W-R"]]

    reg = {"kind": "registration", "id": "REG-W", "source": "GMP", "person_id": "W-R", "basis": "conviction",
           "start_on": "2024-01-10", "manager": "PC 4127"}
    _write(client, writer, [reg, {**reg, "id": "REG-O", "person_id": "O-R"}])
    assert [a["evidence"] for a in _alerts(client, reader)] == [["W-R"], ["REG-W"]], "REG-O names nobody watched"
    note = {"kind": "notification", "id": "NOT-W", "source": "GMP", "person_id": "W-R", "registration_id": "REG-W",
            "notified_on": "2024-01-12", "type": "initial", "station": "Salford Central",
            "names": [{"given_name": "Wes", "family_name": "Tarn"}],
            "home_address": {"line1": "1 Kiln Row", "town": "Manchester", "postcode": "M5 4WT"}}
    _write(client, writer, [note])
    watched = _alerts(client, reader)
    assert [a["evidence"] for a in watched] == [["W-R"], ["REG-W"], ["NOT-W"]]
    assert watched[1]["person_ids"] == ["W-R"] and "REG-W" in watched[1]["message"]


def test_an_agency_hears_of_its_own_and_reads_other_agencies_victims_withheld(client: Any, db: Database) -> None:
    writer = _key(db, "case_system")
    mps, gmp_only = _key(db, agency="MPS"), _key(db, agency="WYP", name="wyp-investigator")
    sub = _subscribe(client, mps, "http://127.0.0.1:9/x", ["new_victim", "order_subject_named"])
    _subscribe(client, gmp_only, "http://127.0.0.1:9/x", ["new_victim"])
    # MPS knows the man (its order); GMP records his new victim
    _write(client, writer, [person("M-R", "Ivor", "Stead", source="MPS"), person("M-V", "Jo", "Rusk", source="MPS"),
                            person("G-V", "Kit", "Vane", source="GMP", phones=["07700 900777"]),
                            {**order("M-O", "M-R", ["M-V"], "2024-01-01"), "source": "MPS"},
                            person("G-X", "Lou", "Ferris", source="GMP")])
    _write(client, writer, [incident("G-I1", "2024-02-01", "visit", ["M-R"], ["G-V"], source="GMP",
                                     description="SECRET-GMP-DESCRIPTION")])
    page = _page(client, mps)
    got = page["alerts"]
    new = _by_rule(got, "new_victim")
    assert len(new) == 1 and new[0]["person_ids"] == ["M-R", "G-V"] and new[0]["subscription_id"] == sub["id"]
    victim = next(p for p in new[0]["persons"] if p["person_id"] == "G-V")
    assert victim["given_name"] == "[withheld: GMP]" and victim["family_name"] == "[withheld: GMP]"
    assert page["withheld_by"] == ["GMP"] and "Vane" not in json.dumps(page)
    offender = next(p for p in new[0]["persons"] if p["person_id"] == "M-R")
    assert offender["family_name"] == "Stead", "the perpetrator's identity crosses"
    assert [sorted(a["evidence"]) for a in _by_rule(got, "order_subject_named")] == [["G-I1", "M-O"]]
    # a man known only to GMP gaining a victim is no business of WYP's (nor of MPS's)
    _write(client, writer, [incident("G-I2", "2024-03-01", "visit", ["G-X"], ["G-V"], source="GMP")])
    assert _alerts(client, gmp_only) == []
    assert len(_by_rule(_alerts(client, mps), "new_victim")) == 1


# -- delivery ----------------------------------------------------------------------------------
def test_delivery_is_signed_retried_and_audited(client: Any, db: Database, receivers: Any, dispatcher: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dispatch, "BACKOFF_BASE_S", 0.05)
    rx = receivers(statuses=[500, 500, 500])
    writer, reader = _key(db, "case_system"), _key(db, "offender_manager")
    sub = _subscribe(client, reader, rx.url, ["new_victim"])
    _write(client, writer, [person("R", "Nye", "Holt"), person("V", "Oona", "Pike"),
                            incident("I-1", "2024-02-01", "visit", ["R"], ["V"])])
    dispatcher()
    got = rx.wait_for(1)
    assert len(got) == 1 and len(rx.got) == 4, [g["status"] for g in rx.got]
    ids = {g["headers"]["X-Graphsvc-Alert-Id"] for g in rx.got}
    assert len(ids) == 1, "every try carries the same id"
    body = got[0]["body"]
    want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(got[0]["headers"]["X-Graphsvc-Signature"], want)
    alert = json.loads(body)
    assert alert["id"] in ids and alert["rule"] == "new_victim" and alert["subscription_id"] == sub["id"]
    assert "I-1" in alert["evidence"]
    end = time.monotonic() + 10
    while time.monotonic() < end and not (pulled := _alerts(client, reader))[0]["delivery"]["delivered_at"]:
        time.sleep(0.05)  # the receiver has it; the dispatcher records the 200 just after
    assert [a["id"] for a in pulled] == [alert["id"]]
    assert pulled[0]["delivery"]["attempts"] == 4 and pulled[0]["delivery"]["delivered_at"]
    audit = db.execute("MATCH (e:AuditEntry {action: 'disclosure'}) WHERE e.query CONTAINS $id "
                       "RETURN e.person_ids AS ids, e.actor AS actor", id=alert["id"])
    assert len(audit) == 4 and all(set(e["ids"]) >= {"R", "V"} for e in audit)
    assert all(e["actor"].startswith("alerts-offender_manager") for e in audit)


def test_each_subscription_in_order_and_a_hanging_receiver_holds_up_no_other(
        client: Any, db: Database, receivers: Any, dispatcher: Any) -> None:
    slow, fast = receivers(delay_s=3.0), receivers()
    writer, reader = _key(db, "case_system"), _key(db)
    _subscribe(client, reader, slow.url, ["new_victim"])
    _subscribe(client, reader, fast.url, ["new_victim"])
    _write(client, writer, [person("R", "Pim", "Quay"), *[person(f"V{n}", "Val", f"N{n}") for n in range(4)]])
    for n in range(4):
        _write(client, writer, [incident(f"I{n}", f"2024-0{n + 1}-01", "visit", ["R"], [f"V{n}"])])
    started = time.monotonic()
    dispatcher(alert_timeout_s=1.0)
    got = fast.wait_for(4, timeout=10)
    assert time.monotonic() - started < 3.0, "the fast receiver waited on the slow one"
    assert [json.loads(g["body"])["person_ids"][1] for g in got] == ["V0", "V1", "V2", "V3"]


def test_a_revoked_keys_subscriptions_stop(client: Any, db: Database, receivers: Any, dispatcher: Any) -> None:
    rx = receivers()
    writer = _key(db, "case_system")
    key, public = auth.create_key(db, role="investigator", name="to-revoke")
    _subscribe(client, key, rx.url, ["new_victim"])
    auth.revoke_key(db, public["key_id"])
    _write(client, writer, [person("R", "Quin", "Rowe"), person("V", "Rue", "Sade"),
                            incident("I", "2024-02-01", "visit", ["R"], ["V"])])
    d = dispatcher()
    time.sleep(0.5)
    d.poll()
    assert rx.got == []
    assert db.execute("MATCH (a:Alert) RETURN count(a) AS n")[0]["n"] == 0


def test_alerts_wait_in_the_graph_for_the_next_dispatcher(client: Any, db: Database, receivers: Any,
                                                          dispatcher: Any) -> None:
    rx = receivers()
    writer, reader = _key(db, "case_system"), _key(db)
    _subscribe(client, reader, rx.url, ["new_victim"])
    # a dispatcher that died holding the lease (kill -9 leaves it held until it runs out)
    assert alert_store.take_lease(db, "dead-worker", 2)
    _write(client, writer, [person("R", "Sol", "Tate"), person("V", "Uma", "Vale"),
                            incident("I", "2024-02-01", "visit", ["R"], ["V"])])
    d = dispatcher()
    assert d.poll() == 0, "the lease is the dead worker's until it runs out"
    got = rx.wait_for(1, timeout=10)
    assert len(got) == 1 and json.loads(got[0]["body"])["rule"] == "new_victim"


def test_ack_records_the_triage(client: Any, db: Database) -> None:
    writer, reader, other = _key(db, "case_system"), _key(db), _key(db, name="someone-else")
    _subscribe(client, reader, "http://127.0.0.1:9/x", ["new_victim"])
    _write(client, writer, [person("R", "Wyn", "Yates"), person("V", "Xan", "Zed"),
                            incident("I", "2024-02-01", "visit", ["R"], ["V"])])
    alert = _alerts(client, reader)[0]
    assert client.post(f"/api/v1/alerts/{alert['id']}/ack", json={"note": "seen"}, headers=h(other)).status_code == 404
    r = client.post(f"/api/v1/alerts/{alert['id']}/ack", json={"note": "DS Rowe told; OP-77"}, headers=h(reader))
    assert r.status_code == 200 and r.get_json()["ack"]["note"] == "DS Rowe told; OP-77"
    assert _alerts(client, reader)[0]["ack"]["by"].startswith("alerts-investigator")


def test_identity_links_raise_alerts_when_they_join_victims_and_a_rejected_link_raises_none(
        client: Any, db: Database) -> None:
    from graphsvc.repository import links as link_store
    from graphsvc.services import resolution

    writer, reader = _key(db, "case_system"), _key(db)
    _subscribe(client, reader, "http://127.0.0.1:9/x", ["new_victim", "serial"])
    _write(client, writer, [person("L-A", "Ugo", "Brand"), person("L-B", "Hugo", "Brand"),
                            *[person(f"L-V{n}", "Vi", f"Cole{n}") for n in range(3)],
                            incident("L-I0", "2024-02-01", "visit", ["L-A"], ["L-V0"]),
                            incident("L-I1", "2024-03-01", "visit", ["L-A"], ["L-V1"]),
                            incident("L-I2", "2024-04-01", "visit", ["L-B"], ["L-V2"])])
    first = _alerts(client, reader)
    assert sorted(v for a in _by_rule(first, "new_victim") for v in a["person_ids"][1:]) == ["L-V0", "L-V1", "L-V2"]
    assert _by_rule(first, "serial") == []

    # a proposal below the link threshold joins nobody; rejecting it raises nothing
    link_store.merge_links(db, [{"a": "L-A", "b": "L-B", "probability": 0.5, "match_weight": 0.0,
                                 "evidence": "{}"}], "test", "2026-12-06T00:00:00+00:00")
    resolution.decide(db, "L-A", "L-B", "reject", actor="test", role="admin", reason="different men", purpose="t")
    assert len(_alerts(client, reader)) == len(first)

    # undone and confirmed: the two records are one man with three victims
    resolution.decide(db, "L-A", "L-B", "undo", actor="test", role="admin", reason="re-examined", purpose="t")
    assert len(_alerts(client, reader)) == len(first)
    resolution.decide(db, "L-A", "L-B", "confirm", actor="test", role="admin", reason="same PNC", purpose="t")
    after = _alerts(client, reader)[len(first):]
    assert sorted(a["rule"] for a in after) == ["new_victim", "serial"], after
    serial = _by_rule(after, "serial")[0]
    assert serial["person_ids"][0] in ("L-A", "L-B") and {"L-I0", "L-I1", "L-I2"} <= set(serial["evidence"])
    gained = _by_rule(after, "new_victim")[0]["person_ids"][1:]
    assert gained in (["L-V2"], ["L-V0", "L-V1"]), "the victims the surviving group's record had not counted"

    # rejected now: the group splits, nobody gains a victim, nothing is raised
    resolution.decide(db, "L-A", "L-B", "reject", actor="test", role="admin", reason="DNA says no", purpose="t")
    assert len(_alerts(client, reader)) == len(first) + len(after)
