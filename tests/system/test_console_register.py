"""The console's register page (issue #21, item 6) in real headless Chromium: an offender
manager signs in and reads his agency's overdue worklist, longest overdue first, a page at a time;
opens a registered man's page and reads his registrations (basis, order, dates, manager, in
force, the due duty and whether it is overdue, the proposed transfer), every duty with its last
day and the notification that met it, and his notifications newest first; another agency's key
reads the same page with the notified home address, station and reference withheld; and the
offender manager transfers the registration to the force his new home is in, with a reason.

The register is small and synthetic, dated from today (Europe/London), under an agency code of
its own (NYP) that the shared synthetic register does not use, so the worklist holds these
registrations only whatever else the graph holds. Its records are removed at the end, so the
shared register is as the other console modules expect it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

try:
    from tests.system.console_fixtures import (
        axe_serious, browser, new_page, requires_chromium, serve_records, shot, sign_in,
    )
except ImportError:  # tests/ is not a package
    from console_fixtures import (  # type: ignore[no-redef]
        axe_serious, browser, new_page, requires_chromium, serve_records, shot, sign_in,
    )

__all__ = ["browser"]  # a fixture, imported for pytest

pytestmark = [pytest.mark.slow, requires_chromium]

AGENCY, OTHER = "NYP", "CLE"  # neither is a force of the synthetic register (graphsvc.synthetic.params)
PURPOSE = "OP-REGISTER/2026/031"
PREFIX = "RGC-"
YORK = {"line1": "14 Gillygate", "town": "York", "postcode": "YO31 7EQ"}  # YO: no force in the area table
LEEDS = {"line1": "7 Mill Lane", "town": "Leeds", "postcode": "LS6 2QT"}  # LS: West Yorkshire Police
DANIEL = [{"given_name": "Daniel", "family_name": "Marsh"}]
# synthetic names for the rest of the worklist
OTHERS = [("Aaron", "Pike"), ("Callum", "Reeve"), ("Gareth", "Lowe"), ("Jason", "Frith"), ("Lee", "Brandt"),
          ("Martin", "Oakes"), ("Neil", "Sutter"), ("Owen", "Rudd"), ("Paul", "Henty"), ("Ryan", "Cole"),
          ("Stuart", "Vane"), ("Wayne", "Tillet"), ("Colin", "Marr"), ("Derek", "Holt")]


def _today() -> dt.date:
    from loaders.times import today

    return today()


def records(today: dt.date) -> list[dict[str, Any]]:
    """Daniel Marsh, under an order (his duties met, one late; his last notified home in Leeds, so
    the registration should move to WYP) and a conviction (his annual notification overdue); twelve
    more registered men overdue by different spans; one up to date; one whose registration ended."""
    def d(n: int) -> str:
        return (today - dt.timedelta(days=n)).isoformat()

    def person(pid: str, given: str, family: str) -> dict[str, Any]:
        return {"kind": "person", "id": pid, "source": AGENCY, "given_name": given, "family_name": family}

    def reg(rid: str, pid: str, basis: str, start: int, manager: str, **extra: Any) -> dict[str, Any]:
        return {"kind": "registration", "id": rid, "source": AGENCY, "person_id": pid, "basis": basis,
                "start_on": d(start), "manager": manager, **extra}

    def note(nid: str, pid: str, rid: str, on: int, kind: str, **extra: Any) -> dict[str, Any]:
        return {"kind": "notification", "id": nid, "source": AGENCY, "person_id": pid, "registration_id": rid,
                "notified_on": d(on), "type": kind, "station": "York Fulford Road", **extra}

    dm = PREFIX + "DM"
    out = [
        person(dm, "Daniel", "Marsh"),
        person(PREFIX + "V1", "Joanne", "Pryce"),
        {"kind": "order", "id": PREFIX + "O1", "source": AGENCY, "type": "stalking_protection_order",
         "issued_on": d(300), "respondent_id": dm, "protected_ids": [PREFIX + "V1"]},
        reg(PREFIX + "R1", dm, "order", 300, "PC 2291 Hale", order_id=PREFIX + "O1"),
        note(PREFIX + "N1", dm, PREFIX + "R1", 299, "initial", names=DANIEL, home_address=YORK, reference="ACK-1101"),
        note(PREFIX + "N2", dm, PREFIX + "R1", 149, "name", changed_on=d(150), reference="ACK-1140",
             names=[*DANIEL, {"given_name": "Danny", "family_name": "Marsh"}]),
        # the move to Leeds: changed 40 days ago, notified 34 days ago (its last day was 38 days ago)
        note(PREFIX + "N3", dm, PREFIX + "R1", 34, "address", changed_on=d(40), home_address=LEEDS,
             reference="ACK-1188"),
        note(PREFIX + "N4", dm, PREFIX + "R1", 12, "travel", reference="ACK-1201"),
        reg(PREFIX + "R2", dm, "conviction", 430, "DC 4417 Ward"),
        note(PREFIX + "N5", dm, PREFIX + "R2", 429, "initial", names=DANIEL, home_address=YORK, reference="ACK-0977"),
    ]
    for i, (given, family) in enumerate(OTHERS, start=1):
        pid, rid = f"{PREFIX}P{i:02d}", f"{PREFIX}RP{i:02d}"
        out.append(person(pid, given, family))
        home = {"line1": f"{i} Clifton Terrace", "town": "York", "postcode": f"YO30 {i}AB"}
        if i <= 11:  # the annual notification overdue by 10 + 23 i days or so
            out += [reg(rid, pid, "conviction", 375 + 23 * i, "DC 3050 Burrows"),
                    note(f"{PREFIX}NP{i:02d}", pid, rid, 374 + 23 * i, "initial",
                         names=[{"given_name": given, "family_name": family}], home_address=home)]
        elif i == 12:  # never notified: the initial notification overdue
            out.append(reg(rid, pid, "conviction", 20, "DC 3050 Burrows"))
        elif i == 13:  # up to date: nothing overdue
            out += [reg(rid, pid, "conviction", 100, "DC 3050 Burrows"),
                    note(f"{PREFIX}NP{i:02d}", pid, rid, 99, "initial",
                         names=[{"given_name": given, "family_name": family}], home_address=home)]
        else:  # ended: owes nothing now
            out.append(reg(rid, pid, "conviction", 900, "DC 3050 Burrows", end_on=d(100)))
    return out


OVERDUE = {PREFIX + "R2", PREFIX + "RP12", *(f"{PREFIX}RP{i:02d}" for i in range(1, 12))}


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Purpose": PURPOSE}


@pytest.fixture(scope="module")
def registered(neo4j_settings, _database) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The small register loaded through the API, the app served on a loopback port, and keys:
    NYP's offender manager (who manages these registrations) and another agency's."""
    keys = {"token": ("offender_manager", AGENCY), "other": ("offender_manager", OTHER),
            "investigator": ("investigator", AGENCY)}
    with serve_records(neo4j_settings, _database, records(_today()), PREFIX, keys) as svc:
        yield svc


