"""The timeline picture (graphsvc.export.timeline): SVG and PNG of the timeline answer
(/work/wt/notes/timeline-spec.md), from answers built here as the spec shapes them. What an
analyst relies on: one row per victim, incidents at their local day, severity by a colour-blind
safe scale with a legend, breaches distinct by shape, orders as bands on the protected rows, a
date axis of months or days, and the provenance footer. All names and ids fictional."""

from __future__ import annotations

import io
from typing import Any

import pytest
from lxml import etree
from PIL import Image

from graphsvc.export.network import NOTICE
from graphsvc.export.timeline import SEVERITY_COLOURS, write_png, write_svg

SVG = "{http://www.w3.org/2000/svg}"
SCALE = {"call": 1, "text": 1, "email": 1, "social_media": 1, "letter": 1, "other": 1, "gift": 2,
         "surveillance": 3, "following": 4, "loitering": 4, "visit": 4, "damage": 5, "breach": 5,
         "threat": 6, "assault": 7}


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def incident(iid: str, at: str, kind: str, breach: bool = False, order: str | None = None) -> dict[str, Any]:
    return {"id": iid, "occurred_at": at, "occurred_precision": "date" if len(at) == 10 else "datetime",
            "type": kind, "severity": SCALE[kind], "breach": breach, "order_id": order}


def answer(long: bool = True) -> dict[str, Any]:
    """A timeline answer as the spec shapes it: three victims, the first two records joined by a
    proposed link, an order protecting her (by her second record id) that he breached."""
    first = [incident("T-I-01", "2024-01-03T21:10:00+00:00", "call"),
             incident("T-I-02", "2024-02-14", "gift"),
             incident("T-I-03", "2024-04-02T08:00:00+01:00", "breach", True, "T-O-1"),
             incident("T-I-04", "2024-08-22T00:55:00+01:00", "visit", True, "T-O-1")]
    second = [incident("T-I-11", "2024-05-01T12:00:00+01:00", "email"),
              incident("T-I-12", "2024-07-01T12:00:00+01:00", "assault")]
    third = [incident("T-I-21", "2024-06-15", "threat")]
    if not long:  # two weeks of August
        first = [incident("T-I-04", "2024-08-22T00:55:00+01:00", "visit", True, "T-O-1")]
        second = [incident("T-I-13", "2024-08-14T09:00:00+01:00", "text")]
        third = [incident("T-I-22", "2024-08-18", "damage")]
    rows = [
        {"victim_id": "T-P-10", "record_ids": ["T-P-10", "U-P-42"], "proposed": True, "label": "Zoë Łukasiewicz",
         "source": "GMP", "incidents": first},
        {"victim_id": "T-P-20", "record_ids": ["T-P-20"], "proposed": False, "label": "José Muñoz",
         "source": "WMP", "incidents": second},
        {"victim_id": "T-P-30", "record_ids": ["T-P-30"], "proposed": False, "label": "T-P-30",
         "source": "MPS", "incidents": third},
    ]
    for row in rows:
        row["first_contact"], row["last_contact"] = row["incidents"][0]["occurred_at"], row["incidents"][-1]["occurred_at"]
    days = sorted(i["occurred_at"][:10] for r in rows for i in r["incidents"])
    return {
        "person_id": "T-P-01", "identity": {"person_ids": ["T-P-01"]},
        "range": {"start": min(days[0], "2024-03-01") if long else days[0], "end": days[-1]},
        "rows": rows,
        "orders": [{"id": "T-O-1", "type": "restraining_order", "issued_on": "2024-03-01", "expires_on": "2026-03-01",
                    "active": True, "respondent_id": "T-P-01", "protected_ids": ["U-P-42"]}],
        "breaches": sorted(i["id"] for r in rows for i in r["incidents"] if i["breach"]),
        "severity_scale": dict(SCALE),
    }


def draw(timeline: dict[str, Any]) -> etree._Element:
    text = write_svg(timeline, exported_by="pc.tester", role="investigator", exported_at="2026-12-03T17:00:00+00:00")
    return etree.fromstring(text.encode("utf-8"))


