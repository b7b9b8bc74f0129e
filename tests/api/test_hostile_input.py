"""Hostile input through every string input: zero server errors, zero unintended changes.

The corpus is ``tests/hostile/strings.json`` (Cypher and Lucene injection, control characters,
RTL and zero-width characters, emoji, lone surrogates, format strings, very long strings,
crafted cursors). Each test loads a small synthetic register, sends the corpus through one
class of input and checks every answer: a 2xx or 4xx status (never 5xx), the one JSON error
shape on errors, and no stack trace or Neo4j/driver error text in any body. Reads must leave
the graph's content fingerprint unchanged; writes must change it exactly as loading the same
accepted records does, and a refused write must change nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from click.testing import CliRunner

from graphsvc.security import audit
from graphsvc.security import keys as auth
from graphsvc.app import create_app
from graphsvc.cli import main as cli_main
from graphsvc.graph.db import Database
from graphsvc.graph.fingerprint import fingerprint
from graphsvc.security.policy import Role
from loaders.records import RecordError, parse_record
from tests.hostile import cursors, leaks, strings
from tests.records_factory import register

BASE_PERSON = "T-P-O0"  # an offender in register(12, seed=3)
PURPOSE = "OP-HOSTILE/2026/001"


# -- fixtures and checks ---------------------------------------------------------------------
@pytest.fixture
def world(neo4j_settings, db: Database, load) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A small register, one key per role, a client without rate limits getting in the way."""
    load(register(12, seed=3))
    keys = {role.value: auth.create_key(db, role=role.value, name=f"hostile-{role.value}")[0] for role in Role}
    app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings, "JSON_LOGS": False, "AUTO_RESOLVE": False,
                      "RATE_LIMIT_PER_S": 100_000.0, "RATE_LIMIT_BURST": 1_000_000})
    yield {"db": db, "keys": keys, "client": app.test_client(), "app": app}


def hdr(key: str, purpose: str | None = PURPOSE, **extra: str) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {key}"}
    if purpose is not None:
        headers["X-Purpose"] = purpose
    headers.update(extra)
    return headers


def safe(response: Any, allowed: set[int] | None = None, what: str = "") -> int:
    """Assert a well-behaved answer: no 5xx, the one error shape, nothing leaked."""
    text = response.get_data(as_text=True)
    assert response.status_code < 500, f"{what}: {response.status_code} {text[:500]}"
    if allowed is not None:
        assert response.status_code in allowed, f"{what}: {response.status_code} {text[:500]}"
    assert not leaks(text), f"{what}: leaked {leaks(text)}: {text[:500]}"
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        assert isinstance(body, dict) and {"code", "message"} <= set(body.get("error", {})), f"{what}: {text[:300]}"
    return int(response.status_code)