def api(svc: dict[str, Any], path: str, token: str | None = None) -> Any:
    r = svc["client"].get("/api/v1" + path, headers=_headers(token or svc["token"]))
    assert r.status_code == 200, (path, r.status_code, r.get_data(as_text=True)[:300])
    return r.get_json()


def managed_by(svc: dict[str, Any], registration_id: str) -> str:
    got = api(svc, f"/register/persons/{PREFIX}DM")["registrations"]
    return str(next(r["managed_by"] for r in got if r["registration_id"] == registration_id))


def rows(pg: Any, selector: str) -> list[list[str]]:
    """The cells' text of each body row of a table."""
    return pg.eval_on_selector_all(f"{selector} tbody tr", "trs => trs.map(tr => [...tr.cells].map(c => c.innerText.trim()))")


DUTY = {"initial": "Initial notification", "name": "Change of name", "address": "Change of address",
        "annual": "Annual notification"}
TYPE = {"initial": "Initial", "name": "Change of name", "address": "Change of address", "annual": "Annual",
        "travel": "Travel"}


def _days(a: str, b: str) -> int:
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def open_worklist(pg: Any, svc: dict[str, Any], token: str | None = None) -> None:
    sign_in(pg, {**svc, "token": token or svc["token"]}, purpose=PURPOSE)
    pg.get_by_role("navigation", name="Console").get_by_role("link", name="Register").click()
    pg.locator("#register-worklist tbody tr").first.wait_for()
    pg.wait_for_function("() => document.getElementById('status').textContent === ''")


