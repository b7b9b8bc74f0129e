"""The permission matrix of contract section 5, generated from the app's URL map.

Every guarded endpoint is asked by every role, as a key of the owning agency (GMP), of another
agency (MPS) and as a national key, about records of each owner: GMP's offender and victim,
MPS's victim (the two-agency register of tests/need_to_know.py). Every answer is parsed (JSON
as written and decoded, every export format, a zip's members) and searched for the planted
secrets of the agency the key does not act for; paginated lists are followed to their last
page. The target is 0 leaks. The same run checks each answer's status against the role's
permissions, and that the owner's keys do find the secrets (so the search could fail).

A route added later is in the matrix without a change here: its path variables are filled
with the persons above and it is asked with no query, so it must at least keep the rule.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any
from urllib.parse import quote

import pytest

from graphsvc.security import keys as auth
from graphsvc.security.policy import Permission, Role, allowed
from tests.need_to_know import CHECKS, MPS_SECRETS, SECRETS, answer_text, headers, register

PUBLIC = {"/api/v1/health", "/api/v1/ready", "/api/v1/openapi.json"}
AGENCIES = {"GMP": "GMP", "MPS": "MPS", "national": None}
FORBIDDEN = {"GMP": MPS_SECRETS, "MPS": SECRETS, "national": ()}  # what each key must never read
PERSONS = ("DM", "G-V1", "M-V1")  # GMP's offender, GMP's victim, MPS's victim
SEARCHES = ("Marsh", "Quillane", "Hesper Quillane", "07700900555", "hesper.q@example.org", "Secretary Lane",
            "Plumtree", "Maya Plumtree", "SECRET-GMP-DESCRIPTION")
FORMATS = ("cytoscape", "graphml", "gexf", "anx", "csv", "html")

# per route: the path variables' values and the queries to ask (a route not named: the persons, no query)
VARIABLES: dict[str, tuple[str, ...]] = {"id": PERSONS, "key_id": ("0123456789abcdef",), "a": ("G-V1",), "b": ("M-V1",),
                                         "alert_id": ("ALERT-00000000000000000000",),
                                         "subscription_id": ("SUB-00000000000000000000",),
                                         "person_id": PERSONS, "registration_id": ("GMP-REG-1",)}
QUERIES: dict[str, list[str]] = {
    "/api/v1/persons/<id>/network": ["?depth=1"] + [f"?depth=2&format={f}" for f in FORMATS],
    "/api/v1/persons/<id>/timeline": ["", "?format=svg"],
    "/api/v1/search": [f"?q={quote(q)}&limit=1" for q in SEARCHES],
    "/api/v1/links": ["?limit=1", "?person_id=G-V1&limit=1"],
    "/api/v1/patterns/serial": ["?min_victims=2&limit=1"],
    "/api/v1/patterns/unidentified": ["?limit=1"],
    "/api/v1/audit": ["?limit=50"],
    "/api/v1/register/overdue": ["?limit=1", "?agency=GMP&limit=1", "?agency=MPS&limit=1"],
}
BODIES: dict[str, list[Any]] = {
    "/api/v1/check": CHECKS,
    "/api/v1/records": [[]],
    "/api/v1/keys": [{"name": "matrix-new", "role": "case_system"}],
    "/api/v1/subscriptions": [{"url": "http://127.0.0.1:9/matrix", "secret": "matrix-secret-0123456789",
                               "rules": ["new_victim", "serial", "order_subject_named"]}],
    "/api/v1/alerts/<alert_id>/ack": [{"note": "matrix"}],
    # to the agency managing it already (409): the matrix must not move it
    "/api/v1/register/registrations/<registration_id>/transfer": [{"to": "GMP", "reason": "matrix"}],
    **{f"/api/v1/links/<a>/<b>/{d}": [{"reason": "matrix"}] for d in ("confirm", "reject", "undo")},
}
_VARIABLE = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def requests_of(app: Any) -> list[tuple[str, str, str, Any, Any]]:
    """(rule, method, path with its query, body, view) for every guarded API route."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule in PUBLIC:
            continue
        names = _VARIABLE.findall(rule.rule)
        for values in itertools.product(*(VARIABLES.get(n, PERSONS) for n in names)):
            path = rule.rule
            for value in values:
                path = _VARIABLE.sub(value, path, count=1)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                for query in QUERIES.get(rule.rule, [""]):
                    for body in BODIES.get(rule.rule, [None]) if method == "POST" else [None]:
                        out.append((rule.rule, method, path + query, body, app.view_functions[rule.endpoint]))
    return out