def as_header(value: str) -> str:
    """How a header value arrives from a real HTTP server: its UTF-8 bytes read as Latin-1."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


def sendable_in_header(value: str) -> bool:
    # CR and LF cannot be carried in an HTTP header (the server refuses the request line).
    return "\r" not in value and "\n" not in value and "\u2028" not in value and "\u0085" not in value


def path_part(value: str) -> str:
    return quote(value, safe="", errors="surrogatepass")


# -- record fields: POST /records and graphsvc load ------------------------------------------
def hostile_records(i: int, s: str) -> list[dict[str, Any]]:
    """Records that carry ``s`` in every string field of every kind (one aspect per record)."""
    return [
        {"kind": "person", "id": f"H-P-{i}-names", "source": "HOS", "given_name": s, "family_name": s,
         "aliases": [s, "plain"], "gender": s},
        {"kind": "person", "id": f"H-P-{i}-ids", "source": "HOS", "family_name": "Ident", "phones": [s],
         "emails": [s], "vehicles": [s], "handles": [{"platform": s, "handle": s}]},
        {"kind": "person", "id": f"H-P-{i}-addr", "source": "HOS", "family_name": "Addr",
         "addresses": [{"line1": s, "town": s, "postcode": s}]},
        {"kind": "person", "id": s, "source": s, "family_name": "Keyed"},
        {"kind": "incident", "id": f"H-I-{i}-text", "source": "HOS", "occurred_at": "2025-05-01",
         "type": "text", "victim_ids": [f"H-V-{i}"], "description": s},
        {"kind": "incident", "id": f"H-I-{i}-refs", "source": "HOS", "occurred_at": s, "reported_at": s,
         "type": "call", "offender_ids": [s], "victim_ids": [s], "breached_order_ids": [s]},
        {"kind": "incident", "id": f"H-I-{i}-used", "source": "HOS", "occurred_at": "2025-05-02", "type": "visit",
         "victim_ids": [f"H-V-{i}"], "identifiers_used": {"phones": [s], "emails": [s], "vehicles": [s],
                                                           "handles": [{"platform": "x", "handle": s}]}},
        {"kind": "incident", "id": f"H-I-{i}-enum", "source": "HOS", "occurred_at": "2025-05-03", "type": s,
         "outcome": s, "victim_ids": [f"H-V-{i}"]},
        {"kind": "order", "id": f"H-O-{i}", "source": "HOS", "type": "injunction", "issued_on": "2025-01-01",
         "respondent_id": f"H-R-{i}", "protected_ids": [f"H-V-{i}"], "conditions": s},
        {"kind": "order", "id": f"H-O-{i}-refs", "source": "HOS", "type": s, "issued_on": s, "expires_on": s,
         "respondent_id": s, "protected_ids": [s]},
        {s: s, "kind": "person", "id": f"H-P-{i}-key", "source": "HOS", "family_name": "Key"},
    ]


def _valid(record: dict[str, Any]) -> Any:
    try:
        return parse_record(record)
    except RecordError:
        return None


def test_hostile_record_fields_write_exactly_what_loading_writes(world, neo4j_env, tmp_path, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    """Every record field, through POST /records and then through ``graphsvc load``.

    Per corpus string: all its records in one request (any invalid one: 422 naming exactly the
    invalid ones; after all of them the graph is unchanged), then the valid ones alone (200). The API's graph
    must equal the loader's graph of base + accepted records, and the loader must reject
    exactly the records the API refused."""
    db: Database = world["db"]
    client = world["client"]
    writer = hdr(world["keys"]["case_system"], purpose=None)
    base = register(12, seed=3)
    accepted: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    before = fingerprint(db)
    corpus = [(cls, s, hostile_records(i, s)) for i, (cls, s) in enumerate(strings())]
    # 1. Every string's records in one request: any invalid record refuses the whole request.
    for cls, s, records in corpus:
        valid = [r for r in records if _valid(r) is not None]
        invalid = [r for r in records if _valid(r) is None]
        accepted += valid
        refused += invalid
        if not invalid:
            continue
        what = f"{cls} {s[:40]!r}"
        response = client.post("/api/v1/records", json=records, headers=writer)
        safe(response, {422}, "mixed batch " + what)
        faulty = {e["index"] for e in response.get_json()["errors"]}
        assert faulty == {k for k, r in enumerate(records) if _valid(r) is None}, what
    assert fingerprint(db) == before, "a refused request changed the graph"
    # 2. The valid ones alone are accepted.
    for cls, s, records in corpus:
        valid = [r for r in records if _valid(r) is not None]
        if valid:
            response = client.post("/api/v1/records", json=valid, headers=writer)
            assert safe(response, {200}, f"valid batch {cls} {s[:40]!r}") == 200
            assert response.get_json()["accepted"] == len(valid)
    assert accepted and refused
    # The text was stored as validated, not interpreted: round-trip of names and descriptions.
    for record in accepted:
        model: Any = parse_record(record)
        if record["id"].endswith("-names"):
            row = db.execute("MATCH (p:Person {id: $id}) RETURN p.given_name AS g, p.aliases AS a", id=record["id"])
            assert row == [{"g": model.given_name, "a": list(model.aliases)}]
        if record["id"].endswith("-text"):
            row = db.execute("MATCH (i:Incident {id: $id}) RETURN i.description AS d", id=record["id"])
            assert row == [{"d": model.description}]
    api_graph = fingerprint(db)

    # The same records through the command-line loader into an emptied register.
    db.execute("MATCH (n) WHERE NOT (n:ApiKey OR n:AuditEntry OR n:AuditHead) DETACH DELETE n")
    path = tmp_path / "hostile.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for record in [*base, *accepted, *refused]:
            handle.write(json.dumps(record, ensure_ascii=True) + "\n")
    rejects = tmp_path / "rejects.jsonl"
    result = runner.invoke(cli_main, ["load", str(path), "--rejects", str(rejects), "--no-progress", "--no-resolve"],
                                env=neo4j_env)
    assert result.exit_code == 1, result.output  # 1: something was rejected
    assert not leaks(result.output)
    rejected_lines = {json.loads(line)["line"] for line in rejects.read_text(encoding="utf-8").split("\n") if line}
    first_refused = len(base) + len(accepted) + 1
    assert rejected_lines == set(range(first_refused, first_refused + len(refused)))
    assert fingerprint(db) == api_graph
    assert audit.verify(db).ok


# -- ids in paths, search text, the check ----------------------------------------------------
_VARIABLE = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def test_hostile_ids_in_every_path_variable(world) -> None:  # type: ignore[no-untyped-def]
    """Every API route with a path variable (persons, keys, identity links, whatever exists when
    the test runs), every method, the corpus in each variable in turn: never a success, never
    a 5xx, nothing changed."""
    db: Database = world["db"]
    client = world["client"]
    headers = hdr(world["keys"]["admin"])  # admin holds every permission: the id is what is tested
    rules = [r for r in world["app"].url_map.iter_rules() if r.rule.startswith("/api/v1/") and r.arguments]
    assert any(r.rule == "/api/v1/persons/<id>" for r in rules), "no person route in the app"
    before = fingerprint(db)
    for rule in rules:
        names = _VARIABLE.findall(rule.rule)
        for target in names:
            for cls, s in strings():
                path = _VARIABLE.sub(lambda m: path_part(s) if m.group(1) == target else BASE_PERSON, rule.rule)
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                    response = client.open(path, method=method, headers=headers)
                    status = safe(response, {308, 400, 404, 405, 409, 415, 422},
                                  f"{method} {rule.rule} {target}={cls} {s[:40]!r}")
                    if status == 308:  # werkzeug merges "//" in a path and redirects on this host
                        assert response.headers["Location"].startswith("http://localhost/api/v1/")
    assert fingerprint(db) == before


def test_hostile_search_text_and_check_subjects(world) -> None:  # type: ignore[no-untyped-def]
    db: Database = world["db"]
    client, key = world["client"], world["keys"]["investigator"]
    before = fingerprint(db)
    rules = {r.rule for r in world["app"].url_map.iter_rules()}
    assert "/api/v1/search" in rules or "/api/v1/check" in rules
    for cls, s in strings():
        what = f"{cls} {s[:40]!r}"
        if "/api/v1/search" in rules:
            url = "/api/v1/search?" + urlencode({"q": s}, errors="surrogatepass")
            safe(client.get(url, headers=hdr(key)), {200, 400}, "search " + what)
        if "/api/v1/check" in rules:
            subjects = [
                {"given_name": s, "family_name": s, "aliases": [s]},
                {"phones": [s], "emails": [s], "vehicles": [s], "handles": [{"platform": s, "handle": s}]},
                {"family_name": "Marsh", "addresses": [{"line1": s, "town": s, "postcode": s}], "gender": s},
            ]
            for subject in subjects:
                response = client.post("/api/v1/check", json={"subject": subject}, headers=hdr(key))
                safe(response, {200, 400, 422}, "check " + what)
            response = client.post("/api/v1/check", json={"subject": {"family_name": "Marsh"}, "complainant_id": s},
                                   headers=hdr(key))
            safe(response, {200, 400, 422}, "check complainant " + what)
    assert fingerprint(db) == before
    assert audit.verify(db).ok


# -- headers ---------------------------------------------------------------------------------
def test_hostile_headers(world) -> None:  # type: ignore[no-untyped-def]
    db: Database = world["db"]
    client, key = world["client"], world["keys"]["investigator"]
    before = fingerprint(db)
    probe = "/api/v1/audit"  # exists from the first API commit; read routes may not
    admin = world["keys"]["admin"]
    read_rules = {r.rule for r in world["app"].url_map.iter_rules()}
    purposed = "/api/v1/search?q=Marsh" if "/api/v1/search" in read_rules else None
    for cls, s in strings():
        if not sendable_in_header(s):
            continue
        value = as_header(s)
        what = f"{cls} {s[:40]!r}"
        # Authorization: any hostile token is 401 (never a 5xx, never accepted).
        for auth_value in (value, f"Bearer {value}", f"Bearer gsk_{value}", f"bearer {value} {value}"):
            safe(client.get(probe, headers={"Authorization": auth_value}), {401}, "authorization " + what)
        # X-Request-Id: echoed only when it is a sane token, else replaced by a fresh one.
        response = client.get(probe, headers={"Authorization": f"Bearer {admin}", "X-Request-Id": value})
        safe(response, {200}, "request id " + what)
        echoed = response.headers["X-Request-Id"]
        assert echoed == value or (len(echoed) == 32 and all(c in "0123456789abcdef" for c in echoed)), what
        # X-Purpose: accepted (and audited as sent) or 400, never more.
        if purposed:
            response = client.get(purposed, headers=hdr(key, purpose=value))
            status = safe(response, {200, 400}, "purpose " + what)
            if status == 200:
                entry = audit.find_entries(db, limit=1)[0]
                assert entry["purpose"] == value.strip()
    assert fingerprint(db) == before
    assert audit.verify(db).ok


# -- query parameters ------------------------------------------------------------------------
QUERY_ROUTES: dict[str, tuple[str, ...]] = {
    "/api/v1/patterns/serial": ("limit", "cursor", "min_victims", "agency", "since", "until"),
    "/api/v1/patterns/unidentified": ("limit", "cursor"),
    "/api/v1/search?q=Marsh": ("limit",),
    f"/api/v1/persons/{BASE_PERSON}/network": ("depth", "format"),
    "/api/v1/audit": ("limit", "cursor", "actor", "action", "person_id", "since", "until"),
}


FREE_TEXT_PARAMS = {"cursor", "agency", "actor", "person_id"}


def test_hostile_query_parameters(world) -> None:  # type: ignore[no-untyped-def]
    db: Database = world["db"]
    client = world["client"]
    rules = {r.rule for r in world["app"].url_map.iter_rules()}
    before = fingerprint(db)
    every = strings(include_long=False) + cursors() + [("long", "9" * 400), ("long", "x" * 600)]
    # Typed parameters (numbers, dates, enums) are refused by their parser whatever the text:
    # a few strings of each class suffice there; free-text parameters get the whole corpus.
    sample: list[tuple[str, str]] = []
    for cls, s in every:
        if sum(1 for c, _ in sample if c == cls) < 4:
            sample.append((cls, s))
    checked = 0
    for route, params in QUERY_ROUTES.items():
        rule = route.split("?")[0].replace(BASE_PERSON, "<id>")
        if rule not in rules:
            continue
        key = world["keys"]["admin"]
        for name in params:
            for cls, s in (every if name in FREE_TEXT_PARAMS else sample):
                sep = "&" if "?" in route else "?"
                url = route + sep + urlencode({name: s}, errors="surrogatepass")
                response = client.get(url, headers=hdr(key))
                status = safe(response, None, f"{route} {name}={cls} {s[:40]!r}")
                if name == "cursor" and cls == "cursor":
                    # a crafted cursor is refused, or (well-typed keys past the end) an ordinary page
                    assert status in {200, 400, 422}, f"{route} cursor {s!r}: {status}"
                    if status == 200:
                        assert "next_cursor" in response.get_json(), f"{route} cursor {s!r}"
                checked += 1
            # the parameter given twice
            url = route + ("&" if "?" in route else "?") + urlencode([(name, "1"), (name, "2")])
            safe(client.get(url, headers=hdr(key)), None, f"{route} {name} twice")
    assert checked > 0
    assert fingerprint(db) == before
    assert audit.verify(db).ok
