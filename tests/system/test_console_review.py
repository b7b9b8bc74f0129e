"""The console's retention review (issue #22, part 4) in real headless Chromium: an agency's
admin reads the records due for review with what holds each, a page at a time; retains one with
a reason and the next review date; disposes of one after the confirmation that it is erased for
good and sees it gone; a record that came to be held after the page was read is refused (409)
and its holds shown; a key that is not an admin's gets no review view.

The records are small and synthetic, dated from today (Europe/London), under an agency code of
their own (DYP) that the shared synthetic register does not use, so the agency's worklist holds
these only whatever else the graph holds. They are removed at the end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

try:
    from tests.system import console_fixtures as cf
except ImportError:  # tests/ is not a package
    import console_fixtures as cf  # type: ignore[no-redef]

browser = cf.browser  # a fixture, for pytest
axe_serious, new_page, serve_records, shot, sign_in = cf.axe_serious, cf.new_page, cf.serve_records, cf.shot, cf.sign_in
__all__ = ["browser"]

pytestmark = [pytest.mark.slow, cf.requires_chromium]

AGENCY = "DYP"  # not a force of the synthetic register (graphsvc.synthetic.params)
PURPOSE = "MoPI review DYP/2026/04"
PREFIX = "RVC-"
KIND = {"person": "Person", "incident": "Incident", "order": "Order", "registration": "Registration",
        "notification": "Notification"}
HOLD = {"ORDER_IN_FORCE": "Order in force", "REGISTRATION": "Registration not ended",
        "PUBLIC_PROTECTION": "Public protection"}


def _today() -> dt.date:
    from loaders.times import today

    return today()


def _years_ago(today: dt.date, years: int, days: int = 0) -> dt.date:
    from graphsvc.analysis.retention import add_years

    return add_years(today, -years) - dt.timedelta(days=days)


def records(today: dt.date) -> list[dict[str, Any]]:
    """Thirteen records due for review: two incidents free to go (one to retain, one to dispose
    of), two of a perpetrator with two victims (public protection), his order in force, his
    registration not ended and its notification, an ended registration and its notification, and
    four incidents of one man against one woman."""
    def ago(years: int, days: int = 0) -> str:
        return _years_ago(today, years, days).isoformat()

    def person(pid: str, given: str, family: str) -> dict[str, Any]:
        return {"kind": "person", "id": pid, "source": AGENCY, "given_name": given, "family_name": family}

    def incident(iid: str, at: str, kind: str, offender: str, victim: str, outcome: str) -> dict[str, Any]:
        return {"kind": "incident", "id": iid, "source": AGENCY, "occurred_at": at, "type": kind,
                "offender_ids": [offender], "victim_ids": [victim], "outcome": outcome}

    p = PREFIX
    out = [person(p + "O1", "Gethin", "Rowlands"), person(p + "V1", "Carys", "Lloyd"),
           person(p + "O2", "Rhodri", "Vaughan"), person(p + "V2", "Nia", "Pritchard"), person(p + "V3", "Elin", "Morse"),
           person(p + "O3", "Aled", "Bevan"), person(p + "V4", "Ffion", "Hale"),
           person(p + "O4", "Idris", "Teague"), person(p + "O5", "Bryn", "Caddick"), person(p + "V5", "Sian", "Jory"),
           incident(p + "I1", ago(7, 40), "visit", p + "O1", p + "V1", "no_further_action"),
           incident(p + "I2", ago(8, -10) + "T21:40:00", "letter", p + "O3", p + "V4", "reported"),
           incident(p + "I3", ago(9), "following", p + "O2", p + "V2", "reported"),
           incident(p + "I4", ago(7, 100) + "T08:15:00", "threat", p + "O2", p + "V3", "no_further_action"),
           {"kind": "order", "id": p + "OR1", "source": AGENCY, "type": "restraining_order", "issued_on": ago(11),
            "respondent_id": p + "O2", "protected_ids": [p + "V2"]},
           {"kind": "registration", "id": p + "R1", "source": AGENCY, "person_id": p + "O2", "basis": "conviction",
            "start_on": ago(12), "manager": "DC 118 Price"},
           {"kind": "notification", "id": p + "N1", "source": AGENCY, "person_id": p + "O2", "registration_id": p + "R1",
            "notified_on": ago(12, -1), "type": "initial", "names": [{"given_name": "Rhodri", "family_name": "Vaughan"}],
            "home_address": {"line1": "3 Heol y Dwr", "town": "Carmarthen", "postcode": "SA31 1PG"}},
           registration_r2(today, ago(11)),
           {"kind": "notification", "id": p + "N2", "source": AGENCY, "person_id": p + "O4", "registration_id": p + "R2",
            "notified_on": ago(16, -3), "type": "initial", "names": [{"given_name": "Idris", "family_name": "Teague"}],
            "home_address": {"line1": "9 Stryd y Castell", "town": "Aberystwyth", "postcode": "SY23 1AA"}}]
    out += [incident(f"{p}I{n}", ago(7, 200 + 10 * n), "call", p + "O5", p + "V5", "no_further_action")
            for n in range(5, 9)]
    return out


def registration_r2(today: dt.date, end_on: str) -> dict[str, Any]:
    return {"kind": "registration", "id": PREFIX + "R2", "source": AGENCY, "person_id": PREFIX + "O4",
            "basis": "conviction", "start_on": _years_ago(today, 16).isoformat(), "end_on": end_on,
            "manager": "DC 118 Price"}


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Purpose": PURPOSE}


@pytest.fixture(scope="module")
def reviewed(neo4j_settings, _database) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The records loaded through the API, the app served on a loopback port, and keys: DYP's
    admin (``token``) and DYP's investigator (and the writer that loaded them)."""
    _database.execute("MATCH (n) WHERE n.id STARTS WITH $p DETACH DELETE n", p=PREFIX)
    keys = {"token": ("admin", AGENCY), "investigator": ("investigator", AGENCY)}
    with serve_records(neo4j_settings, _database, records(_today()), PREFIX, keys) as svc:
        yield svc


