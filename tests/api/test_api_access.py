"""API keys, roles, rate limits and the error shape, against the real Neo4j."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from graphsvc.security import keys as auth
from graphsvc.app import create_app
from graphsvc.cli import main as cli_main
from graphsvc.graph.db import Database
from graphsvc.security.policy import ROLE_PERMISSIONS, Role

PUBLIC = {"/api/v1/health", "/api/v1/ready", "/api/v1/openapi.json"}


def bearer(key: str, purpose: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {key}"}
    if purpose:
        headers["X-Purpose"] = purpose
    return headers


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body["error"]) >= {"code", "message"}
    assert isinstance(body["error"]["message"], str)
    if code:
        assert body["error"]["code"] == code
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    return body


# -- every route is guarded ----------------------------------------------------------------------
def test_every_api_route_has_a_role_check(app) -> None:  # type: ignore[no-untyped-def]
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        if rule.rule in PUBLIC:
            assert getattr(view, "required_permission", None) is None
            continue
        assert getattr(view, "required_permission", None) is not None, f"{rule.rule} has no role check"
        checked.append(rule.rule)
    assert "/api/v1/records" in checked and "/api/v1/audit" in checked


def test_every_guarded_route_answers_401_without_a_key(app, client) -> None:  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule in PUBLIC:
            continue
        path = rule.rule.replace("<id>", "P1").replace("<key_id>", "0123456789abcdef")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            response = client.open(path, method=method)
            assert_error(response, 401, "unauthorized")
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


# -- authentication --------------------------------------------------------------------------
def test_health_needs_no_key_and_ready_checks_neo4j(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/health").get_json() == {"status": "ok"}
    assert client.get("/api/v1/ready").get_json() == {"status": "ready"}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gsk_0123456789abcdef_" + "A" * 43,  # well-formed, unknown
        "Bearer not-a-key",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
    ],
)
def test_bad_keys_are_401(client, keys, header: str) -> None:  # type: ignore[no-untyped-def]
    assert_error(client.get("/api/v1/audit", headers={"Authorization": header}), 401, "unauthorized")


def test_a_wrong_secret_for_a_real_key_id_is_401(client, keys) -> None:  # type: ignore[no-untyped-def]
    key = keys["admin"]
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert_error(client.get("/api/v1/audit", headers=bearer(forged)), 401)
    assert client.get("/api/v1/audit", headers=bearer(key)).status_code == 200


def test_keys_are_stored_only_as_argon2_hashes(db: Database, keys) -> None:  # type: ignore[no-untyped-def]
    rows = db.execute("MATCH (k:ApiKey) RETURN k {.*} AS k")
    assert len(rows) == len(Role)
    for row in rows:
        stored = json.dumps(row["k"])
        assert row["k"]["hash"].startswith("$argon2id$")
        for key in keys.values():
            assert key.split("_", 2)[2] not in stored


def test_revoked_key_is_refused(neo4j_settings, db: Database) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings, "API_KEY_CACHE_TTL_S": 0})
    client = app.test_client()
    key, public = auth.create_key(db, role="admin", name="soon-gone")
    assert client.get("/api/v1/audit", headers=bearer(key)).status_code == 200
    assert auth.revoke_key(db, public["key_id"]) is not None
    body = assert_error(client.get("/api/v1/audit", headers=bearer(key)), 401)
    assert "revoked" in body["error"]["message"]


# -- roles -----------------------------------------------------------------------------------
def test_admin_routes_refuse_other_roles(client, keys) -> None:  # type: ignore[no-untyped-def]
    for role in ("case_system", "investigator"):
        assert_error(client.get("/api/v1/audit", headers=bearer(keys[role])), 403, "forbidden")
        assert_error(client.get("/api/v1/keys", headers=bearer(keys[role])), 403)
        assert_error(
            client.post("/api/v1/keys", json={"name": "x", "role": "admin"}, headers=bearer(keys[role])), 403
        )
        assert_error(client.delete("/api/v1/keys/0123456789abcdef", headers=bearer(keys[role])), 403)


def test_whoami_names_each_keys_role_agency_and_permissions_and_reads_nothing(db: Database, client, keys) -> None:  # type: ignore[no-untyped-def]
    entries = db.execute("MATCH (e:AuditEntry) RETURN count(e) AS n")[0]["n"]
    for role in Role:
        me = client.get("/api/v1/whoami", headers=bearer(keys[role.value]))
        assert me.status_code == 200, me.get_data(as_text=True)
        body = me.get_json()
        assert body["role"] == role.value and body["name"] == f"test-{role.value}" and body["agency"] is None
        assert keys[role.value].startswith("gsk_" + body["key_id"])
        assert body["permissions"] == sorted(p.value for p in ROLE_PERMISSIONS[role])
        assert ("review" in body["permissions"]) == (role is Role.ADMIN)
    token = auth.create_key(db, role="investigator", name="whoami-gmp", agency="GMP")[0]
    assert client.get("/api/v1/whoami", headers=bearer(token)).get_json()["agency"] == "GMP"
    assert_error(client.get("/api/v1/whoami"), 401)
    # nothing about a person is read, so nothing is audited
    assert db.execute("MATCH (e:AuditEntry) RETURN count(e) AS n")[0]["n"] == entries


def test_admin_manages_keys_over_http(client, keys) -> None:  # type: ignore[no-untyped-def]
    admin = bearer(keys["admin"])
    created = client.post("/api/v1/keys", json={"name": "rms-east", "role": "case_system"}, headers=admin)
    assert created.status_code == 201
    body = created.get_json()
    assert body["key"].startswith("gsk_" + body["key_id"]) and body["role"] == "case_system"
    # the new key works, with its role
    assert client.post("/api/v1/records", json=[], headers=bearer(body["key"])).get_json()["accepted"] == 0
    listed = client.get("/api/v1/keys", headers=admin).get_json()["keys"]
    assert {k["name"] for k in listed} >= {"rms-east", "test-admin"}
    assert all("hash" not in k and "key" not in k for k in listed)
    # an active name is unique: 409
    assert_error(
        client.post("/api/v1/keys", json={"name": "rms-east", "role": "admin"}, headers=admin), 409, "conflict"
    )
    assert_error(client.post("/api/v1/keys", json={"name": "x", "role": "king"}, headers=admin), 422)
    assert client.delete(f"/api/v1/keys/{body['key_id']}", headers=admin).status_code == 200
    assert_error(client.delete(f"/api/v1/keys/{body['key_id']}", headers=admin), 404, "not_found")
    # revoked here: this process forgets it at once
    assert_error(client.post("/api/v1/records", json=[], headers=bearer(body["key"])), 401)


# -- rate limits -----------------------------------------------------------------------------
def test_rate_limit_is_per_key_with_retry_after(neo4j_settings, db: Database) -> None:  # type: ignore[no-untyped-def]
    app = create_app(
        {"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings, "RATE_LIMIT_PER_S": 0.5, "RATE_LIMIT_BURST": 3}
    )
    client = app.test_client()
    first = auth.create_key(db, role="admin", name="busy")[0]
    second = auth.create_key(db, role="admin", name="quiet")[0]
    statuses = [client.get("/api/v1/keys", headers=bearer(first)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/keys", headers=bearer(first))
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/keys", headers=bearer(second)).status_code == 200


def test_repeated_failed_keys_from_one_address_are_throttled(neo4j_settings, db: Database) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings,
                      "AUTH_FAILURES_PER_S": 0.1, "AUTH_FAILURES_BURST": 3})
    client = app.test_client()
    good = auth.create_key(db, role="admin", name="legit")[0]
    bad = "gsk_0123456789abcdef_" + "B" * 43
    assert [client.get("/api/v1/keys", headers=bearer(bad)).status_code for _ in range(3)] == [401] * 3
    throttled = client.get("/api/v1/keys", headers=bearer(bad))
    assert_error(throttled, 429, "rate_limited")
    assert int(throttled.headers["Retry-After"]) >= 1
    # no more Argon2 work for that address, even for a good key, until the bucket refills
    assert client.get("/api/v1/keys", headers=bearer(good)).status_code == 429
    other = client.get("/api/v1/keys", headers=bearer(good), environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


# -- the error shape -------------------------------------------------------------------------
def test_unknown_route_and_method_use_the_error_shape(client, keys) -> None:  # type: ignore[no-untyped-def]
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    response = client.put("/api/v1/health")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_an_unexpected_failure_is_a_500_without_a_trace(neo4j_settings, db) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": False, "GRAPHSVC_SETTINGS": neo4j_settings})

    @app.get("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals /etc/passwd")

    response = app.test_client().get("/boom")
    body = assert_error(response, 500, "internal_error")
    assert "secret" not in json.dumps(body)


def test_request_ids_are_echoed_or_made(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/health", headers={"X-Request-Id": "case-42.a"}).headers["X-Request-Id"] == "case-42.a"
    made = client.get("/api/v1/health", headers={"X-Request-Id": "bad id\u00e9"}).headers["X-Request-Id"]
    assert made and made != "bad id\u00e9"


def test_json_log_lines_carry_the_request_id(client, keys, capfd) -> None:  # type: ignore[no-untyped-def]
    client.get("/api/v1/keys", headers={**bearer(keys["admin"]), "X-Request-Id": "trace-me-1"})
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("request_id") == "trace-me-1"]
    assert access and access[-1]["status"] == 200 and access[-1]["path"] == "/api/v1/keys"
    assert access[-1]["role"] == "admin" and "gsk_" not in json.dumps(lines)


# -- the command line ------------------------------------------------------------------------
def test_cli_creates_lists_and_revokes_keys(neo4j_env, db: Database, monkeypatch, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    for name, value in neo4j_env.items():
        monkeypatch.setenv(name, value)
    created = runner.invoke(cli_main, ["keys", "create", "--role", "investigator", "--name", "dc-smith"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[0]
    key_id = key.split("_")[1]
    assert auth.KeyRing(0).authenticate(db, key).role is Role.INVESTIGATOR
    listed = runner.invoke(cli_main, ["keys", "list", "--json"])
    assert [k["name"] for k in json.loads(listed.stdout)] == ["dc-smith"]
    assert key not in listed.stdout
    assert runner.invoke(cli_main, ["keys", "create", "--role", "admin", "--name", "dc-smith"]).exit_code == 2
    assert runner.invoke(cli_main, ["keys", "revoke", key_id]).exit_code == 0
    assert runner.invoke(cli_main, ["keys", "revoke", key_id]).exit_code == 1
    verified = runner.invoke(cli_main, ["audit", "verify"])
    assert verified.exit_code == 0 and json.loads(verified.stdout)["entries"] == 2


# -- the OpenAPI document --------------------------------------------------------------------
def test_openapi_document_covers_the_contract(client) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    for path, method in [("/health", "get"), ("/ready", "get"), ("/records", "post"), ("/check", "post"),
                         ("/persons/{id}", "get"), ("/persons/{id}/fixation", "get"),
                         ("/persons/{id}/linked-victims", "get"), ("/patterns/serial", "get"),
                         ("/patterns/unidentified", "get"), ("/persons/{id}/network", "get"),
                         ("/search", "get"), ("/audit", "get")]:
        assert method in paths[path], path
    assert paths["/health"]["get"]["security"] == []
    purpose = [p for p in paths["/search"]["get"]["parameters"] if p["name"] == "X-Purpose"]
    assert purpose and purpose[0]["required"] is True and purpose[0]["in"] == "header"
    records = paths["/records"]["post"]
    assert set(records["requestBody"]["content"]) == {"application/json", "application/x-ndjson"}
    assert records["requestBody"]["content"]["application/json"]["example"]
    assert records["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("RecordsRejected")
    assert "Retry-After" in paths["/check"]["post"]["responses"]["429"]["headers"]
    schemas = doc["components"]["schemas"]
    assert {"PersonRecord", "IncidentRecord", "OrderRecord", "CheckRequest", "ErrorResponse"} <= set(schemas)
    assert schemas["CheckRequest"]["examples"]
