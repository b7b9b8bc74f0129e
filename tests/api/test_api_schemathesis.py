"""Schemathesis against the served OpenAPI document: no 5xx, no answer that breaks the schema.

Every operation of ``/api/v1/openapi.json`` gets bounded property-based examples (positive:
valid by the schema; negative: invalid by it) sent to the app with an admin key and a purpose,
over a small loaded graph on the real Neo4j. The checks: no server error, only documented
status codes, documented content types and headers, and bodies that match the response schema.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from graphsvc.security import audit
from graphsvc.security import keys as auth
from graphsvc.app import create_app
from graphsvc.graph.db import Database

MAX_EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 8}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

GRAPH = [
    {"kind": "person", "id": "S-O-1", "source": "TST", "given_name": "Daniel", "family_name": "Marsh",
     "dob": "1984-03-02", "phones": ["07700 900123"]},
    {"kind": "person", "id": "S-V-1", "source": "TST", "given_name": "Amy", "family_name": "Hale",
     "emails": ["amy@example.org"]},
    {"kind": "person", "id": "S-V-2", "source": "TST", "given_name": "Beth", "family_name": "Cole"},
    {"kind": "incident", "id": "S-I-1", "source": "TST", "occurred_at": "2025-06-01", "type": "text",
     "offender_ids": ["S-O-1"], "victim_ids": ["S-V-1"], "identifiers_used": {"phones": ["07700 900123"]}},
    {"kind": "incident", "id": "S-I-2", "source": "TST", "occurred_at": "2025-09-01", "type": "visit",
     "offender_ids": ["S-O-1"], "victim_ids": ["S-V-2"]},
    {"kind": "incident", "id": "S-I-3", "source": "TST", "occurred_at": "2025-10-01", "type": "text",
     "victim_ids": ["S-V-2"], "identifiers_used": {"phones": ["07700 900999"]}},
    {"kind": "order", "id": "S-R-1", "source": "TST", "type": "restraining_order", "issued_on": "2025-07-01",
     "respondent_id": "S-O-1", "protected_ids": ["S-V-1"]},
]


@pytest.fixture
def served(neo4j_settings, db: Database, load) -> tuple[Any, dict[str, str]]:  # type: ignore[no-untyped-def]
    load(GRAPH)
    app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings,
                      "RATE_LIMIT_PER_S": 10_000.0, "RATE_LIMIT_BURST": 10_000, "JSON_LOGS": False})
    key = auth.create_key(db, role="admin", name="schemathesis")[0]
    return app, {"Authorization": f"Bearer {key}", "X-Purpose": "OP-SCHEMATHESIS"}


def test_every_operation_keeps_to_the_schema(served, db: Database) -> None:  # type: ignore[no-untyped-def]
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)  # unknown-property chatter
    app, headers = served
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    tried: dict[str, int] = {}
    for operation in operations:
        for mode, examples in MAX_EXAMPLES.items():

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                if operation.path == "/keys/{key_id}" and operation.method.upper() == "DELETE":
                    case.path_parameters = {"key_id": "0123456789abcdef"}  # never revoke our own key
                if operation.method.upper() == "POST" and operation.path == "/keys":
                    return  # creates keys without end; covered in test_api_access
                if "id" in (case.path_parameters or {}) and mode is GenerationMode.POSITIVE:
                    # Every other example asks about people who exist, so 200 answers are checked too.
                    known = ("S-O-1", "S-V-2", None)[tried.get(operation.label, 0) % 3]
                    if known:
                        case.path_parameters["id"] = known
                call_headers = dict(headers)
                call_headers.update({k: v for k, v in (case.headers or {}).items()
                                     if k.lower() not in ("authorization",)})
                case.call_and_validate(headers=call_headers, checks=CHECKS)
                tried[operation.label] = tried.get(operation.label, 0) + 1

            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid (an operation without parameters or body).
                assert mode is GenerationMode.NEGATIVE, operation.label
    print("schemathesis calls per operation:", tried)
    assert len(tried) >= len(operations) - 1, tried
    assert audit.verify(db).ok