def due(svc: dict[str, Any], before: str | None = None) -> dict[str, Any]:
    path = "/api/v1/review/due?limit=200" + (f"&before={before}" if before else "")
    r = svc["client"].get(path, headers=_headers(svc["token"]))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return dict(r.get_json())


def svc_audit(svc: dict[str, Any], action: str) -> list[dict[str, Any]]:
    r = svc["client"].get(f"/api/v1/audit?action={action}&limit=200", headers=_headers(svc["token"]))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return list(r.get_json()["entries"])


def rows(pg: Any) -> list[list[str]]:
    return pg.eval_on_selector_all("#review-worklist tbody tr",
                                   "trs => trs.map(tr => [...tr.cells].map(c => c.innerText.trim()))")


def row(pg: Any, kind: str, rid: str) -> Any:
    return pg.locator(f"#review-worklist tr[data-kind='{kind}'][data-id='{rid}']")


def open_review(pg: Any, svc: dict[str, Any]) -> None:
    sign_in(pg, svc, purpose=PURPOSE)
    link = pg.get_by_role("navigation", name="Console").get_by_role("link", name="Review")
    link.wait_for()  # shown once the API said this key may review
    link.click()
    pg.locator("#review-worklist tbody tr[data-id]").first.wait_for()
    pg.wait_for_function("() => document.getElementById('status').textContent === ''")


def status_matches(pg: Any, pattern: str) -> str:
    pg.wait_for_function("p => new RegExp(p).test(document.getElementById('status').textContent)", arg=pattern)
    return str(pg.locator("#status").inner_text())