def open_registered(pg: Any, person_id: str) -> None:
    pg.evaluate("id => { location.hash = '#/register/' + encodeURIComponent(id); }", person_id)
    pg.locator("#reg-registrations article.registration").first.wait_for()
    pg.wait_for_function("() => document.getElementById('status').textContent === ''")


def test_the_worklist_lists_his_agencys_overdue_registrations_longest_first_a_page_at_a_time(
        browser, registered) -> None:  # type: ignore[no-untyped-def]
    want = api(registered, "/register/overdue?limit=100")
    assert want["agency"] == AGENCY and want["next_cursor"] is None
    # each row names him (his record's name) with his record id
    assert all(p["given_name"] and p["family_name"] for p in want["persons"])
    expected = [[f"{p['given_name']} {p['family_name']} ({p['person_id']})", p["registration_id"], DUTY[p["duty"]],
                 p["due_on"], str(p["days_overdue"]), p["managing_agency"]] for p in want["persons"]]
    # the register as made: every overdue registration and no other, longest overdue first
    assert {p["registration_id"] for p in want["persons"]} == OVERDUE
    days = [p["days_overdue"] for p in want["persons"]]
    assert days == sorted(days, reverse=True) and len(set(days)) == len(days)
    assert want["persons"][0]["registration_id"] == PREFIX + "RP11" and want["persons"][-1]["registration_id"] == PREFIX + "RP12"

    ctx, pg = new_page(browser, bypass_csp=True)  # for axe-core's inline script
    pg.goto(registered["url"])
    assert pg.locator("#nav").is_hidden() and pg.locator("#session-info").is_hidden(), "not before sign-in"
    open_worklist(pg, registered)
    assert pg.evaluate("location.hash") == "#/register"
    assert pg.locator("#nav-register").get_attribute("aria-current") == "page"
    pg.evaluate("document.activeElement.blur()")  # the screenshot without the focus ring
    heads = pg.eval_on_selector_all("#register-worklist thead th", "ths => ths.map(t => [t.innerText, t.scope])")
    assert heads == [[h, "col"] for h in ("Person (record id)", "Registration", "Duty overdue", "Due by (last day)",
                                          "Days overdue", "Managing agency")]
    assert rows(pg, "#register-worklist") == expected, "the API's worklist, in its order"
    assert pg.locator("#register-more").is_hidden(), "one page at 25 rows"
    summary = pg.locator("#register-summary").inner_text()
    assert f"13 overdue registrations managed by {AGENCY}" in summary and want["as_of"] in summary
    daniel = next(r for r in expected if r[1] == PREFIX + "R2")
    assert daniel[:3] == [f"Daniel Marsh ({PREFIX}DM)", PREFIX + "R2", "Annual notification"]
    assert axe_serious(pg, "'#register-view'") == []
    shot(pg.locator("#register-view"), "console-register.png")

    # a page of 10, then "More" for the rest, in the same order; the first new row takes focus
    pg.locator("#register-view").get_by_label("Rows per page").select_option("10")
    pg.get_by_role("button", name="Show worklist").click()
    pg.wait_for_function("() => document.getElementById('register-worklist').getAttribute('data-rows') === '10'")
    assert rows(pg, "#register-worklist") == expected[:10]
    more = pg.get_by_role("button", name="More", exact=True)
    assert more.is_visible()
    more.click()
    pg.wait_for_function("() => document.getElementById('register-worklist').getAttribute('data-rows') === '13'")
    assert rows(pg, "#register-worklist") == expected
    assert more.is_hidden()
    assert pg.evaluate("document.activeElement.textContent") == expected[10][0]
    # another agency's worklist is refused for an agency's key, and said so
    pg.get_by_label("Managing agency").fill("WYP")
    pg.get_by_role("button", name="Show worklist").click()
    pg.wait_for_function("() => /own agency/.test(document.getElementById('status').textContent)")
    assert rows(pg, "#register-worklist") == []
    # a row opens his register page
    pg.get_by_label("Managing agency").fill("")
    pg.get_by_role("button", name="Show worklist").click()
    pg.locator("#register-worklist tbody tr").first.wait_for()
    pg.locator(f"#register-worklist tr[data-registration-id='{PREFIX}R2'] a").click()
    pg.locator("#reg-registrations article.registration").first.wait_for()
    assert pg.evaluate("location.hash") == f"#/register/{PREFIX}DM"
    assert pg.errors == [], pg.errors
    ctx.close()


