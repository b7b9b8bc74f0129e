"""Dates in the future are refused on every path a record enters by (issue #17, defect 9): a
date or date-time past now plus ``loaders.times.FUTURE_TOLERANCE`` (one day) in occurred_at,
reported_at, an order's issued_on or a person's dob, with the usual rejected-record report.
These tests use the real clock (the tolerance's edge, with an injected one, is in
tests/unit/test_time_units.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from click.testing import CliRunner

from graphsvc.cli import main
from loaders.times import today

LATER = (today() + dt.timedelta(days=300)).isoformat()  # e.g. 2027-09-29, loaded on 2026-12-03
SOON = (today() + dt.timedelta(days=3)).isoformat()

PERSON = {"kind": "person", "id": "F-P-1", "source": "TST", "given_name": "Dan", "family_name": "Marsh"}
VICTIM = {"kind": "person", "id": "F-P-2", "source": "TST", "given_name": "Amy", "family_name": "Hale"}
PAST = {"kind": "incident", "id": "F-I-1", "source": "TST", "occurred_at": "2026-03-01T21:15:00", "type": "text",
        "offender_ids": ["F-P-1"], "victim_ids": ["F-P-2"]}
FUTURE = {**PAST, "id": "F-I-2", "occurred_at": LATER}
REPORTED_LATER = {**PAST, "id": "F-I-3", "reported_at": f"{LATER}T09:00:00Z"}
ORDER = {"kind": "order", "id": "F-O-1", "source": "TST", "type": "restraining_order", "issued_on": SOON,
         "respondent_id": "F-P-1", "protected_ids": ["F-P-2"]}
UNBORN = {"kind": "person", "id": "F-P-3", "source": "TST", "given_name": "Cy", "dob": SOON}
IN_FORCE = {**ORDER, "id": "F-O-2", "issued_on": "2026-01-05", "expires_on": LATER}  # a future expiry is fine


def _ids(db: Any) -> set[str]:  # type: ignore[no-untyped-def]
    return {r["id"] for r in db.execute("MATCH (n) WHERE n:Person OR n:Incident OR n:Order RETURN n.id AS id")}


def _load(runner: CliRunner, env: dict[str, str], path: Any, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["load", str(path), "--no-resolve", *extra], env=env)


def test_load_jsonl_rejects_future_dates_and_names_line_id_and_field(db, write_jsonl, neo4j_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl([PERSON, VICTIM, PAST, FUTURE, REPORTED_LATER, ORDER, UNBORN, IN_FORCE])
    rejects = tmp_path / "rejects.jsonl"
    result = _load(CliRunner(), neo4j_env, path, "--rejects", str(rejects))
    assert result.exit_code == 1, result.output
    faults = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [(f["line"], f["id"], f["field"]) for f in faults] == [
        (4, "F-I-2", "occurred_at"), (5, "F-I-3", "reported_at"), (6, "F-O-1", "issued_on"), (7, "F-P-3", "dob")]
    assert all(f["message"].startswith("is in the future") for f in faults)
    assert f"{path}:4: id F-I-2: occurred_at: is in the future" in result.stderr
    # the rejected records are not written, not even in part; the others are
    assert _ids(db) == {"F-P-1", "F-P-2", "F-I-1", "F-O-2"}


def test_load_all_or_nothing_writes_nothing(db, write_jsonl, neo4j_env) -> None:  # type: ignore[no-untyped-def]
    result = _load(CliRunner(), neo4j_env, write_jsonl([PERSON, VICTIM, PAST, FUTURE]), "--all-or-nothing")
    assert result.exit_code == 1
    assert "F-I-2: occurred_at: is in the future" in result.stderr
    assert _ids(db) == set()


def test_load_csv_rejects_a_future_incident(db, tmp_path, neo4j_env) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "records.csv"
    path.write_text(
        "kind,id,source,given_name,family_name,occurred_at,type,offender_ids,victim_ids\n"
        "person,P-1,WMP,Jon,Smyth,,,,\n"
        "person,V-1,MPS,Ann,Lee,,,,\n"
        "incident,I-1,MPS,,,2024-03-01T10:00:00Z,call,P-1,V-1\n"
        f"incident,I-2,MPS,,,{LATER},call,P-1,V-1\n",
        encoding="utf-8",
    )
    result = _load(CliRunner(), neo4j_env, path)
    assert result.exit_code == 1, result.output
    assert "id I-2: occurred_at: is in the future" in result.stderr
    assert _ids(db) == {"P-1", "V-1", "I-1"}


def test_post_records_refuses_future_dates_with_422_and_writes_nothing(client, db, keys) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", json=[PERSON, VICTIM, PAST, FUTURE, ORDER, UNBORN],
                           headers={"Authorization": f"Bearer {keys['case_system']}"})
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == "invalid_records"
    assert [(e["index"], e["id"], e["field"]) for e in body["errors"]] == [
        (3, "F-I-2", "occurred_at"), (4, "F-O-1", "issued_on"), (5, "F-P-3", "dob")]  # 0-based positions
    assert all(set(e) == {"index", "id", "field", "message"} for e in body["errors"])
    assert all("is in the future" in e["message"] for e in body["errors"])
    assert _ids(db) == set()