def test_an_admin_reads_the_worklist_with_each_records_holds_a_page_at_a_time(browser, reviewed) -> None:  # type: ignore[no-untyped-def]
    want = due(reviewed)
    today = _today().isoformat()
    assert want["agency"] == AGENCY and want["before"] == today and want["next_cursor"] is None
    got = {(r["kind"], r["id"]): r for r in want["records"]}
    assert len(got) == 13 and all(r["source"] == AGENCY for r in want["records"])
    held = {k: [h["code"] for h in r["holds"]] for k, r in got.items() if r["holds"]}
    assert held == {("incident", PREFIX + "I3"): ["PUBLIC_PROTECTION"], ("incident", PREFIX + "I4"): ["PUBLIC_PROTECTION"],
                    ("order", PREFIX + "OR1"): ["ORDER_IN_FORCE"], ("registration", PREFIX + "R1"): ["REGISTRATION"],
                    ("notification", PREFIX + "N1"): ["REGISTRATION"]}

    ctx, pg = new_page(browser, bypass_csp=True)  # for axe-core's inline script
    open_review(pg, reviewed)
    view = pg.locator("#review-view")
    assert pg.evaluate("location.hash") == "#/review"
    assert pg.locator("#nav-review").get_attribute("aria-current") == "page"
    assert view.get_by_label("Due on or before").input_value() == today, "today (UK date) by default"
    assert pg.locator("#review-before-iso").inner_text() == today, "as recorded beside the picker"
    heads = pg.eval_on_selector_all("#review-worklist thead th", "ths => ths.map(t => t.innerText)")
    assert heads == ["Kind", "Record id", "Source", "Review on", "Scheduled or retained", "What", "Holds",
                     "Last decision", "Decision"]
    shown = rows(pg)
    assert [(r[0], r[1]) for r in shown] == [(KIND[r["kind"]], r["id"]) for r in want["records"]], "the API's order"
    assert [r[3] for r in shown] == [r["review_on"] for r in want["records"]]
    assert [r[3] for r in shown] == sorted(r[3] for r in shown), "earliest first"
    summary = pg.locator("#review-summary").inner_text()
    assert f"13 records due for review on or before {today} ({AGENCY}'s records), 5 of them held" in summary

    # what each record is, as recorded
    i2 = got[("incident", PREFIX + "I2")]
    line = row(pg, "incident", PREFIX + "I2").locator("td").nth(5).inner_text()
    at = i2["what"]["occurred_at"]
    assert line == f"Letter; occurred {at[:10]} 21:40 ({at[-6:]}); outcome: reported", line
    assert row(pg, "order", PREFIX + "OR1").locator("td").nth(5).inner_text() == \
        f"Restraining order; issued {got[('order', PREFIX + 'OR1')]['what']['issued_on']}; until further order"
    assert row(pg, "incident", PREFIX + "I1").locator("td").nth(4).inner_text() == \
        f"Scheduled {got[('incident', PREFIX + 'I1')]['review_scheduled']}"

    # a held record: its hold a badge, the message its title and beside the disabled Dispose, the evidence ids
    order = row(pg, "order", PREFIX + "OR1")
    hold = got[("order", PREFIX + "OR1")]["holds"][0]
    badge = order.locator(".badge-hold")
    assert badge.inner_text() == HOLD["ORDER_IN_FORCE"] and badge.get_attribute("title") == hold["message"]
    assert order.locator(".hold .evidence-ids").inner_text().split() == hold["evidence"] == [PREFIX + "OR1"]
    dispose = order.get_by_role("button", name=f"Dispose of order {PREFIX}OR1…")
    assert dispose.is_disabled()
    assert order.locator(".held-why").inner_text() == f"Held: {hold['message']}."
    assert dispose.get_attribute("aria-describedby") == order.locator(".held-why").get_attribute("id")
    assert order.get_by_role("button", name=f"Retain order {PREFIX}OR1…").is_enabled()
    serial = row(pg, "incident", PREFIX + "I3")
    assert serial.locator(".badge-hold").inner_text() == HOLD["PUBLIC_PROTECTION"]
    assert serial.locator(".hold .evidence-ids").inner_text().split() == [PREFIX + "O2"]
    assert "RVC-O2: 2" in serial.locator(".held-why").inner_text()
    for kind, rid in (("incident", PREFIX + "I1"), ("notification", PREFIX + "N2"), ("registration", PREFIX + "R2")):
        free = row(pg, kind, rid)
        assert free.get_attribute("data-held") == "false" and free.locator("td").nth(6).inner_text() == "none"
        assert free.get_by_role("button", name=f"Dispose of {kind} {rid}…").is_enabled()
    assert pg.locator("#review-worklist tr[data-held=true]").count() == 5
    assert axe_serious(pg, "'#review-view'") == []

    # a page of 10, then "More" for the rest, in the same order; the first new row takes focus
    view.get_by_label("Rows per page").select_option("10")
    view.get_by_role("button", name="Show worklist").click()
    pg.wait_for_function("() => document.getElementById('review-worklist').getAttribute('data-rows') === '10'")
    assert rows(pg) == shown[:10]
    assert "; more follow." in pg.locator("#review-summary").inner_text()
    more = pg.get_by_role("button", name="More", exact=True)
    more.click()
    pg.wait_for_function("() => document.getElementById('review-worklist').getAttribute('data-rows') === '13'")
    assert rows(pg) == shown and more.is_hidden()
    assert pg.evaluate("document.activeElement.getAttribute('aria-label')") == \
        f"Retain {shown[10][0].lower()} {shown[10][1]}…"
    # another agency's records are refused for an agency's key, and said so
    view.get_by_label("Agency").fill("GMP")
    view.get_by_role("button", name="Show worklist").click()
    status_matches(pg, "only its own agency")
    assert pg.locator("#review-worklist tbody tr").count() == 0
    # a day long past: nothing due
    view.get_by_label("Agency").fill("")
    view.get_by_label("Due on or before").fill("2001-01-01")
    view.get_by_role("button", name="Show worklist").click()
    pg.wait_for_function("() => /No record is due/.test(document.getElementById('review-worklist').textContent)")
    assert pg.errors == [], pg.errors
    ctx.close()