def _pages(client: Any, method: str, path: str, body: Any, key: str) -> list[Any]:
    """The answer, and for a paginated list every further page."""
    responses = [client.open(path, method=method, json=body, headers=headers(key))]
    while method == "GET" and responses[-1].status_code == 200 and responses[-1].mimetype == "application/json":
        cursor = (responses[-1].get_json() or {}).get("next_cursor")
        if not cursor or len(responses) > 50:
            break
        responses.append(client.get(f"{path}&cursor={quote(cursor)}", headers=headers(key)))
    return responses


def _readable(rule: str, response: Any, agency: str | None) -> str:
    """The text to search. In the audit log a key's own agency's entries keep what its officers
    typed (a search for another agency's victim's name is theirs, not a disclosure): those
    entries' queries are left out; every other entry is searched whole."""
    if rule == "/api/v1/audit" and response.status_code == 200 and agency is not None:
        body = response.get_json()
        for entry in body.get("entries", []):
            if entry.get("actor_agency") == agency:
                entry.pop("query", None)
        return json.dumps(body, ensure_ascii=False)
    return answer_text(response)


def _acts_on_another_agency(rule: str, path: str, agency: str | None) -> bool:
    if agency is None:
        return False
    if rule == "/api/v1/register/overdue":
        return "agency=" in path and f"agency={agency}" not in path
    return rule == "/api/v1/register/registrations/<registration_id>/transfer" and agency != "GMP"


@pytest.fixture
def matrix(app, db, load) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    load(register())
    made = {(role.value, name): auth.create_key(db, role=role.value, name=f"matrix-{role.value}-{name}",
                                                agency=agency)[0]
            for role in Role for name, agency in AGENCIES.items()}
    return {"keys": made, "requests": requests_of(app)}


def test_every_endpoint_role_and_agency_keeps_the_other_agencys_victims_withheld(client, matrix) -> None:  # type: ignore[no-untyped-def]
    requests, keys = matrix["requests"], matrix["keys"]
    assert {r[0] for r in requests} >= {"/api/v1/persons/<id>/network", "/api/v1/check", "/api/v1/search"}
    # the audit log first holds every key's searches for both agencies' secrets
    for (role, name), key in keys.items():
        if allowed(role, Permission.READ):
            for q in SEARCHES:
                assert client.get(f"/api/v1/search?q={quote(q)}", headers=headers(key)).status_code == 200
    leaks: list[tuple[str, str, str, str]] = []
    wrong: list[tuple[str, str, str, str, int]] = []
    found: dict[str, str] = {name: "" for name in AGENCIES}
    asked = 0
    for (role, name), key in keys.items():
        for rule, method, path, body, view in requests:
            if rule == "/api/v1/keys" and method == "POST":
                body = {**body, "name": f"matrix-new-{role}-{name}"}
            responses = _pages(client, method, path, body, key)
            asked += len(responses)
            status = responses[0].status_code
            if not allowed(role, view.required_permission):
                if status != 403:
                    wrong.append((role, name, method, path, status))
            elif status == 403 and _acts_on_another_agency(rule, path, AGENCIES[name]):
                pass  # an agency's key may act only on its own agency's worklist and registrations
            elif status not in ({200, 404} if method == "GET" else {200, 201, 204, 404, 409, 422}):
                wrong.append((role, name, method, path, status))
            for response in responses:
                text = _readable(rule, response, AGENCIES[name]).lower()
                leaks += [(role, name, path, s) for s in FORBIDDEN[name] if s.lower() in text]
                if role in ("investigator", "admin"):
                    found[name] += text
    assert wrong == [], "\n".join(map(str, wrong))
    assert leaks == [], "\n".join(map(str, leaks))
    assert asked > 500
    # the search could fail: the owner's keys read its secrets, national keys both agencies'
    assert [s for s in SECRETS if s.lower() not in found["GMP"]] == []
    assert [s for s in MPS_SECRETS if s.lower() not in found["MPS"]] == []
    assert [s for s in SECRETS + MPS_SECRETS if s.lower() not in found["national"]] == []
