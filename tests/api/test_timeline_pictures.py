"""GET /persons/{id}/timeline?format=svg|png (issue #17): the timeline answer drawn, over HTTP:
content types, attachment names, the same rows as the json answer, roles, redaction and audit."""

from __future__ import annotations

import io

import pytest
from lxml import etree
from PIL import Image

from graphsvc.security import keys as auth
from tests.api.test_timeline_api import _register
from tests.audited_reads import audited, investigator

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def register(db, load):  # type: ignore[no-untyped-def]
    """The json tests' register (a serial stalker, a victim with two records joined by a proposed
    link, an order and its breach)."""
    _register(db, load)
    return db


def test_svg_draws_the_json_answer(client, register) -> None:  # type: ignore[no-untyped-def]
    h = investigator(register, "OP-PICTURE")
    body = client.get("/api/v1/persons/SO/timeline", headers=h).get_json()
    r = client.get("/api/v1/persons/SO/timeline?format=svg", headers=h)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/svg+xml"
    assert r.headers["Content-Disposition"] == 'attachment; filename="timeline-SO.svg"'
    svg = etree.fromstring(r.data)
    texts = {"".join(t.itertext()) for t in svg.iter(f"{SVG}text")}
    assert {row["label"] for row in body["rows"]} <= texts  # one row per distinct victim, by name
    drawn = {el.get("data-record-id"): el for el in svg.iter(f"{SVG}circle", f"{SVG}path")
             if el.get("class") in ("incident", "breach")}
    assert set(drawn) == {i["id"] for row in body["rows"] for i in row["incidents"]}
    assert {k for k, el in drawn.items() if el.get("class") == "breach"} == set(body["breaches"]) == {"I4"}
    assert [el.get("data-record-id") for el in svg.iter(f"{SVG}rect") if el.get("class") == "order"] == ["O1"]
    assert any(t.startswith("Exported by test-op-picture#") and "(investigator)" in t for t in texts)


def test_png_is_a_picture_with_a_filename(client, register) -> None:  # type: ignore[no-untyped-def]
    h = investigator(register, "OP-PICTURE")
    r = client.get("/api/v1/persons/SO/timeline?format=png", headers=h)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    assert r.headers["Content-Disposition"] == 'attachment; filename="timeline-SO.png"'
    image = Image.open(io.BytesIO(r.data))
    assert image.format == "PNG" and image.width >= 1280


def test_pictures_are_audited_and_refused_like_the_json(client, register) -> None:  # type: ignore[no-untyped-def]
    h = investigator(register, "OP-PICTURE-AUDIT")
    assert client.get("/api/v1/persons/SO/timeline?format=svg", headers=h).status_code == 200
    mine = audited(client, register, "V2B", "/api/v1/persons/SO/timeline")
    assert len(mine) == 1 and mine[0]["action"] == "consultation" and mine[0]["purpose"] == "OP-PICTURE-AUDIT"
    assert mine[0]["query"]["format"] == "svg"
    assert {"SO", "V1", "V2A", "V2B"} <= set(mine[0]["person_ids"])
    case = auth.create_key(register, role="case_system", name="picture-case")[0]
    assert client.get("/api/v1/persons/SO/timeline?format=png",
                      headers={"Authorization": f"Bearer {case}", "X-Purpose": "x"}).status_code == 403
    assert client.get("/api/v1/persons/NOPE/timeline?format=svg", headers=h).status_code == 404
    assert client.get("/api/v1/persons/SO/timeline?format=pdf", headers=h).status_code == 400


def test_the_document_offers_the_pictures(client, register) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").get_json()
    content = spec["paths"]["/persons/{id}/timeline"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "image/svg+xml", "image/png"}
    assert content["application/json"]["schema"]["$ref"].endswith("/TimelineResponse")
