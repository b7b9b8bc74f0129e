"""The register's rules (graphsvc.analysis.register): each duty's last day, with the day before,
the day of and the day after; the flags and their evidence; the postcode-area table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from graphsvc.analysis.register import (
    Periods,
    add_months,
    due_duty,
    duties,
    load_areas,
    name_keys_of,
    postcode_area,
    register_flags,
    transfer_proposal,
)
from graphsvc.synthetic.params import FORCES

D = dt.date
P = Periods()


def reg(**kw: Any) -> dict[str, Any]:
    return {"id": "REG-1", "basis": "order", "start_on": D(2025, 3, 10), "end_on": None, **kw}


def note(nid: str, on: dt.date, type_: str = "initial", changed_on: dt.date | None = None) -> dict[str, Any]:
    return {"id": nid, "type": type_, "notified_on": on, "changed_on": changed_on}


def duty(kind: str, registration: dict[str, Any], notes: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    found = [d for d in duties(registration, notes, P, today) if d["kind"] == kind]
    assert len(found) == 1, found
    return found[0]


# -- the initial notification: within 3 days beginning with the day of service ----------------
@pytest.mark.parametrize("notified, late", [(D(2025, 3, 10), False), (D(2025, 3, 12), False),
                                            (D(2025, 3, 13), True)])
def test_the_initial_notification_is_due_by_the_third_day_counting_the_day_of_service(notified: dt.date,
                                                                                       late: bool) -> None:
    d = duty("initial", reg(), [note("N-1", notified)], D(2025, 4, 1))
    assert d["due_on"] == D(2025, 3, 12)
    assert (d["met_on"], d["late"], d["overdue"], d["evidence"]) == (notified, late, False, ["N-1"])


@pytest.mark.parametrize("today, overdue", [(D(2025, 3, 11), False), (D(2025, 3, 12), False),
                                            (D(2025, 3, 13), True)])
def test_an_initial_notification_not_made_is_overdue_from_the_day_after_its_last_day(today: dt.date,
                                                                                    overdue: bool) -> None:
    d = duty("initial", reg(), [], today)
    assert (d["met_on"], d["overdue"], d["evidence"]) == (None, overdue, ["REG-1"])
    assert due_duty(reg(), [], P) == ("initial", D(2025, 3, 12))


def test_a_notification_before_the_registration_or_of_travel_does_not_meet_the_initial_duty() -> None:
    notes = [note("N-0", D(2025, 3, 1)), note("N-T", D(2025, 3, 11), "travel")]
    d = duty("initial", reg(), notes, D(2025, 3, 20))
    assert d["overdue"] and d["met_on"] is None


# -- a changed name or home address: within 3 days beginning with the change ------------------
@pytest.mark.parametrize("notified, late", [(D(2025, 6, 2), False), (D(2025, 6, 3), False), (D(2025, 6, 4), True)])
@pytest.mark.parametrize("kind", ["name", "address"])
def test_a_change_is_due_by_the_third_day_counting_the_day_it_happened(kind: str, notified: dt.date,
                                                                       late: bool) -> None:
    notes = [note("N-1", D(2025, 3, 10)), note("N-2", notified, kind, changed_on=D(2025, 6, 1))]
    d = duty(kind, reg(), notes, D(2025, 7, 1))
    assert (d["due_on"], d["met_on"], d["late"], d["evidence"]) == (D(2025, 6, 3), notified, late, ["N-2"])


def test_a_change_notified_without_its_day_owes_no_change_duty() -> None:
    notes = [note("N-1", D(2025, 3, 10)), note("N-2", D(2025, 6, 4), "address")]
    assert [d["kind"] for d in duties(reg(), notes, P, D(2025, 7, 1))] == ["initial"]


# -- the annual re-notification (conviction basis): before the year from the last one ends ----
@pytest.mark.parametrize("today, overdue", [(D(2026, 3, 10), False), (D(2026, 3, 11), True)])
def test_the_annual_notification_is_due_the_day_before_the_anniversary(today: dt.date, overdue: bool) -> None:
    r = reg(basis="conviction", start_on=D(2025, 3, 10))
    notes = [note("N-1", D(2025, 3, 11))]
    d = duty("annual", r, notes, today)
    # the year beginning with 11 March 2025 ends on 10 March 2026
    assert (d["due_on"], d["overdue"], d["evidence"]) == (D(2026, 3, 10), overdue, ["REG-1"])
    assert due_duty(r, notes, P) == ("annual", D(2026, 3, 10))


@pytest.mark.parametrize("renewed, late", [(D(2026, 3, 9), False), (D(2026, 3, 10), False), (D(2026, 3, 11), True)])
def test_the_annual_notification_is_met_by_the_next_one_and_runs_again_from_it(renewed: dt.date, late: bool) -> None:
    r = reg(basis="conviction")
    notes = [note("N-1", D(2025, 3, 11)), note("N-2", renewed, "annual")]
    annual = [d for d in duties(r, notes, P, D(2026, 6, 1)) if d["kind"] == "annual"]
    assert (annual[0]["met_on"], annual[0]["late"], annual[0]["evidence"]) == (renewed, late, ["N-2"])
    assert annual[1]["due_on"] == add_months(renewed, 12) - dt.timedelta(days=1) and annual[1]["met_on"] is None


def test_any_notification_but_travel_restarts_the_year() -> None:
    r = reg(basis="conviction")
    notes = [note("N-1", D(2025, 3, 11)), note("N-2", D(2025, 9, 1), "address", changed_on=D(2025, 8, 30)),
             note("N-T", D(2025, 12, 1), "travel")]
    assert due_duty(r, notes, P) == ("annual", D(2026, 8, 31))


def test_a_year_from_29_february_ends_on_27_february() -> None:
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    r = reg(basis="conviction", start_on=D(2024, 2, 28))
    assert due_duty(r, [note("N-1", D(2024, 2, 29))], P) == ("annual", D(2025, 2, 27))


def test_an_order_basis_owes_no_annual_notification() -> None:
    assert due_duty(reg(), [note("N-1", D(2025, 3, 10))], P) is None


# -- the end of a registration ----------------------------------------------------------------
@pytest.mark.parametrize("end_on, owed", [(D(2026, 3, 9), False), (D(2026, 3, 10), True), (D(2026, 3, 11), True)])
def test_no_duty_falls_due_after_the_registration_ends(end_on: dt.date, owed: bool) -> None:
    r = reg(basis="conviction", end_on=end_on)
    notes = [note("N-1", D(2025, 3, 11))]
    assert ("annual" in [d["kind"] for d in duties(r, notes, P, D(2026, 6, 1))]) is owed
    assert (due_duty(r, notes, P) is not None) is owed


def test_the_periods_are_configurable() -> None:
    p = Periods(notify_days=7, annual_months=6)
    assert due_duty(reg(), [], p) == ("initial", D(2025, 3, 16))
    assert due_duty(reg(basis="conviction"), [note("N-1", D(2025, 3, 10))], p) == ("annual", D(2025, 9, 9))


# -- the flags ---------------------------------------------------------------------------------
def live(**kw: Any) -> dict[str, Any]:
    return {**reg(), "managed_by": "GMP", "manager": "PC 4127", "due_duty": None, "due_on": None, **kw}


def notified(nid: str, names: list[str], home: str | None) -> dict[str, Any]:
    return {"id": nid, "name_keys": [k for n in names for k in name_keys_of(n, None)], "home_key": home}


def record(rid: str, given: str, family: str, addresses: list[str], aliases: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": rid, "name_keys": name_keys_of(given, family, aliases), "address_keys": addresses}


@pytest.mark.parametrize("today, registered", [(D(2025, 3, 9), False), (D(2025, 3, 10), True),
                                               (D(2026, 1, 31), True), (D(2026, 2, 1), False)])
def test_registered_while_in_force_naming_the_managing_agency(today: dt.date, registered: bool) -> None:
    flags = register_flags([live(end_on=D(2026, 1, 31))], [], [], today)
    assert bool(flags) is registered
    if registered:
        assert flags[0]["code"] == "REGISTERED" and flags[0]["evidence"] == ["REG-1"]
        assert "managed by GMP (PC 4127)" in flags[0]["message"]


@pytest.mark.parametrize("today, overdue", [(D(2025, 3, 12), False), (D(2025, 3, 13), True)])
def test_notification_overdue_from_the_day_after_the_kept_due_day(today: dt.date, overdue: bool) -> None:
    flags = register_flags([live(due_duty="initial", due_on=D(2025, 3, 12))], [], [], today)
    codes = [f["code"] for f in flags]
    assert ("NOTIFICATION_OVERDUE" in codes) is overdue
    if overdue:
        f = flags[codes.index("NOTIFICATION_OVERDUE")]
        assert f["evidence"] == ["REG-1"] and "initial notification due by 2025-03-12, 1 day(s) overdue" in f["message"]


def test_unnotified_address_names_the_records_giving_what_he_has_not_notified() -> None:
    notes = [notified("N-1", ["Daniel Marsh", "Danny Marsh"], "1 kiln row|salford|m5 4wt")]
    records = [record("GMP-P", "Daniel", "Marsh", ["1 kiln row|salford|m5 4wt"], ("Danny Marsh",)),
               record("WYP-P", "Daniel", "Marsh", ["7 mill lane|leeds|ls6 2qt"]),  # another force's: new home
               record("MPS-P", "Dan", "Marsh", [])]  # a name he never notified
    flags = register_flags([live()], notes, records, D(2025, 6, 1))
    f = next(f for f in flags if f["code"] == "UNNOTIFIED_ADDRESS")
    assert f["evidence"] == ["MPS-P", "WYP-P"]
    assert "home address he has not notified (1 record(s))" in f["message"]
    assert "name he has not notified (1 record(s))" in f["message"]


def test_no_unnotified_address_when_every_record_agrees_or_nothing_is_notified_yet() -> None:
    records = [record("GMP-P", "Daniel", "Marsh", ["1 kiln row|salford|m5 4wt"])]
    agreeing = [notified("N-1", ["Daniel Marsh"], "1 kiln row|salford|m5 4wt")]
    assert [f["code"] for f in register_flags([live()], agreeing, records, D(2025, 6, 1))] == ["REGISTERED"]
    assert [f["code"] for f in register_flags([live()], [], records, D(2025, 6, 1))] == ["REGISTERED"]


def test_an_ended_registration_raises_no_flag() -> None:
    records = [record("WYP-P", "Daniel", "Marsh", ["7 mill lane|leeds|ls6 2qt"])]
    ended = live(end_on=D(2025, 5, 1), due_duty="initial", due_on=D(2025, 3, 12))
    assert register_flags([ended], [notified("N-1", ["Daniel Marsh"], "x")], records, D(2025, 6, 1)) == []


# -- moving: the postcode-area table -----------------------------------------------------------
def test_the_default_table_is_the_synthetic_forces_areas() -> None:
    table = load_areas(None)
    expected = {area: force for force, (_w, _towns, areas, *_rest) in FORCES.items() for area in areas}
    assert table == expected


def test_a_home_in_another_forces_area_proposes_a_transfer_with_its_evidence() -> None:
    areas = {"LS": "WYP", "M": "GMP"}
    assert postcode_area("ls6 2qt") == "LS" and postcode_area("M5 4WT") == "M" and postcode_area("not one") is None
    assert transfer_proposal("GMP", {"id": "N-2", "home_postcode": "LS6 2QT"}, areas) == {
        "notification_id": "N-2", "to": "WYP", "postcode_area": "LS", "evidence": ["N-2"]}
    assert transfer_proposal("GMP", {"id": "N-2", "home_postcode": "M5 4WT"}, areas) is None
    assert transfer_proposal("GMP", {"id": "N-2", "home_postcode": "ZZ1 1ZZ"}, areas) is None


@pytest.mark.parametrize("text, line", [("area,agency\nLS,WYP\nLS,NYP\n", "row 3"), ("area,agency\nL5,WYP\n", "row 2")])
def test_a_bad_table_is_refused_naming_its_row(tmp_path: Path, text: str, line: str) -> None:
    path = tmp_path / "areas.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=line):
        load_areas(path)
