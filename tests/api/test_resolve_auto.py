"""Automatic incremental identity resolution: after ``POST /records`` and after ``graphsvc load``.

Real Neo4j (tests/conftest.py). One man, Daniel Marsh, is recorded by two agencies: WMP as
"Daniel Marsh" and GMP as "Dan Marsh", same date of birth and the same phone in two notations.
Each agency's record arrives separately; the second arrival must find the first.
"""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from graphsvc.security import audit
from graphsvc.services import resolution as resolve
from graphsvc import services
from graphsvc.cli import main
from graphsvc.graph.db import Database

WMP = {"kind": "person", "id": "WMP-P-1042", "source": "WMP", "given_name": "Daniel", "family_name": "Marsh",
       "dob": "1985-02-11", "phones": ["07700 900123"]}
GMP = {"kind": "person", "id": "GMP-P-77", "source": "GMP", "given_name": "Dan", "family_name": "Marsh",
       "dob": "1985-02-11", "phones": ["+44 7700 900123"], "emails": ["dmarsh85@example.org"]}
VICTIM_1 = {"kind": "person", "id": "WMP-P-2001", "source": "WMP", "given_name": "Amy", "family_name": "Hale"}
VICTIM_2 = {"kind": "person", "id": "GMP-P-90", "source": "GMP", "given_name": "Beth", "family_name": "Cole"}
INCIDENT_1 = {"kind": "incident", "id": "WMP-I-1", "source": "WMP", "occurred_at": "2026-03-01", "type": "text",
              "offender_ids": [WMP["id"]], "victim_ids": [VICTIM_1["id"]]}
INCIDENT_2 = {"kind": "incident", "id": "GMP-I-1", "source": "GMP", "occurred_at": "2026-04-01", "type": "visit",
              "offender_ids": [GMP["id"]], "victim_ids": [VICTIM_2["id"]]}
PAIR = tuple(sorted((WMP["id"], GMP["id"])))
PURPOSE = "nightly feed GMP"


def _h(key: str, purpose: str | None = PURPOSE) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **({"X-Purpose": purpose} if purpose else {})}


def _links(db: Database) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["a"], r["b"]): r for r in resolve.list_links(db, limit=500)["links"]}