def test_an_admin_retains_one_record_and_disposes_of_another(browser, reviewed) -> None:  # type: ignore[no-untyped-def]
    today = _today()
    nxt = (today + dt.timedelta(days=400)).isoformat()
    ctx, pg = new_page(browser, bypass_csp=True)
    open_review(pg, reviewed)
    view = pg.locator("#review-view")

    # retain: a reason and the next review date (server text shown as text, never as markup)
    r1 = row(pg, "incident", PREFIX + "I1")
    r1.get_by_role("button", name=f"Retain incident {PREFIX}I1…").click()
    dialog = pg.get_by_role("dialog", name=f"Retain incident {PREFIX}I1")
    dialog.wait_for()
    assert dialog.locator(".erase-warning").is_hidden()
    reason = dialog.get_by_label("Reason (required)")
    assert pg.evaluate("document.activeElement.id") == "review-reason"
    when = dialog.get_by_label("Next review on")
    assert when.get_attribute("min") == (today + dt.timedelta(days=1)).isoformat()
    go = dialog.get_by_role("button", name="Retain until the next review")
    go.click()  # no reason, no date: the browser asks, nothing is sent
    assert pg.evaluate("() => !document.getElementById('review-reason').validity.valid")
    # the reason as typed, markup characters and all: set as text it reads whole (as HTML "<May 2027>" would vanish)
    why = 'Open case OP-TYWI/2026/3: trial listed <May 2027> & "victim consulted"'
    reason.fill(why)
    go.click()
    assert pg.evaluate("() => !document.getElementById('review-next').validity.valid"), "a date is required"
    when.fill(nxt)
    assert dialog.locator("#review-next-iso").inner_text() == nxt
    go.click()
    said = status_matches(pg, "^Retained incident")
    assert said == f"Retained incident {PREFIX}I1 ({AGENCY}) on {today.isoformat()}: next review on {nxt}. " \
                   "The reason is kept with the record and in the audit log."
    assert dialog.is_hidden()
    pg.wait_for_function("() => document.getElementById('review-worklist').getAttribute('data-rows') === '12'")
    assert r1.count() == 0, "not due today any more"
    # due again on its new date: retained until then, with the decision and its reason as typed
    view.get_by_label("Due on or before").fill(nxt)
    view.get_by_role("button", name="Show worklist").click()
    r1.wait_for()
    cells = r1.locator("td")
    assert cells.nth(3).inner_text() == nxt
    api_row = next(r for r in due(reviewed, nxt)["records"] if r["id"] == PREFIX + "I1")
    assert cells.nth(4).inner_text() == f"Retained until {nxt} (scheduled {api_row['review_scheduled']})"
    assert api_row["last_decision"]["reason"] == why
    assert r1.locator("q.reason").inner_text() == why
    assert cells.nth(7).inner_text().startswith(f"Retained on {today.isoformat()} by {api_row['last_decision']['by']}")
    assert pg.locator("#review-worklist may").count() == 0
    pg.evaluate("document.activeElement.blur()")  # the screenshot without the focus ring
    shot(view, "console-review.png")
    view.get_by_label("Due on or before").fill(today.isoformat())
    view.get_by_role("button", name="Show worklist").click()
    pg.wait_for_function("() => document.getElementById('review-worklist').getAttribute('data-rows') === '12'")

    # dispose: a reason and the confirmation that it is erased for good
    r2 = row(pg, "incident", PREFIX + "I2")
    r2.get_by_role("button", name=f"Dispose of incident {PREFIX}I2…").click()
    dialog = pg.get_by_role("dialog", name=f"Dispose of incident {PREFIX}I2: erase it from graphsvc")
    dialog.wait_for()
    warning = dialog.locator(".erase-warning").inner_text()
    assert "This erases the record from graphsvc. It cannot be restored from graphsvc: disposal is irreversible." \
        in warning
    assert f"Disposing erases incident {PREFIX}I2 and whatever only it created" in warning
    assert dialog.get_by_label("Next review on").is_hidden()
    erase = dialog.get_by_role("button", name=f"Erase incident {PREFIX}I2 permanently")
    dialog.get_by_label("Reason (required)").fill("MoPI review: no policing purpose remains")
    erase.click()  # not confirmed: the browser asks, nothing is sent
    assert pg.evaluate("() => !document.getElementById('review-confirm').validity.valid")
    assert any(r["id"] == PREFIX + "I2" for r in due(reviewed)["records"])
    dialog.get_by_label(f"I understand that incident {PREFIX}I2 will be erased and cannot be restored from graphsvc.")\
        .check()
    assert axe_serious(pg, "'#review-dialog'") == []
    pg.evaluate("document.activeElement.blur()")
    shot(pg, "console-review-dispose.png")
    erase.click()
    said = status_matches(pg, "^Disposed of incident")
    assert said.startswith(f"Disposed of incident {PREFIX}I2 ({AGENCY}) on {today.isoformat()}: erased from graphsvc")
    assert f"Roles and counts read again for {PREFIX}O3, {PREFIX}V4." in said
    pg.wait_for_function("() => document.getElementById('review-worklist').getAttribute('data-rows') === '11'")
    assert r2.count() == 0
    assert all(r["id"] != PREFIX + "I2" for r in due(reviewed)["records"])
    gone = reviewed["client"].post(f"/api/v1/review/incident/{PREFIX}I2", headers=_headers(reviewed["token"]),
                                   json={"decision": "dispose", "reason": "again"})
    assert gone.status_code == 404

    # held after the page was read (his registration extended): the server refuses, and the row shows why
    n2 = row(pg, "notification", PREFIX + "N2")
    assert n2.get_attribute("data-held") == "false"
    later = (today + dt.timedelta(days=700)).isoformat()
    r = reviewed["client"].post("/api/v1/records", headers={"Authorization": f"Bearer {reviewed['writer']}"},
                                json=[registration_r2(today, later)])
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    n2.get_by_role("button", name=f"Dispose of notification {PREFIX}N2…").click()
    dialog = pg.get_by_role("dialog", name=f"Dispose of notification {PREFIX}N2: erase it from graphsvc")
    dialog.get_by_label("Reason (required)").fill("MoPI review: registration ended")
    dialog.get_by_label(f"I understand that notification {PREFIX}N2 will be erased and cannot be restored from "
                        "graphsvc.").check()
    dialog.get_by_role("button", name=f"Erase notification {PREFIX}N2 permanently").click()
    said = status_matches(pg, "is not disposed of")
    assert f"it is needed by a registration not ended ({PREFIX}R2)" in said
    assert dialog.is_hidden()
    assert n2.get_attribute("data-held") == "true"
    assert n2.locator(".badge-hold").inner_text() == HOLD["REGISTRATION"]
    assert n2.locator(".hold .evidence-ids").inner_text().split() == [PREFIX + "R2"]
    assert n2.get_by_role("button", name=f"Dispose of notification {PREFIX}N2…").is_disabled()
    assert any(r["id"] == PREFIX + "N2" for r in due(reviewed)["records"]), "still there"
    assert pg.errors == [], pg.errors
    ctx.close()