def test_his_register_page_shows_registrations_duties_and_notifications(browser, registered) -> None:  # type: ignore[no-untyped-def]
    want = api(registered, f"/register/persons/{PREFIX}DM")
    assert not want.get("withheld_by"), want.get("withheld_by")
    ctx, pg = new_page(browser, bypass_csp=True)
    open_worklist(pg, registered)
    open_registered(pg, PREFIX + "DM")
    view = pg.locator("#register-person-view")
    assert pg.locator("#reg-person-title").inner_text() == f"Daniel Marsh ({PREFIX}DM): on the register"

    # the registrations: basis, order, dates, manager, in force, the due duty, the proposal
    r1 = view.locator(f"article[data-registration-id='{PREFIX}R1']")
    r2 = view.locator(f"article[data-registration-id='{PREFIX}R2']")
    one = r1.inner_text()
    assert "in force" in one and "overdue" not in one
    assert "Order (notification requirements of a stalking protection order)" in one and PREFIX + "O1" in one
    regs = {r["registration_id"]: r for r in want["registrations"]}
    assert regs[PREFIX + "R1"]["start_on"] in one and "no end date" in one
    assert f"Managed by\n{AGENCY}" in one and "PC 2291 Hale" in one
    assert "nothing due: every duty met" in one
    assert f"Transfer proposed to WYP: his last notified home address is in postcode area LS, which WYP polices. " \
           f"Evidence: {PREFIX}N3" in one
    assert r1.get_by_role("button", name="Transfer to WYP…").get_attribute("aria-expanded") == "false"
    assert r1.locator("form.transfer-form").is_hidden() and r2.locator("form.transfer-form").is_hidden()
    assert "Never transferred." in one
    due = regs[PREFIX + "R2"]["due"]
    assert due["duty"] == "annual" and due["overdue"] is True
    two = r2.inner_text()
    late = _days(due["due_on"], want["as_of"])
    assert f"Annual notification due by {due['due_on']}" in two and f"overdue {late} days" in two
    assert "Conviction" in two and "DC 4417 Ward" in two and "Transfer proposed" not in two
    assert r2.locator(".badge-overdue").count() == 2, "on its heading and on the due duty"

    # the duties: one row each, as the API gives them, with the late and overdue ones marked
    assert sorted((d["registration_id"], d["kind"]) for d in want["duties"]) == [
        (PREFIX + "R1", "address"), (PREFIX + "R1", "initial"), (PREFIX + "R1", "name"),
        (PREFIX + "R2", "annual"), (PREFIX + "R2", "initial")]
    shown = rows(pg, "#reg-duties table")
    assert [r[:4] for r in shown] == [[d["registration_id"], DUTY[d["kind"]], d["due_on"], d["met_on"] or "not yet"]
                                      for d in want["duties"]]
    for d, r in zip(want["duties"], shown):
        assert r[4] == (f"late {_days(d['due_on'], d['met_on'])} days" if d["late"] else
                        "on time" if d["met_on"] else "—")
        assert r[5] == ("overdue" if d["overdue"] else "no")
        assert r[6] == " ".join(d["evidence"])
    address = next(r for r in shown if r[1] == "Change of address")
    assert address[4] == "late 4 days" and address[6] == PREFIX + "N3"
    annual = next(r for r in shown if r[1] == "Annual notification")
    assert annual[3] == "not yet" and annual[5] == "overdue" and annual[6] == PREFIX + "R2"

    # the notifications, newest first, with what each said
    notes = rows(pg, "#reg-notifications table")
    assert [r[8] for r in notes] == [PREFIX + n for n in ("N4", "N3", "N2", "N1", "N5")]
    assert [r[8] for r in notes] == [n["notification_id"] for n in want["notifications"]]
    n3 = notes[1]
    assert n3[:8] == [want["notifications"][1]["notified_on"], "Change of address", want["notifications"][1]["changed_on"],
                      "—", "7 Mill Lane, Leeds, LS6 2QT", "York Fulford Road", "ACK-1188", PREFIX + "R1"]
    assert notes[2][3] == "Daniel Marsh; Danny Marsh" and notes[2][1] == "Change of name"
    assert notes[0][1] == "Travel" and notes[0][4] == "—"
    last = pg.locator("#reg-last").inner_text()
    assert "7 Mill Lane, Leeds, LS6 2QT" in last and "Daniel Marsh; Danny Marsh" in last
    assert f"{want['last_notified']['notified_on']} (travel notifications aside)" in last
    flags = pg.locator("#reg-flags").inner_text()
    assert "REGISTERED" in flags and "NOTIFICATION_OVERDUE" in flags
    assert "[withheld" not in view.inner_text() and "Withheld" not in view.inner_text()
    assert axe_serious(pg, "'#register-person-view'") == []
    shot(view, "console-register-person.png")

    # the person page links here when he is registered
    pg.get_by_role("link", name="Open his person page (profile, network, timeline)").click()
    pg.locator("#profile dt").first.wait_for()
    link = pg.get_by_role("link", name="On the register: his registrations, duties and notifications")
    link.wait_for()
    link.click()
    pg.locator("#reg-registrations article.registration").first.wait_for()
    assert pg.evaluate("location.hash") == f"#/register/{PREFIX}DM"
    assert pg.errors == [], pg.errors
    ctx.close()