def marks(svg: etree._Element) -> dict[str, etree._Element]:
    return {el.get("data-record-id"): el for el in svg.iter(f"{SVG}circle", f"{SVG}path")
            if el.get("class") in ("incident", "breach")}


def texts(svg: etree._Element) -> dict[str, etree._Element]:
    return {"".join(el.itertext()): el for el in svg.iter(f"{SVG}text")}


def row_band(svg: etree._Element, label: str) -> tuple[float, float]:
    """The vertical extent of the row whose label is ``label``."""
    victim = texts(svg)[label].get("data-record-id")
    rect = next(r for r in svg.iter(f"{SVG}rect") if r.get("class") == "row" and r.get("data-record-id") == victim)
    y = float(rect.get("y"))
    return y, y + float(rect.get("height"))


def mark_xy(el: etree._Element) -> tuple[float, float]:
    if el.tag == f"{SVG}circle":
        return float(el.get("cx")), float(el.get("cy"))
    first = el.get("d").split("L")[0].lstrip("M").split()  # the diamond's top corner: (x, y - d)
    bottom = el.get("d").split("L")[2].split()
    return float(first[0]), (float(first[1]) + float(bottom[1])) / 2


def test_one_row_per_victim_with_every_incident_on_its_row() -> None:
    timeline = answer()
    svg = draw(timeline)
    labels = texts(svg)
    for row in timeline["rows"]:
        assert row["label"] in labels
        top, bottom = row_band(svg, row["label"])
        for inc in row["incidents"]:
            _, y = mark_xy(marks(svg)[inc["id"]])
            assert top < y < bottom, (row["label"], inc["id"])
    assert len(marks(svg)) == sum(len(r["incidents"]) for r in timeline["rows"])
    assert "T-P-10 · 2 records · proposed link · 4 incidents" in labels


def test_a_burst_of_incidents_stacks_so_no_mark_is_drawn_over_another() -> None:
    timeline = answer()
    burst = [incident(f"T-I-3{k}", f"2024-05-{10 + k:02d}T20:00:00+01:00", "text") for k in range(9)]
    timeline["rows"][1]["incidents"] = sorted(timeline["rows"][1]["incidents"] + burst, key=lambda i: i["occurred_at"])
    svg = draw(timeline)
    drawn = marks(svg)
    assert len(drawn) == sum(len(r["incidents"]) for r in timeline["rows"])
    boxes = {}
    for iid, el in drawn.items():
        x, y = mark_xy(el)
        r = float(el.get("r")) if el.get("r") else float(el.get("d").split("L")[1].split()[0]) - x
        boxes[iid] = (x - r, y - r, x + r, y + r)
    close = [(a, b) for a in boxes for b in boxes if a < b and boxes[a][0] < boxes[b][2] and boxes[a][2] > boxes[b][0]
             and boxes[a][1] < boxes[b][3] and boxes[a][3] > boxes[b][1]]
    assert close == []
    top, bottom = row_band(svg, "José Muñoz")
    assert bottom - top > 36  # the row grew to hold the stack
    for inc in timeline["rows"][1]["incidents"]:  # and every mark is still on its own row
        assert top < mark_xy(drawn[inc["id"]])[1] < bottom
    other_top, _ = row_band(svg, "T-P-30")
    assert other_top >= bottom


def test_severity_colours_follow_the_scale_and_read_in_greyscale() -> None:
    svg = draw(answer())
    for iid, el in marks(svg).items():
        assert el.get("fill") == SEVERITY_COLOURS[int(el.get("data-severity")) - 1], iid
    assert marks(svg)["T-I-12"].get("data-severity") == "7"  # assault, the top of the scale
    # ordered by luminance, each step clearly darker (what keeps a sequential scale readable for
    # colour-blind readers and in greyscale print)
    lum = [luminance(c) for c in SEVERITY_COLOURS]
    assert all(a - b > 0.04 for a, b in zip(lum, lum[1:])), lum
    legend = "".join(svg.find(f".//{SVG}g[@class='legend']").itertext())
    assert "7 assault" in legend and "6 threat" in legend and "breach of an order" in legend