def test_a_key_that_is_not_an_admins_gets_no_review_view(browser, reviewed) -> None:  # type: ignore[no-untyped-def]
    ctx, pg = new_page(browser)
    sign_in(pg, {**reviewed, "token": reviewed["investigator"]}, purpose=PURPOSE)
    pg.wait_for_function("() => sessionStorage.getItem('graphsvc.review') === 'no'")
    nav = pg.get_by_role("navigation", name="Console")
    assert nav.get_by_role("link", name="Register").is_visible()
    assert nav.get_by_role("link", name="Review").count() == 0 and pg.locator("#nav-review").is_hidden()
    pg.evaluate("() => { location.hash = '#/review'; }")
    pg.locator("#review-denied").wait_for()
    assert "Retention review is for admin keys" in pg.locator("#review-denied").inner_text()
    assert pg.locator("#review-worklist").is_hidden() and pg.locator("#review-form").is_hidden()
    assert pg.locator("#review-view button:visible").count() == 0
    # the console asked GET /whoami, so nothing was refused on the way: no access_denied entry
    denied = svc_audit(reviewed, "access_denied")
    assert not [e for e in denied if e["role"] == "investigator"], denied
    # signing out and in with the admin's key shows it
    pg.get_by_role("button", name="Sign out").click()
    sign_in(pg, reviewed, purpose=PURPOSE)
    nav.get_by_role("link", name="Review").wait_for()
    assert pg.errors == [], pg.errors
    ctx.close()
