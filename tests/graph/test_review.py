"""Retention review against a real Neo4j (issue #22, contract section 8): each record's review
date from the schedule, the due worklist, retain decisions, and disposal with its cascade and
its refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from graphsvc.analysis.retention import add_years, load_schedule
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.graph.fingerprint import fingerprint
from graphsvc.services import review, state
from graphsvc.services.state_verify import verify as verify_state
from graphsvc.services import patterns as patterns_service
from loaders.times import today as london_today
from tests.analysis_records import incident, order, person

TODAY = london_today()


def _node(db, label: str, rid: str) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    rows = db.execute(f"MATCH (n:{label} {{id: $id}}) RETURN properties(n) AS p, labels(n) AS l", id=rid)
    if not rows:
        return None
    return {**{k: (v.to_native() if hasattr(v, "to_native") else v) for k, v in rows[0]["p"].items()},
            "labels": rows[0]["l"]}


def _count(db, text: str, **params: Any) -> int:  # type: ignore[no-untyped-def]
    return int(db.execute(text, **params)[0]["n"])


def _verify_clean(db) -> None:  # type: ignore[no-untyped-def]
    out = verify_state(db)
    assert out["clean"], out


def test_every_record_gets_its_review_date_from_the_schedule(db, load) -> None:  # type: ignore[no-untyped-def]
    load([
        person("P-1", "Ann", "Lee"), person("P-2", "Bob", "Rae"),
        incident("I-1", "2024-03-01T22:30:00+00:00", "text", ["P-2"], ["P-1"], outcome="convicted"),
        incident("I-2", "2024-03-01", "call", ["P-2"], ["P-1"], outcome="no_further_action"),
        incident("I-3", "2024-02-29", "call", ["P-2"], ["P-1"]),
        order("O-1", "P-2", ["P-1"], "2020-01-01", "2021-06-30"),
    ])
    sched = load_schedule()
    assert _node(db, "Incident", "I-1")["review_on"] == dt.date(2034, 3, 1)  # convicted: group 2, 10 years
    assert _node(db, "Incident", "I-2")["review_on"] == dt.date(2030, 3, 1)  # no further action: 6 years
    assert _node(db, "Incident", "I-3")["review_on"] == dt.date(2030, 2, 28)  # 29 February, 6 years on
    assert _node(db, "Order", "O-1")["review_on"] == dt.date(2031, 6, 30)  # ten years from its end
    p = _node(db, "Person", "P-1")
    assert p["first_recorded_on"] == TODAY and p["review_on"] == add_years(TODAY, sched.period("person").years)
    # a later outcome reschedules the incident; loading the person again does not move his
    db.execute("MATCH (p:Person {id: 'P-1'}) SET p.first_recorded_on = date('2020-05-05')")
    load([person("P-1", "Ann", "Leigh"),
          incident("I-2", "2024-03-01", "call", ["P-2"], ["P-1"], outcome="convicted")])
    assert _node(db, "Person", "P-1")["review_on"] == dt.date(2026, 5, 5)
    assert _node(db, "Incident", "I-2")["review_on"] == dt.date(2034, 3, 1)
    # a placeholder is not a record: no review date until its record arrives
    load([incident("I-4", "2024-04-01", "visit", ["P-9"], ["P-1"])])
    assert "review_on" not in _node(db, "Person", "P-9")


def test_the_worklist_pages_through_what_is_due_earliest_first_with_holds(db, load) -> None:  # type: ignore[no-untyped-def]
    load([person("V-1"), person("O-1"), person("V-2"),
          incident("I-old", "2010-01-05", "call", ["O-1"], ["V-1"]),
          incident("I-old2", "2010-01-05", "text", ["O-1"], ["V-2"]),
          incident("I-new", "2025-01-01", "call", ["O-1"], ["V-1"]),
          {**incident("I-btp", "2011-02-01", "call", [], ["V-1"]), "source": "BTP"},
          order("O-old", "O-1", ["V-1"], "2000-01-01", "2001-01-01")])
    before = dt.date(2020, 1, 1)
    page = review.due(db, before, limit=2)
    got = [(r["kind"], r["id"], r["review_on"]) for r in page["records"]]
    assert got == [("order", "O-old", "2011-01-01"), ("incident", "I-old", "2016-01-05")]
    rest = review.due(db, before, cursor=page["next_cursor"], limit=2)
    assert [(r["kind"], r["id"]) for r in rest["records"]] == [("incident", "I-old2"), ("incident", "I-btp")]
    assert rest["next_cursor"] is None
    held = {r["id"]: r for r in page["records"] + rest["records"]}
    # O-1 has two victims: his incidents are held for public protection, the unidentified one is not
    assert [h["code"] for h in held["I-old"]["holds"]] == ["PUBLIC_PROTECTION"]
    assert held["I-old"]["holds"][0]["evidence"] == ["O-1"]
    assert held["I-btp"]["holds"] == [] and held["O-old"]["holds"] == []
    assert held["I-old"]["what"] == {"type": "call", "outcome": None, "occurred_at": "2010-01-05"}
    # an agency's worklist holds its own records only
    btp = review.due(db, before, "BTP")
    assert [r["id"] for r in btp["records"]] == ["I-btp"]
    with pytest.raises(InvalidInput):
        review.due(db, before, cursor="not-a-cursor")


def test_retain_records_the_decision_and_outlives_a_reload(db, load) -> None:  # type: ignore[no-untyped-def]
    load([person("V-1"), incident("I-1", "2010-01-05", "call", [], ["V-1"])])
    nxt = TODAY + dt.timedelta(days=400)
    out = review.decide(db, "incident", "I-1", "retain", "  linked to an open investigation  ", "admin-1",
                        next_review_on=nxt)
    assert out["review_on"] == nxt.isoformat() and out["reason"] == "linked to an open investigation"
    load([incident("I-1", "2010-01-05", "call", [], ["V-1"], outcome="charged")])
    n = _node(db, "Incident", "I-1")
    assert n["review_on"] == nxt and n["retained_until"] == nxt
    assert n["review_reasons"] == ["linked to an open investigation"] and n["review_decided_by"] == ["admin-1"]
    assert n["review_decided_on"] == [TODAY]
    assert not review.due(db, TODAY)["records"] or "I-1" not in [r["id"] for r in review.due(db, TODAY)["records"]]
    for bad in (None, TODAY, TODAY - dt.timedelta(days=1), add_years(TODAY, 21)):
        with pytest.raises(InvalidInput) as err:
            review.decide(db, "incident", "I-1", "retain", "why", "a", next_review_on=bad)
        assert err.value.details["field"] == "next_review_on"
    for kwargs, field in (({"decision": "keep"}, "decision"), ({"reason": " "}, "reason"),
                          ({"reason": "x" * 501}, "reason"), ({"kind": "alert"}, "kind"), ({"record_id": "a b"}, "id")):
        call = {"kind": "incident", "record_id": "I-1", "decision": "retain", "reason": "r", **kwargs}
        with pytest.raises(InvalidInput) as err:
            review.decide(db, call["kind"], call["record_id"], call["decision"], call["reason"], "a",
                          next_review_on=nxt)
        assert err.value.details["field"] == field
    with pytest.raises(NotFound):
        review.decide(db, "incident", "I-none", "retain", "r", "a", next_review_on=nxt)
    with pytest.raises(NotFound):  # a placeholder is not a record
        review.decide(db, "person", "V-none", "dispose", "r", "a")


def _register() -> list[dict[str, Any]]:
    return [
        person("V-1", "Ann", "Lee", phones=["07700 900001"]), person("V-2", "Cat", "Day"),
        person("O-1", "Dan", "Marsh", phones=["07700 900002"]),
        incident("I-1", "2012-01-01", "call", ["O-1"], ["V-1"], identifiers_used={"phones": ["07700 900003"]}),
        incident("I-2", "2012-02-01", "text", ["O-1"], ["V-1"], identifiers_used={"phones": ["07700 900002"]}),
        incident("I-3", "2012-03-01", "visit", ["O-2", "O-3"], ["V-2"]),
    ]


def test_disposing_of_an_incident_leaves_the_graph_a_load_without_it_gives(db, load) -> None:  # type: ignore[no-untyped-def]
    records = _register()
    load([r for r in records if r["id"] != "I-3"])
    wanted = fingerprint(db)
    db.execute("MATCH (n) DETACH DELETE n")
    load(records)
    state.rebuild(db)
    out = review.decide(db, "incident", "I-3", "dispose", "no policing purpose", "admin-1")
    assert out["placeholder"] is False and out["persons"] == ["O-2", "O-3", "V-2"]
    # O-2 and O-3 were placeholders only I-3 named: gone; V-2's record stays, no longer a victim
    assert _node(db, "Person", "O-2") is None and _node(db, "Person", "O-3") is None
    assert "Victim" not in _node(db, "Person", "V-2")["labels"]
    _verify_clean(db)
    # dispose the other way round: I-1's phone only it used goes, O-1's own phone stays
    out = review.decide(db, "incident", "I-1", "dispose", "no policing purpose", "admin-1")
    assert _count(db, "MATCH (p:Phone {value: '+447700900003'}) RETURN count(p) AS n") == 0
    assert _count(db, "MATCH (p:Phone {value: '+447700900002'}) RETURN count(p) AS n") == 1
    _verify_clean(db)
    db.execute("MATCH (n) DETACH DELETE n")
    load([r for r in records if r["id"] not in ("I-3", "I-1")])
    again = fingerprint(db)
    db.execute("MATCH (n) DETACH DELETE n")
    load([r for r in records if r["id"] != "I-3"])
    assert fingerprint(db) == wanted  # the reference graph is reproducible
    load([r for r in records if r["id"] == "I-1"])
    review.decide(db, "incident", "I-1", "dispose", "no policing purpose", "admin-1")
    assert fingerprint(db).sha256 == again.sha256


def test_a_person_whose_only_incident_is_erased_and_a_group_split_by_an_erasure(db, load) -> None:  # type: ignore[no-untyped-def]
    load([person("A", "Dan", "Marsh"), person("B", "Daniel", "Marsh"), person("C", "Danny", "Marsh"),
          person("V-1"), person("V-2"), person("V-3"),
          incident("I-A", "2012-01-01", "call", ["A"], ["V-1"]),
          incident("I-C", "2012-02-01", "call", ["C"], ["V-2"]),
          incident("I-V3", "2012-03-01", "call", [], ["V-3"])])
    for a, b in (("A", "B"), ("B", "C")):
        db.execute("MATCH (a:Person {id: $a}), (b:Person {id: $b}) CREATE (a)-[:POSSIBLY_SAME_AS {probability: 1.0, "
                   "status: 'confirmed', evidence: '{}', decided_by: 'test'}]->(b)", a=a, b=b)
    state.rebuild(db)
    serial = patterns_service.serial(db, min_victims=2)
    assert [(p["person_id"], p["victim_count"]) for p in serial["persons"]] == [("A", 2)]
    # B's record is erased: his links go, so A and C are no longer one perpetrator
    out = review.decide(db, "person", "B", "dispose", "recorded in error", "admin-1")
    assert out["identity_links"] == 2 and out["placeholder"] is False
    assert _count(db, "MATCH ()-[l:POSSIBLY_SAME_AS]-() RETURN count(l) AS n") == 0
    assert patterns_service.serial(db, min_victims=2)["persons"] == []
    _verify_clean(db)
    # V-3's only incident goes: her record stays (it has its own review) but she is no victim now
    review.decide(db, "incident", "I-V3", "dispose", "no policing purpose", "admin-1")
    assert "Victim" not in _node(db, "Person", "V-3")["labels"]
    # a person record still named by an incident becomes the placeholder the reference makes
    out = review.decide(db, "person", "A", "dispose", "no policing purpose", "admin-1")
    assert out["placeholder"] is True
    assert {k for k in _node(db, "Person", "A") if k != "labels"} == {"id", "placeholder"}
    _verify_clean(db)


def test_erasing_an_unidentified_incident_rewrites_its_cluster(db, load) -> None:  # type: ignore[no-untyped-def]
    used = {"phones": ["07700 900100"]}
    load([person("V-1"), person("V-2"), person("V-3")] + [
        incident(f"U-{i}", f"2012-0{i}-01", "call", [], [f"V-{i}"], identifiers_used=used) for i in (1, 2, 3)])
    state.rebuild(db)
    review.decide(db, "incident", "U-2", "dispose", "no policing purpose", "admin-1")
    _verify_clean(db)
    clusters = patterns_service.unidentified(db)["clusters"]
    assert [c["incident_ids"] for c in clusters] == [["U-1", "U-3"]]


def test_what_an_order_in_force_or_a_registration_needs_is_not_disposed_of(db, load) -> None:  # type: ignore[no-untyped-def]
    future = (TODAY + dt.timedelta(days=300)).isoformat()
    load([person("V-1"), person("O-1"), person("V-2"), person("O-2"),
          order("O-live", "O-1", ["V-1"], "2020-01-01", future),
          order("O-ended", "O-2", ["V-2"], "2010-01-01", "2011-01-01"),
          incident("I-breach", "2021-01-01", "breach", ["O-1"], ["V-1"], breached_order_ids=["O-live"]),
          {"kind": "registration", "id": "R-1", "source": "WMP", "person_id": "O-2", "basis": "order",
           "order_id": "O-ended", "start_on": "2010-01-01"},
          {"kind": "notification", "id": "N-1", "source": "WMP", "person_id": "O-2", "registration_id": "R-1",
           "notified_on": "2010-01-02", "type": "initial", "names": [{"given_name": "Eli", "family_name": "Ward"}],
           "home_address": {"line1": "1 Kiln Row", "town": "Manchester", "postcode": "M5 4WT"}}])
    for kind, rid, code in (("order", "O-live", "ORDER_IN_FORCE"), ("person", "V-1", "ORDER_IN_FORCE"),
                            ("person", "O-1", "ORDER_IN_FORCE"), ("incident", "I-breach", "ORDER_IN_FORCE"),
                            ("registration", "R-1", "REGISTRATION"), ("order", "O-ended", "REGISTRATION"),
                            ("person", "O-2", "REGISTRATION"), ("notification", "N-1", "REGISTRATION")):
        with pytest.raises(Conflict) as err:
            review.decide(db, kind, rid, "dispose", "no policing purpose", "admin-1")
        assert [h["code"] for h in err.value.details["holds"]] == [code], (kind, rid)
    assert _count(db, "MATCH (n) WHERE n.id IN ['O-live', 'R-1', 'N-1', 'I-breach'] AND n.placeholder IS NULL "
                      "RETURN count(n) AS n") == 4
    # once the registration has ended, its notification may go and the registration's duty is kept again
    load([{"kind": "registration", "id": "R-1", "source": "WMP", "person_id": "O-2", "basis": "order",
           "order_id": "O-ended", "start_on": "2010-01-01", "end_on": "2012-01-01"}])
    review.decide(db, "notification", "N-1", "dispose", "no policing purpose", "admin-1")
    assert _node(db, "Notification", "N-1") is None
    out = review.decide(db, "registration", "R-1", "dispose", "no policing purpose", "admin-1")
    assert out["placeholder"] is False and _node(db, "Registration", "R-1") is None


def _operators(plan: Any) -> list[str]:
    return [f"{plan['operatorType']} {plan.get('args', {}).get('Details', '')}",
            *(op for child in plan.get("children", []) for op in _operators(child))]


def test_the_worklist_reads_each_kinds_review_index_in_its_order(db, load) -> None:  # type: ignore[no-untyped-def]
    from neo4j import Query

    from graphsvc.graph.queries import query
    load(_register())
    _, summary, _ = db.driver.execute_query(
        Query("EXPLAIN " + query("list_review_due")),
        {"before": TODAY, "agency": None, "after_on": dt.date(1, 1, 1), "after_kind": "", "after_id": "", "limit": 10},
        database_=db.database)
    ops = _operators(summary.plan)
    seeks = [op for op in ops if "Index" in op and "review_on" in op]
    assert len(seeks) == 5, ops  # each kind through its own index
    assert not any(op.startswith(("NodeByLabelScan", "AllNodesScan")) for op in ops), ops
    # a branch reads its index in order and stops at the page: a partial top, never a sort of every due record
    assert sum(op.startswith(("Sort", "Top ")) for op in ops) <= 1, ops


def test_a_disposal_and_its_erasure_entry_are_written_together_or_not_at_all(db, load, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.security import audit

    load([person("V-1"), incident("I-1", "2012-01-01", "call", [], ["V-1"])])

    def log(work):  # type: ignore[no-untyped-def]
        return audit.append_entry(db, actor="reviewer", role="admin", action="erasure", purpose="MoPI review",
                                  query={"kind": "incident", "id": "I-1"}, person_ids=[], status=200, effect=work)

    def broken(entry):  # type: ignore[no-untyped-def]
        raise RuntimeError("the entry could not be made")

    monkeypatch.setattr(audit, "entry_hash", broken)
    with pytest.raises(RuntimeError):
        review.decide(db, "incident", "I-1", "dispose", "no policing purpose", "reviewer", log=log)
    assert _node(db, "Incident", "I-1") is not None  # the erasure went back with the entry
    monkeypatch.undo()
    out = review.decide(db, "incident", "I-1", "dispose", "no policing purpose", "reviewer", log=log)
    assert out["decision"] == "dispose" and _node(db, "Incident", "I-1") is None
    entries = db.execute("MATCH (e:AuditEntry {action: 'erasure'}) RETURN e.status AS status")
    assert [e["status"] for e in entries] == ["200"] and audit.verify(db).ok
    # a hold found in the transaction refuses both: no erasure, no entry
    load([person("O-1"), order("O-9", "O-1", ["V-1"], "2020-01-01")])
    with pytest.raises(Conflict):
        review.decide(db, "order", "O-9", "dispose", "r", "reviewer", log=log)
    assert len(db.execute("MATCH (e:AuditEntry {action: 'erasure'}) RETURN e.seq AS s")) == 1