def test_another_agency_reads_his_register_page_with_the_notified_addresses_withheld(browser, registered) -> None:  # type: ignore[no-untyped-def]
    want = api(registered, f"/register/persons/{PREFIX}DM", registered["other"])
    assert want["withheld_by"] == [AGENCY]
    ctx, pg = new_page(browser)
    sign_in(pg, {**registered, "token": registered["other"]}, purpose=PURPOSE)
    open_registered(pg, PREFIX + "DM")
    view = pg.locator("#register-person-view")
    text = view.inner_text()
    assert "[withheld" not in text
    for secret in ("Gillygate", "Mill Lane", "LS6 2QT", "Fulford", "ACK-1"):
        assert secret not in text, secret
    ask = f"Withheld by {AGENCY}: ask {AGENCY}"
    n3 = next(r for r in rows(pg, "#reg-notifications table") if r[8] == PREFIX + "N3")
    assert n3[4:7] == [ask, ask, ask]
    marked = [n[f] for n in want["notifications"] for f in ("home_address", "station", "reference")
              if str(n[f]).startswith("[withheld")]
    assert [r["transfer_proposed"]["to"] for r in want["registrations"] if r["transfer_proposed"]] == [
        f"[withheld: {AGENCY}]"]
    assert len(marked) == 13 and pg.locator("#reg-notifications td.withheld").count() == len(marked)
    held = pg.locator("#reg-held").inner_text()
    # not his agency's to transfer: no transfer form, and whom it is for said instead
    assert view.locator("button.transfer-open").count() == 0
    assert view.locator(".no-transfer").all_inner_texts() == [
        f"Managed by {AGENCY}: only {AGENCY}'s offender manager (or a national key) may transfer it."] * 2
    # the proposal would say where he lives: its agency and area are the managing agency's to tell
    assert "Transfer proposed to WYP" not in text and "postcode area LS" not in text
    assert f"Transfer proposed: his last notified home address is in another agency's area; {ask}" in text
    pg.evaluate("document.activeElement.blur()")  # the screenshot without the focus ring
    shot(view, "console-register-withheld.png")
    assert f"ask {AGENCY}, quoting record {PREFIX}DM" in held
    # what crosses: that he is registered, with whom, his duties and their dates, the names he notified
    assert "Daniel Marsh ({}DM)".format(PREFIX) in pg.locator("#reg-person-title").inner_text()
    assert len(rows(pg, "#reg-duties table")) == len(want["duties"])
    assert "PC 2291 Hale" in text and "Daniel Marsh; Danny Marsh" in text
    assert pg.errors == [], pg.errors
    ctx.close()