def test_breaches_are_marked_by_shape() -> None:
    timeline = answer()
    svg = draw(timeline)
    drawn = marks(svg)
    for iid, el in drawn.items():
        assert (el.get("class") == "breach") == (iid in timeline["breaches"]), iid
    assert drawn["T-I-04"].tag == f"{SVG}path" and drawn["T-I-01"].tag == f"{SVG}circle"
    assert "BREACH of T-O-1" in drawn["T-I-04"].findtext(f"{SVG}title")


def test_orders_are_bands_across_the_rows_of_the_victims_they_protect() -> None:
    svg = draw(answer())
    bands = [el for el in svg.iter(f"{SVG}rect") if el.get("class") == "order"]
    assert len(bands) == 1 and bands[0].get("data-record-id") == "T-O-1"
    top, bottom = row_band(svg, "Zoë Łukasiewicz")  # protected by her second record id, U-P-42
    assert top <= float(bands[0].get("y")) and float(bands[0].get("y")) + float(bands[0].get("height")) <= bottom
    # the band starts on 1 March: after the February gift, before the April breach
    x0 = float(bands[0].get("x"))
    assert mark_xy(marks(svg)["T-I-02"])[0] < x0 < mark_xy(marks(svg)["T-I-03"])[0]
    assert any("expires 2026-03-01" in t for t in texts(svg))


def test_a_long_range_has_a_month_axis() -> None:
    labels = texts(draw(answer()))
    assert {"Jan 2024", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"} <= set(labels)
    assert "axis: months" in labels


def test_a_short_range_has_days_and_times_stay_on_their_local_day() -> None:
    svg = draw(answer(long=False))
    labels = texts(svg)
    assert "axis: days" in labels and {"14 Aug 2024", "15 Aug", "22 Aug", "23 Aug"} <= set(labels)
    # 00:55 on 22 August (+01:00) is 23:55 on the 21st in UTC: drawn on the 22nd
    x = mark_xy(marks(svg)["T-I-04"])[0]
    assert float(labels["22 Aug"].get("x")) < x < float(labels["23 Aug"].get("x"))
    assert x - float(labels["22 Aug"].get("x")) < 0.1 * (float(labels["23 Aug"].get("x")) - float(labels["22 Aug"].get("x")))


def test_the_footer_carries_the_provenance() -> None:
    svg = draw(answer())
    labels = set(texts(svg))
    assert NOTICE in labels
    footer = next(t for t in labels if t.startswith("Exported by"))
    assert "pc.tester (investigator)" in footer and "2026-12-03T17:00:00+00:00" in footer
    assert "agencies: GMP, MPS, WMP" in footer and "3 rows, 7 incidents, 1 order, 2 breaches" in footer


def test_names_are_escaped_and_an_empty_timeline_still_draws() -> None:
    hostile = answer()
    hostile["rows"][0]["label"] = '<script>alert("x")</script>'
    text = write_svg(hostile, exported_by="a&b", role="investigator")
    assert "<script>" not in text and etree.fromstring(text.encode()) is not None
    empty = {"person_id": "T-P-99", "range": {"start": None, "end": None}, "rows": [], "orders": [],
             "breaches": [], "severity_scale": SCALE}
    svg = draw(empty)
    assert any("No incidents" in t for t in texts(svg))


def test_png_is_the_same_picture() -> None:
    timeline = answer()
    svg = draw(timeline)
    png = write_png(timeline, exported_by="pc.tester", role="investigator")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png)).convert("RGB")
    scale = image.width / float(svg.get("width"))
    assert scale == pytest.approx(1.5, abs=0.01)
    assert image.height == pytest.approx(float(svg.get("height")) * scale, abs=1)
    # the assault's mark is painted in the top colour of the scale, where the SVG puts it
    x, y = mark_xy(marks(svg)["T-I-12"])
    top = tuple(int(SEVERITY_COLOURS[6][i:i + 2], 16) for i in (1, 3, 5))
    assert image.getpixel((round(x * scale), round(y * scale))) == top
