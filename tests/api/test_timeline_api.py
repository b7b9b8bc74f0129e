"""GET /persons/{id}/timeline (issue #17): the json answer over HTTP, its roles, audit and
documented format enum; svg and png refused with a clear 400 until the export exists."""

from __future__ import annotations

import json

from graphsvc.security import keys as auth
from tests.analysis_records import incident, order, person
from tests.audited_reads import audited, investigator


def _register(db, load) -> None:  # type: ignore[no-untyped-def]
    load([person("SO", "Sean", "Orr"), person("V1", "Ann", "One"), person("V2A", "Bea", "Two"),
          person("V2B", "Bea", "Two", source="MPS"),
          incident("I1", 0, "call", ["SO"], ["V1"]), incident("I2", "2024-08-22T00:55:00", "visit", ["SO"], ["V2A"]),
          incident("I3", 10, "text", ["SO"], ["V2B"], source="MPS"), incident("I4", 300, "threat", ["SO"], ["V1"]),
          order("O1", "SO", ["V1"], 100)])
    db.execute("MATCH (a:Person {id: 'V2A'}), (b:Person {id: 'V2B'}) "
               "CREATE (a)-[:POSSIBLY_SAME_AS {probability: 0.96, status: 'proposed', evidence: $e}]->(b)",
               e=json.dumps({"shared": ["name"]}))


def test_the_timeline_answers_one_row_per_distinct_victim(client, db, load) -> None:  # type: ignore[no-untyped-def]
    _register(db, load)
    h = investigator(db, "OP-TIMELINE")
    r = client.get("/api/v1/persons/SO/timeline", headers=h)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert [row["victim_id"] for row in body["rows"]] == ["V1", "V2A"]  # by first contact
    v1, v2 = body["rows"]
    assert v1["label"] == "Ann One" and v1["source"] == "WMP"
    assert [i["id"] for i in v1["incidents"]] == ["I1", "I4"]
    # I4 happened while O1 (protecting V1) was in force: a breach of O1
    assert v1["incidents"][1]["breach"] is True and v1["incidents"][1]["order_id"] == "O1"
    assert v1["incidents"][1]["severity"] == body["severity_scale"]["threat"]
    assert v1["incidents"][0]["occurred_precision"] == "date" and v1["incidents"][0]["occurred_at"] == "2024-01-01"
    assert v2["record_ids"] == ["V2A", "V2B"] and v2["proposed"] is True
    assert [i["id"] for i in v2["incidents"]] == ["I3", "I2"]
    assert v2["incidents"][1]["occurred_precision"] == "datetime"
    assert body["breaches"] == ["I4"]
    assert [o["id"] for o in body["orders"]] == ["O1"] and body["orders"][0]["protected_ids"] == ["V1"]
    assert body["range"]["start"] == "2024-01-01" and body["range"]["end"] == "2024-10-27"
    assert body["victim_count"] == 2 and "V2A" in body["victim_count_note"]
    # the same victims and counts as fixation
    fix = client.get("/api/v1/persons/SO/fixation", headers=h).get_json()
    assert [v["victim_id"] for v in fix["victims"]] == [row["victim_id"] for row in body["rows"]]
    assert [v["incident_count"] for v in fix["victims"]] == [len(row["incidents"]) for row in body["rows"]]
    # audited as a consultation naming the person and the victims
    mine = audited(client, db, "V2B", "/api/v1/persons/SO/timeline")
    assert len(mine) == 1 and mine[0]["action"] == "consultation" and mine[0]["purpose"] == "OP-TIMELINE"
    assert {"SO", "V1", "V2A", "V2B"} <= set(mine[0]["person_ids"])


def test_the_timeline_refuses_what_it_cannot_answer(client, db, load) -> None:  # type: ignore[no-untyped-def]
    _register(db, load)
    h = investigator(db, "OP-TIMELINE")
    key = h["Authorization"].split()[1]
    for fmt in ("svg", "png"):
        r = client.get(f"/api/v1/persons/SO/timeline?format={fmt}", headers=h)
        assert r.status_code == 400 and "not yet" in r.get_json()["error"]["message"]
    assert client.get("/api/v1/persons/SO/timeline?format=pdf", headers=h).status_code in (400, 422)
    assert client.get("/api/v1/persons/NOPE/timeline", headers=h).status_code == 404
    assert client.get("/api/v1/persons/SO/timeline", headers={"Authorization": f"Bearer {key}"}).status_code == 400
    assert client.get("/api/v1/persons/SO/timeline").status_code == 401
    case = auth.create_key(db, role="case_system", name="timeline-case")[0]
    assert client.get("/api/v1/persons/SO/timeline", headers={"Authorization": f"Bearer {case}",
                                                              "X-Purpose": "x"}).status_code == 403
    spec = client.get("/api/v1/openapi.json").get_json()
    params = spec["paths"]["/persons/{id}/timeline"]["get"]["parameters"]
    fmt = next(p for p in params if p["name"] == "format")
    assert fmt["schema"]["enum"] == ["json", "svg", "png"] and fmt["schema"]["default"] == "json"
