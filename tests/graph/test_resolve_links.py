"""Identity resolution on a real Neo4j: resolve, incremental, decisions by CLI and API, analyses.

A small synthetic register with known answers: two records of one stalker ("Jonathan Smith"
and "Jon Smyth", day and month of birth transposed, same phone) who each harassed a different
victim, and a mother and son who share a phone, a family name and an address (never a link).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from graphsvc.security import audit
from graphsvc.security import keys as auth
from graphsvc.services import resolution as resolve
from graphsvc import services
from graphsvc.cli import main
from graphsvc.config import Settings
from graphsvc.graph.db import Database
from graphsvc.errors import InvalidInput
from graphsvc.graph.fingerprint import fingerprint

A1, A2, F1, F2 = "T-A1", "T-A2", "T-F1", "T-F2"
REGISTER: list[dict[str, Any]] = [
    {"kind": "person", "id": A1, "source": "WMP", "given_name": "Jonathan", "family_name": "Smith",
     "dob": "1980-04-12", "phones": ["07700 900111"]},
    {"kind": "person", "id": A2, "source": "GMP", "given_name": "Jon", "family_name": "Smyth",
     "dob": "1980-12-04", "phones": ["+44 7700 900111"], "handles": [{"platform": "instagram", "handle": "@jsmith80"}]},
    {"kind": "person", "id": F1, "source": "WMP", "given_name": "Mary", "family_name": "Brown",
     "dob": "1970-01-01", "phones": ["07700 900222"],
     "addresses": [{"line1": "1 High St", "town": "Leeds", "postcode": "LS1 1AA"}]},
    {"kind": "person", "id": F2, "source": "WMP", "given_name": "Kevin", "family_name": "Brown",
     "dob": "2001-05-05", "phones": ["07700 900222"],
     "addresses": [{"line1": "1 High St", "town": "Leeds", "postcode": "LS1 1AA"}]},
    {"kind": "person", "id": "T-V1", "source": "WMP", "given_name": "Amy", "family_name": "Hale"},
    {"kind": "person", "id": "T-V2", "source": "GMP", "given_name": "Beth", "family_name": "Cole"},
    {"kind": "incident", "id": "T-I1", "source": "WMP", "occurred_at": "2025-06-01", "type": "text",
     "offender_ids": [A1], "victim_ids": ["T-V1"]},
    {"kind": "incident", "id": "T-I2", "source": "WMP", "occurred_at": "2025-06-09", "type": "visit",
     "offender_ids": [A1], "victim_ids": ["T-V1"]},
    {"kind": "incident", "id": "T-I3", "source": "GMP", "occurred_at": "2025-08-01", "type": "threat",
     "offender_ids": [A2], "victim_ids": ["T-V2"]},
]
PURPOSE = "OP-NIGHTJAR/9"
ALL = [A1, A2, F1, F2, "T-V1", "T-V2"]


@pytest.fixture
def register(db: Database, load) -> Database:  # type: ignore[no-untyped-def]
    assert load(REGISTER).rejected_records == 0
    return db


@pytest.fixture
def model(neo4j_settings: Settings) -> resolve.LoadedModel:
    return resolve.load_model(neo4j_settings)


def links(db: Database) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["a"], r["b"]): r for r in resolve.list_links(db, limit=500)["links"]}


def test_resolve_links_duplicates_with_evidence_not_a_family(register: Database, model) -> None:  # type: ignore[no-untyped-def]
    summary = resolve.resolve_all(register, model)
    assert summary["persons"] == 6 and summary["links"] == 1
    found = links(register)
    assert list(found) == [(A1, A2)]
    link = found[(A1, A2)]
    assert link["status"] == "proposed" and link["probability"] > 0.9
    assert link["evidence"]["dob"]["level"] == "day and month transposed"
    assert link["evidence"]["phones"]["level"] == "shared"
    assert link["evidence"]["link_rule"]["passed"] is True
    assert link["model"] == model.name
    entries = audit.find_entries(register, action="combination")
    assert entries and set(entries[0]["person_ids"]) == {A1, A2}
    assert entries[0]["query"]["op"] == "resolve"


def test_rerun_is_idempotent_and_decisions_survive(register: Database, model) -> None:  # type: ignore[no-untyped-def]
    resolve.resolve_all(register, model)
    register.execute("MATCH (n:AuditEntry) DETACH DELETE n")
    register.execute("MATCH (n:AuditHead) DETACH DELETE n")
    before = fingerprint(register)
    resolve.resolve_all(register, model)
    resolve.resolve_persons(register, [A1, A2, F1, F2], model)
    register.execute("MATCH (n:AuditEntry) DETACH DELETE n")
    register.execute("MATCH (n:AuditHead) DETACH DELETE n")
    assert fingerprint(register) == before

    for decision, status, full in (("reject", "rejected", False), ("confirm", "confirmed", True)):
        resolve.decide(register, A2, A1, decision, actor="t", role="investigator", reason="checked", purpose=PURPOSE)
        summary = resolve.resolve_all(register, model) if full else resolve.resolve_persons(register, [A2], model)
        link = links(register)[(A1, A2)]
        assert link["status"] == status and link["decided_by"] == "t" and link["reason"] == "checked"
        assert summary["decided"][status] == 1


def test_a_decided_link_stays_when_the_model_drops_it(register: Database, model) -> None:  # type: ignore[no-untyped-def]
    resolve.resolve_persons(register, ALL, model)
    resolve.decide(register, A1, A2, "confirm", actor="t", role="admin", reason="same man", purpose=PURPOSE)
    out = resolve.resolve_all(register, model, floor=1.0)  # nothing reaches the floor now
    assert out["links"] == 0
    assert links(register)[(A1, A2)]["status"] == "confirmed"
    resolve.decide(register, A1, A2, "undo", actor="t", role="admin", reason="mistake", purpose=PURPOSE)
    resolve.resolve_persons(register, ALL, model, floor=1.0)
    assert links(register) == {}  # an undecided proposal the model no longer makes is removed


def test_incremental_scores_a_new_record_without_a_full_run(register: Database, load, model) -> None:  # type: ignore[no-untyped-def]
    assert load([{"kind": "person", "id": "T-A3", "source": "BTP", "given_name": "Johnathan", "family_name": "Smith",
                  "dob": "1980-04-12", "handles": [{"platform": "instagram", "handle": "jsmith80"}]}]).rejected_records == 0
    out = resolve.resolve_persons(register, ["T-A3", "NOBODY"], model)
    assert out["missing"] == ["NOBODY"] and out["persons"] == 1
    found = links(register)
    assert {k for k in found if "T-A3" in k} == {(A1, "T-A3"), (A2, "T-A3")}
    assert (A1, A2) not in found  # only the given persons were resolved
    out = resolve.resolve_persons(register, [F2], model)
    assert out["candidates"] >= 1 and out["links"] == 0  # the mother shares phone, name, address: no link


def test_analyses_count_a_confirmed_link_as_one_perpetrator(register: Database, model) -> None:  # type: ignore[no-untyped-def]
    # unreviewed proposals do not count here
    register = register.with_settings(register.settings.with_overrides(link_threshold=1.0))
    resolve.resolve_persons(register, ALL, model)
    assert services.serial(register, min_victims=2)["persons"] == []
    assert services.fixation(register, A1)["pattern"]["victim_count"] == 1
    resolve.decide(register, A1, A2, "confirm", actor="t", role="investigator", reason="same", purpose=PURPOSE)
    persons = services.serial(register, min_victims=2)["persons"]
    assert len(persons) == 1 and set(persons[0]["person_ids"]) == {A1, A2} and persons[0]["victim_count"] == 2
    assert services.fixation(register, A2)["pattern"]["victim_count"] == 2
    register = register.with_settings(register.settings.with_overrides(link_threshold=0.5))
    resolve.decide(register, A1, A2, "reject", actor="t", role="investigator", reason="twins", purpose=PURPOSE)
    assert services.serial(register, min_victims=2)["persons"] == []  # rejected never counts
    resolve.decide(register, A1, A2, "undo", actor="t", role="investigator", reason="re-open", purpose=PURPOSE)
    # the ranking is cached (for the refresh age) on a digest of the links: the undo clears
    # decided_at, and the answer still changes at once (the proposal counts again at 0.5)
    persons = services.serial(register, min_victims=2)["persons"]
    assert len(persons) == 1 and set(persons[0]["person_ids"]) == {A1, A2}
    fix = services.fixation(register, A1)
    assert fix["pattern"]["victim_count"] == 2
    unconfirmed = fix["identity"]["unconfirmed"][0]
    assert unconfirmed["person_id"] == A2 and unconfirmed["via"] == A1  # counted, marked unconfirmed
    # with the model's evidence for the link (read only for the links an answer shows)
    assert unconfirmed["evidence"]["link_rule"]["passed"] is True and "given_name" in unconfirmed["evidence"]


def test_decide_errors(register: Database, model) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.errors import Conflict, NotFound

    resolve.resolve_persons(register, ALL, model)
    with pytest.raises(NotFound):
        resolve.decide(register, A1, "NOBODY", "confirm", actor="t", role="admin", reason="x", purpose=PURPOSE)
    with pytest.raises(Conflict):
        resolve.decide(register, F1, F2, "confirm", actor="t", role="admin", reason="x", purpose=PURPOSE)
    with pytest.raises(InvalidInput):
        resolve.decide(register, A1, A2, "confirm", actor="t", role="admin", reason=" ", purpose=PURPOSE)


def test_cli_resolve_and_links(register: Database, neo4j_env: dict[str, str], runner: CliRunner) -> None:
    run = runner
    out = run.invoke(main, ["resolve"], env=neo4j_env)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["links"] == 1
    out = run.invoke(main, ["links", "confirm", A2, A1, "--reason", "same PNC", "--purpose", PURPOSE], env=neo4j_env)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["link"]["status"] == "confirmed"
    out = run.invoke(main, ["links", "list", "--status", "confirmed", "--purpose", PURPOSE], env=neo4j_env)
    assert [(x["a"], x["b"]) for x in json.loads(out.stdout)["links"]] == [(A1, A2)]
    out = run.invoke(main, ["links", "reject", F1, F2, "--reason", "x", "--purpose", PURPOSE], env=neo4j_env)
    assert out.exit_code == 5  # no such link: 409
    out = run.invoke(main, ["links", "undo", A1, "NOBODY", "--reason", "x", "--purpose", PURPOSE], env=neo4j_env)
    assert out.exit_code == 4  # unknown person: 404
    out = run.invoke(main, ["resolve", "--incremental", "--person", A2], env=neo4j_env)
    assert out.exit_code == 0 and json.loads(out.stdout)["decided"]["confirmed"] == 1
    entry = audit.find_entries(register, action="combination", person_id=A2)
    assert any(e["query"].get("op") == "link_confirm" and e["purpose"] == PURPOSE and e["actor"].startswith("cli:")
               and e["query"]["reason"] == "same PNC" for e in entry)


def _h(key: str, purpose: str | None = PURPOSE) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **({"X-Purpose": purpose} if purpose else {})}


def test_api_decisions_roles_audit_and_openapi(register: Database, model, client) -> None:  # type: ignore[no-untyped-def]
    resolve.resolve_persons(register, ALL, model)
    keys = {r: auth.create_key(register, role=r, name=f"t-{r}")[0] for r in ("case_system", "investigator", "admin")}
    url = f"/api/v1/links/{A2}/{A1}/confirm"
    body = {"reason": "same PNC photograph"}
    assert client.post(url, json=body, headers=_h(keys["case_system"])).status_code == 403
    assert client.get("/api/v1/links", headers=_h(keys["case_system"])).status_code == 403
    assert client.post(url, json=body, headers=_h(keys["investigator"], None)).status_code == 400
    assert client.post(url, json={}, headers=_h(keys["investigator"])).status_code == 422
    res = client.post(url, json=body, headers=_h(keys["investigator"]))
    assert res.status_code == 200, res.get_data(as_text=True)
    assert res.get_json()["link"]["status"] == "confirmed" and res.get_json()["previous_status"] == "proposed"
    assert client.post(f"/api/v1/links/{A1}/NOBODY/reject", json=body, headers=_h(keys["admin"])).status_code == 404
    res = client.post(f"/api/v1/links/{F1}/{F2}/confirm", json=body, headers=_h(keys["admin"]))
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "conflict"
    res = client.get("/api/v1/links?status=confirmed", headers=_h(keys["admin"]))
    assert [(x["a"], x["b"]) for x in res.get_json()["links"]] == [(A1, A2)]
    res = client.get(f"/api/v1/links?person_id={F1}", headers=_h(keys["investigator"]))
    assert res.status_code == 200 and res.get_json()["links"] == []
    assert client.get("/api/v1/links?status=maybe", headers=_h(keys["admin"])).status_code == 400
    res = client.post(f"/api/v1/links/{A1}/{A2}/undo", json={"reason": "re-open"}, headers=_h(keys["admin"]))
    assert res.get_json()["link"]["status"] == "proposed" and res.get_json()["link"].get("decided_by") is None

    entries = audit.find_entries(register, action="combination", person_id=A1)
    ops = [(e["query"].get("op"), e["role"], e["status"]) for e in entries]
    assert ("link_confirm", "investigator", "200") in ops and ("link_undo", "admin", "200") in ops
    confirm = next(e for e in entries if e["query"].get("op") == "link_confirm")
    assert confirm["purpose"] == PURPOSE and confirm["query"]["reason"] == "same PNC photograph"
    denied = audit.find_entries(register, action="access_denied")
    assert any(e["role"] == "case_system" for e in denied)

    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/links", "/links/{a}/{b}/confirm", "/links/{a}/{b}/reject", "/links/{a}/{b}/undo"} <= set(paths)


def test_check_scores_with_the_trained_model_by_default(register: Database) -> None:
    assert Settings.from_env({}).check_scorer == "model"
    answer = services.check(register, {"given_name": "Jon", "family_name": "Smith", "dob": "1980-04-12"})
    res = answer["matches"]
    assert answer["scorer"].startswith("model:")
    assert res[0]["person_id"] == A1 and res[0]["score"] > 0.9
    assert res[0]["score_parts"]["model"]["dob"]["level"] == "exact" and "dob" in res[0]["matched_on"]
    family = services.check(register, {"phones": ["07700 900222"]})["matches"]
    assert {m["person_id"] for m in family} == {F1, F2}
    assert all(m["score_parts"]["model"]["link_rule"]["passed"] is False for m in family)
    rules = register.with_settings(register.settings.with_overrides(check_scorer="deterministic"))
    answer = services.check(rules, {"given_name": "Jon", "family_name": "Smith", "dob": "1980-04-12"})
    assert answer["scorer"] == "deterministic" and "model" not in answer["matches"][0]["score_parts"]
    with pytest.raises(ValueError, match="GRAPHSVC_CHECK_SCORER"):
        Settings.from_env({"GRAPHSVC_CHECK_SCORER": "neural"})


def test_check_answers_with_the_rule_scorer_when_the_model_is_damaged(register: Database,
                                                                      tmp_path) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.services.resolution import model_path

    register = register.with_settings(register.settings.with_overrides(home=tmp_path))
    broken = model_path(register.settings)
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json", encoding="utf-8")
    answer = services.check(register, {"given_name": "Jon", "family_name": "Smith", "dob": "1980-04-12"})
    assert answer["scorer"] == "deterministic (model unavailable)"
    assert answer["matches"][0]["person_id"] == A1


def test_resolve_names_running_out_of_memory_whatever_wraps_it() -> None:
    import duckdb

    from graphsvc.cli.resolve import _out_of_memory

    try:
        try:
            raise duckdb.OutOfMemoryException("could not allocate block")
        except duckdb.OutOfMemoryException as inner:
            raise RuntimeError("splink failed") from inner
    except RuntimeError as outer:
        assert _out_of_memory(outer)
    assert not _out_of_memory(RuntimeError("something else"))