def test_the_offender_manager_transfers_the_registration_to_the_force_of_his_new_home(browser, registered) -> None:  # type: ignore[no-untyped-def]
    # an investigator of the managing agency reads the page but may not transfer: the refusal says who may
    ctx, pg = new_page(browser)
    open_worklist(pg, registered, registered["investigator"])
    open_registered(pg, PREFIX + "DM")
    r1 = pg.locator(f"#reg-registrations article[data-registration-id='{PREFIX}R1']")
    r1.get_by_role("button", name="Transfer to WYP…").click()
    form = r1.get_by_role("form", name=f"Transfer registration {PREFIX}R1")
    form.get_by_label("Reason (kept with the registration and in the audit log)").fill("moved to Leeds")
    form.get_by_role("button", name="Confirm transfer").click()
    pg.wait_for_function("() => /Only the managing agency/.test(document.getElementById('status').textContent)")
    assert re.search(r"may transfer RGC-R1", pg.locator("#status").inner_text())
    assert managed_by(registered, PREFIX + "R1") == AGENCY
    assert pg.errors == [], pg.errors
    ctx.close()

    ctx, pg = new_page(browser)
    open_worklist(pg, registered)
    open_registered(pg, PREFIX + "DM")
    r1 = pg.locator(f"#reg-registrations article[data-registration-id='{PREFIX}R1']")
    opener = r1.get_by_role("button", name="Transfer to WYP…")
    opener.click()
    assert opener.get_attribute("aria-expanded") == "true"
    form = r1.get_by_role("form", name=f"Transfer registration {PREFIX}R1")
    assert form.is_visible()
    assert form.get_by_label("To agency").input_value() == "WYP"
    reason = form.get_by_label("Reason (kept with the registration and in the audit log)")
    assert pg.evaluate("document.activeElement.id") == reason.get_attribute("id"), "the reason takes focus"
    # no reason, no request: the browser asks for it
    form.get_by_role("button", name="Confirm transfer").click()
    assert pg.evaluate("el => !el.validity.valid", reason.element_handle())
    assert managed_by(registered, PREFIX + "R1") == AGENCY
    why = f"notified a home address in LS6 ({PREFIX}N3); WYP offender management told"
    reason.fill(why)
    shot(r1, "console-register-transfer.png")
    form.get_by_role("button", name="Confirm transfer").click()
    pg.wait_for_function("() => /transferred from NYP to WYP/.test(document.getElementById('status').textContent)")
    status = pg.locator("#status").inner_text()
    today = _today().isoformat()
    assert f"Registration {PREFIX}R1 transferred from {AGENCY} to WYP on {today}" in status

    got = api(registered, f"/register/persons/{PREFIX}DM")
    reg = next(r for r in got["registrations"] if r["registration_id"] == PREFIX + "R1")
    assert reg["managed_by"] == "WYP" and reg["transfer_proposed"] is None
    # the reason may say where he lives: WYP's to read now (NYP's words stay in its audit log)
    assert [(t["from"], t["to"], t["on"], t["reason"]) for t in reg["transfers"]] == [
        (AGENCY, "WYP", today, "[withheld: WYP]")]
    r1 = pg.locator(f"#reg-registrations article[data-registration-id='{PREFIX}R1']")
    one = r1.inner_text()
    assert "Managed by\nWYP" in one and f"PC 2291 Hale (named by {AGENCY}, before the transfer)" in one
    assert "Transfer proposed" not in one
    assert rows(pg, f"#reg-registrations article[data-registration-id='{PREFIX}R1'] table.transfers") == [
        [today, AGENCY, "WYP", reg["transfers"][0]["by"], "Withheld by WYP: ask WYP"]]
    # WYP manages it now: NYP's key reads its notifications as any other agency does
    assert got["withheld_by"] == ["WYP"]
    n3 = next(r for r in rows(pg, "#reg-notifications table") if r[8] == PREFIX + "N3")
    assert n3[4] == "Withheld by WYP: ask WYP"
    assert "[withheld" not in pg.locator("#register-person-view").inner_text()
    # and no longer his to transfer: WYP's; his conviction registration still is
    assert r1.locator("button.transfer-open").count() == 0
    assert r1.locator(".no-transfer").inner_text() == \
        "Managed by WYP: only WYP's offender manager (or a national key) may transfer it."
    r2 = pg.locator(f"#reg-registrations article[data-registration-id='{PREFIX}R2']")
    assert r2.get_by_role("button", name="Transfer to another agency…").is_visible()
    assert managed_by(registered, PREFIX + "R1") == "WYP"
    # the worklist moves with it: his overdue conviction registration stays NYP's
    pg.get_by_role("button", name="Back to the worklist").click()
    pg.locator("#register-worklist tbody tr").first.wait_for()
    assert PREFIX + "R2" in pg.locator("#register-worklist").inner_text()
    assert pg.errors == [], pg.errors
    ctx.close()
