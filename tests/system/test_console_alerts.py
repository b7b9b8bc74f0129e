"""The console's alerts (issue #20) in real headless Chromium: an agency's investigator signs in
and sees the alerts the register raised for her key's subscription, not yet acknowledged first,
each with its rule, message, persons (another agency's victim withheld, with whom to ask) and
evidence record ids; she acknowledges one with a note. The records written here are removed at
the end, so the shared register is as the other console modules expect it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

try:
    from tests.system.console_fixtures import axe_serious, browser, new_page, requires_chromium, service, shot, sign_in
except ImportError:  # tests/ is not a package
    from console_fixtures import (  # type: ignore[no-redef]
        axe_serious, browser, new_page, requires_chromium, service, shot, sign_in,
    )

__all__ = ["browser", "service"]  # fixtures, imported for pytest

pytestmark = [pytest.mark.slow, requires_chromium]

RECORDS = [
    {"kind": "person", "id": "ALR-R", "source": "BTP", "given_name": "Osric", "family_name": "Danvers"},
    {"kind": "person", "id": "ALR-V", "source": "GMP", "given_name": "Perpetua", "family_name": "Quell"},
    {"kind": "person", "id": "ALR-W", "source": "BTP", "given_name": "Rhoda", "family_name": "Sallow"},
    {"kind": "order", "id": "ALR-O", "source": "BTP", "type": "restraining_order", "issued_on": "2024-01-05",
     "respondent_id": "ALR-R", "protected_ids": ["ALR-W"]},
]
INCIDENT = {"kind": "incident", "id": "ALR-I1", "source": "GMP", "occurred_at": "2024-03-02T21:40:00",
            "type": "visit", "offender_ids": ["ALR-R"], "victim_ids": ["ALR-V"]}


@pytest.fixture
def alerted(service: dict[str, Any]) -> Iterator[dict[str, Any]]:
    from graphsvc.security.keys import create_key

    db, client = service["db"], service["app"].test_client()
    writer, _ = create_key(db, role="case_system", name=f"alerts-writer {secrets.token_hex(3)}")
    token, _ = create_key(db, role="investigator", name=f"alerts-btp {secrets.token_hex(3)}", agency="BTP")
    h = {"Authorization": f"Bearer {token}", "X-Purpose": "OP-ALERTS/9"}
    w = {"Authorization": f"Bearer {writer}"}
    try:
        r = client.post("/api/v1/subscriptions", headers=h, json={
            "url": "http://127.0.0.1:9/none", "secret": "console-secret-0123456789",
            "rules": ["new_victim", "order_subject_named"]})
        assert r.status_code == 201, r.get_json()
        assert client.post("/api/v1/records", headers=w, json=RECORDS).status_code == 200
        assert client.post("/api/v1/records", headers=w, json=[INCIDENT]).status_code == 200
        alerts = client.get("/api/v1/alerts", headers=h).get_json()["alerts"]
        assert sorted(a["rule"] for a in alerts) == ["new_victim", "order_subject_named"]
        yield {**service, "token": token, "alerts": alerts}
    finally:
        db.execute("MATCH (n) WHERE n.id STARTS WITH 'ALR-' OR n:Alert OR n:Subscription DETACH DELETE n")
        db.execute("MATCH (s:SerialState) WHERE s.person_id STARTS WITH 'ALR-' DETACH DELETE s")


def test_the_console_shows_a_users_alerts_with_their_evidence_and_acknowledges_one(browser, alerted) -> None:  # type: ignore[no-untyped-def]
    ctx, pg = new_page(browser, bypass_csp=True)  # for axe-core's inline script
    sign_in(pg, alerted)
    pg.locator("#alerts li.alert").first.wait_for()
    items = pg.locator("#alerts li.alert")
    assert items.count() == 2
    text = pg.locator("#alerts").inner_text()
    assert "New victim" in text and "Order subject named" in text
    assert "ALR-I1" in text and "ALR-O" in text, "the evidence record ids are shown"
    assert "Name withheld (GMP)" in text and "Quell" not in text and "Perpetua" not in text
    assert "Osric Danvers" in text, "the perpetrator's identity crosses"
    assert "[withheld" not in text
    assert axe_serious(pg, "'#alerts'") == []
    shot(pg.locator("#search-view"), "console-alerts.png")

    first = items.first
    rule = first.locator(".rule").inner_text()
    first.get_by_label("Note").fill("Told DS Hale at BTP; OP-ALERTS/9")
    first.get_by_role("button", name="Acknowledge").click()
    pg.locator("#alerts li.alert.acked").first.wait_for()
    acked = pg.locator("#alerts li.alert.acked")
    assert acked.count() == 1 and acked.locator(".rule").inner_text() == rule
    assert "Told DS Hale at BTP" in acked.inner_text()
    assert pg.locator("#alerts li.alert").last.get_attribute("class") == "alert acked", "acknowledged go last"
    # the person buttons open the person
    pg.locator("#alerts li.alert").first.get_by_role("button", name="Osric Danvers (ALR-R, offender)").click()
    pg.locator("#person-view").wait_for()
    assert "ALR-R" in pg.evaluate("location.hash")
    assert pg.errors == [], pg.errors
    ctx.close()