def _post(client, key: str, records: list[dict[str, Any]]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/records", json=records, headers=_h(key))
    assert res.status_code == 200, res.get_data(as_text=True)
    return res.get_json()  # type: ignore[no-any-return]


def test_post_records_proposes_the_link_before_answering(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    first = _post(client, keys["case_system"], [WMP, VICTIM_1, INCIDENT_1])
    assert first["accepted"] == 3
    assert first["resolution"]["status"] == "done" and first["resolution"]["links"] == 0
    assert first["resolution"]["persons"] == 2  # the batch's person records, not the incident

    second = _post(client, keys["case_system"], [GMP, VICTIM_2, INCIDENT_2])
    assert second["accepted"] == 3
    res = second["resolution"]
    assert res["status"] == "done" and res["links"] == 1 and res["proposed"] == 1
    assert res["model"].startswith(("default#", "register#")) and res["ms"] >= 0
    link = _links(db)[PAIR]
    assert link["status"] == "proposed" and link["probability"] >= 0.9
    assert link["evidence"]["phones"]["level"] == "shared" and link["evidence"]["link_rule"]["passed"] is True

    # the intake check (service and API) sees the second record through the proposal
    found = services.check(db, {"given_name": "Daniel", "family_name": "Marsh", "dob": "1985-02-11"})["matches"]
    top = next(m for m in found if m["person_id"] in PAIR)
    other = ({*PAIR} - {top["person_id"]}).pop()
    assert [u["person_id"] for u in top["identity"]["unconfirmed"]] == [other]
    api = client.post("/api/v1/check", json={"subject": {"phones": ["07700900123"]}},
                      headers=_h(keys["investigator"], "intake call 4411"))
    assert api.status_code == 200, api.get_data(as_text=True)
    matches = api.get_json()["matches"]
    assert any(u["person_id"] in PAIR for m in matches for u in m["identity"]["unconfirmed"])

    # the combination is audited as the caller's, with the caller's purpose, in the intact chain
    entries = [e for e in audit.find_entries(db, action="combination") if e["query"].get("trigger") == "records"]
    assert len(entries) == 1  # the first batch proposed nothing: no combination, no entry
    entry = entries[0]
    assert entry["actor"].startswith("test-case_system#") and entry["role"] == "case_system"
    assert entry["purpose"] == PURPOSE and set(entry["person_ids"]) == set(PAIR)
    assert entry["query"]["path"] == "/api/v1/records" and entry["query"]["request_id"]
    assert entry["query"]["op"] == "resolve" and entry["query"]["mode"] == "incremental"
    assert audit.verify(db).ok

    # one batch holding both records links them too, and a resend changes nothing
    db.execute("MATCH ()-[r:POSSIBLY_SAME_AS]->() DELETE r")
    both = _post(client, keys["admin"], [WMP, GMP])
    assert both["resolution"]["links"] == 1 and set(_links(db)) == {PAIR}
    again = _post(client, keys["admin"], [WMP, GMP])
    assert again["resolution"]["links"] == 1 and again["resolution"]["changed"] == 0


def test_a_purposeless_post_is_audited_with_the_default_purpose(client, db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/records", json=[WMP, GMP], headers=_h(keys["case_system"], None))
    assert res.status_code == 200 and res.get_json()["resolution"]["links"] == 1
    (entry,) = [e for e in audit.find_entries(db, action="combination")]
    assert entry["purpose"] == "identity resolution of records received by POST /records"


def _client_with(neo4j_env: dict[str, str], **env: str):  # type: ignore[no-untyped-def]
    """A test client of a service started with these environment variables (read once, at start)."""
    from graphsvc.app import create_app
    from graphsvc.config import Settings

    return create_app({"TESTING": True, "GRAPHSVC_SETTINGS": Settings.from_env({**neo4j_env, **env})}).test_client()


def test_auto_resolve_can_be_turned_off(db: Database, keys, neo4j_env) -> None:  # type: ignore[no-untyped-def]
    client = _client_with(neo4j_env, GRAPHSVC_AUTO_RESOLVE="0")
    out = _post(client, keys["case_system"], [WMP, GMP, VICTIM_1, INCIDENT_1])
    assert out == {"accepted": 4, "resolution": {"status": "disabled", "persons": 0, "links": 0, "proposed": 0}}
    assert _links(db) == {}
    assert audit.find_entries(db, action="combination") == []
    client = _client_with(neo4j_env, GRAPHSVC_AUTO_RESOLVE="1")
    assert _post(client, keys["case_system"], [GMP])["resolution"]["links"] == 1


def test_a_batch_without_persons_skips_resolution(client, db: Database, keys, load) -> None:  # type: ignore[no-untyped-def]
    load([WMP, VICTIM_1])
    out = _post(client, keys["case_system"], [INCIDENT_1])
    assert out["resolution"]["status"] == "skipped" and out["resolution"]["links"] == 0


def test_batches_above_the_inline_limit_are_left_to_graphsvc_resolve(db: Database, keys,  # type: ignore[no-untyped-def]
                                                                     neo4j_env) -> None:
    client = _client_with(neo4j_env, GRAPHSVC_AUTO_RESOLVE_MAX="1")
    out = _post(client, keys["case_system"], [WMP, GMP])
    assert out["resolution"]["status"] == "skipped" and "graphsvc resolve" in out["resolution"]["message"]
    assert _links(db) == {}
    assert _post(client, keys["case_system"], [GMP])["resolution"]["links"] == 1  # one is within the limit


def test_a_scoring_failure_keeps_the_records_and_answers_200(client, db: Database, keys, monkeypatch,  # type: ignore[no-untyped-def]
                                                            caplog) -> None:
    from graphsvc.linkage import ModelError

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ModelError("the model file is corrupt")

    monkeypatch.setattr(resolve, "load_model", broken)
    res = client.post("/api/v1/records", json=[WMP, GMP, VICTIM_1, INCIDENT_1], headers=_h(keys["case_system"]))
    assert res.status_code == 200, res.get_data(as_text=True)
    body = res.get_json()
    assert body["accepted"] == 4
    assert body["resolution"]["status"] == "failed" and body["resolution"]["error"] == "ModelError"
    assert "corrupt" not in json.dumps(body)  # the cause goes to the log, not to the client
    assert any("identity resolution after POST /records failed" in r.getMessage() for r in caplog.records)
    n = db.execute("MATCH (p:Person) WHERE p.id IN $ids RETURN count(p) AS n", ids=[WMP["id"], GMP["id"]])
    assert n == [{"n": 2}]
    assert db.execute("MATCH (:Incident {id: 'WMP-I-1'}) RETURN 1 AS one") == [{"one": 1}]
    assert _links(db) == {}
    (entry,) = audit.find_entries(db, action="collection")
    assert entry["status"] == "200" and set(entry["person_ids"]) >= {WMP["id"], GMP["id"]}


def test_a_failure_inside_scoring_after_the_model_loaded_is_reported_too(client, db: Database, keys,  # type: ignore[no-untyped-def]
                                                                       monkeypatch) -> None:
    import graphsvc.linkage as linkage

    class Broken:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("scorer blew up")

    _post(client, keys["case_system"], [WMP])
    monkeypatch.setattr(linkage, "Register", Broken)
    res = client.post("/api/v1/records", json=[GMP], headers=_h(keys["case_system"]))
    assert res.status_code == 200 and res.get_json()["resolution"]["status"] == "failed"
    assert db.execute("MATCH (p:Person {id: $id}) RETURN p.given_name AS g", id=GMP["id"]) == [{"g": "Dan"}]


def test_openapi_documents_the_resolution(client) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/api/v1/openapi.json").get_json()
    ok = doc["paths"]["/records"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    text = json.dumps(doc)
    assert "resolution" in text and ok


# -- graphsvc load ----------------------------------------------------------------------------
def _cli_load(env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    out = CliRunner().invoke(main, ["load", *args, "--no-progress"], env=env)
    return out.exit_code, json.loads(out.stdout) if out.stdout.strip() else {}, out.stderr


def test_load_resolves_the_new_persons(db: Database, load, write_jsonl, neo4j_env) -> None:  # type: ignore[no-untyped-def]
    assert load([WMP, VICTIM_1, INCIDENT_1]).rejected_records == 0
    path = write_jsonl([GMP, VICTIM_2, INCIDENT_2])
    code, summary, err = _cli_load(neo4j_env, str(path))
    assert code == 0, err
    assert summary["persons"] == 2 and summary["resolution"]["status"] == "done"
    assert summary["resolution"]["persons"] == 2 and summary["resolution"]["links"] == 1
    assert "identity resolution: 2 persons scored" in err
    assert set(_links(db)) == {PAIR}
    (entry,) = audit.find_entries(db, action="combination")
    assert entry["actor"].startswith("cli:") and entry["query"]["trigger"] == "load"
    assert entry["purpose"] == "identity resolution of the records loaded by graphsvc load"


def test_load_resolves_even_when_some_records_are_rejected(db: Database, load, write_jsonl,  # type: ignore[no-untyped-def]
                                                           neo4j_env) -> None:
    load([WMP])
    bad = {"kind": "person", "id": "BAD-1", "source": "GMP", "phones": ["not a phone"]}
    code, summary, _ = _cli_load(neo4j_env, str(write_jsonl([GMP, bad])))
    assert code == 1 and summary["rejected"] == 1
    # the written person is resolved; the rejected one is not looked for (it was never written)
    assert summary["resolution"]["links"] == 1 and summary["resolution"]["missing"] == 0


def test_load_no_resolve_skips(db: Database, load, write_jsonl, neo4j_env) -> None:  # type: ignore[no-untyped-def]
    load([WMP])
    code, summary, err = _cli_load(neo4j_env, str(write_jsonl([GMP])), "--no-resolve")
    assert code == 0 and summary["resolution"] == {"status": "disabled"}
    assert "not run (--no-resolve)" in err
    assert _links(db) == {}


def test_a_load_past_the_incremental_limit_runs_one_full_resolve(db: Database, load, write_jsonl,  # type: ignore[no-untyped-def]
                                                                   neo4j_env) -> None:
    load([WMP])
    path = write_jsonl([GMP, VICTIM_2])
    env = {**neo4j_env, "GRAPHSVC_LOAD_RESOLVE_MAX": "1"}
    code, summary, err = _cli_load(env, str(path))
    assert code == 0, err
    res = summary["resolution"]
    assert res["status"] == "done" and res["path"] == "full" and res["written"] == 2
    assert res["persons"] == 3 and res["links"] == 1 and "one full resolve" in err
    assert set(_links(db)) == {PAIR}
    (entry,) = audit.find_entries(db, action="combination")
    assert entry["purpose"] == "identity resolution of the records loaded by graphsvc load (full)"
    # a small load into the same register is scored one by one
    code, summary, _ = _cli_load(neo4j_env, str(write_jsonl([{**VICTIM_2, "given_name": "Jo"}])))
    assert summary["resolution"]["path"] == "incremental" and summary["resolution"]["persons"] == 1


def test_hostile_records_resolve_without_failing(client, db: Database, keys, load) -> None:  # type: ignore[no-untyped-def]
    """The hostile corpus's valid records through POST /records: resolution runs on every batch
    (names, identifiers and ids from the corpus reach the scorer) and never fails or leaks."""
    from tests.hostile import leaks, strings
    from tests.records_factory import register
    from tests.api.test_hostile_input import _valid, hostile_records

    load(register(12, seed=3))
    statuses: dict[str, int] = {}
    for i, (cls, s) in enumerate(strings()):
        valid = [r for r in hostile_records(i, s) if _valid(r) is not None]
        if not any(r["kind"] == "person" for r in valid):
            continue
        res = client.post("/api/v1/records", json=valid, headers=_h(keys["case_system"]))
        text = res.get_data(as_text=True)
        assert res.status_code == 200 and not leaks(text), f"{cls} {s[:40]!r}: {text[:300]}"
        status = res.get_json()["resolution"]["status"]
        statuses[status] = statuses.get(status, 0) + 1
        assert status == "done", f"{cls} {s[:40]!r}: {res.get_json()['resolution']}"
    assert statuses.get("done", 0) > 10
