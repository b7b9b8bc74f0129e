"""The review schedule and the holds as pure rules (graphsvc.analysis.retention)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graphsvc.analysis.retention import DEFAULT_SCHEDULE, KINDS, add_years, holds, load_schedule

TODAY = dt.date(2026, 12, 6)


def test_the_default_schedule_has_a_sourced_row_for_every_kind_and_holds_public_protection_longest() -> None:
    s = load_schedule()
    assert all(p.source for p in s.periods)
    years = {k: s.period(k).years for k in KINDS}
    assert years["order"] == years["registration"] == years["notification"] == 10
    assert s.period("incident", "convicted").years == 10 and s.period("incident", "reported").years == 6
    assert s.period("incident", None).years == 6
    assert min(p.group for p in s.periods if p.kind in ("order", "registration")) == 1
    assert s.scheduled("order", {"issued_on": dt.date(2020, 1, 1), "expires_on": None}) == dt.date(2030, 1, 1)
    assert s.scheduled("registration", {"start_on": dt.date(2020, 1, 1), "end_on": dt.date(2022, 5, 1)}) == \
        dt.date(2032, 5, 1)


def test_add_years_moves_29_february_to_the_28th() -> None:
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)


@pytest.mark.parametrize("row, message", [
    ("alert,*,1,10,x", "kind 'alert'"),
    ("order,convicted,1,10,x", "outcome 'convicted'"),
    ("order,*,4,10,x", "group is 1-3"),
    ("order,*,1,0,x", "years 1-100"),
    ("order,*,1,ten,x", "whole numbers"),
])
def test_a_bad_schedule_row_is_named_by_line_and_field(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "s.csv"
    path.write_text(DEFAULT_SCHEDULE.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        load_schedule(path)
    assert f":{len(path.read_text().splitlines())}:" in str(err.value)


def test_a_schedule_without_a_kinds_default_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\n".join(line for line in DEFAULT_SCHEDULE.read_text(encoding="utf-8").splitlines()
                              if not line.startswith("order,")) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no '\\*' row for order"):
        load_schedule(path)


def test_holds() -> None:
    live = {"id": "O-1", "issued_on": dt.date(2020, 1, 1), "expires_on": None}
    ended = {"id": "O-2", "issued_on": dt.date(2010, 1, 1), "expires_on": dt.date(2011, 1, 1)}
    assert [h["code"] for h in holds("order", {"orders": [live]}, TODAY, 2)] == ["ORDER_IN_FORCE"]
    assert holds("order", {"orders": [ended]}, TODAY, 2) == []
    reg = {"id": "R-1", "start_on": dt.date(2020, 1, 1), "end_on": TODAY}
    assert holds("person", {"registrations": [reg]}, TODAY, 2)[0]["evidence"] == ["R-1"]
    assert holds("person", {"registrations": [{**reg, "end_on": TODAY - dt.timedelta(days=1)}]}, TODAY, 2) == []
    counts = [{"person_id": "B", "victims": 3}, {"person_id": "A", "victims": 1}]
    found = holds("incident", {"victim_counts": counts}, TODAY, 2)
    assert [(h["code"], h["evidence"]) for h in found] == [("PUBLIC_PROTECTION", ["B"])]
