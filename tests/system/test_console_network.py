"""The console's network view, timeline and the HTML export in real headless Chromium, on the
synthetic register of tests/system/console_fixtures.py: layout, shapes and colours, legend,
labels, filters, expansion, the timeline (rows, severity, orders, breaches, axis, brush,
exports) kept in step with the network, and times shown as recorded in any browser zone."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

try:
    from tests.system.console_fixtures import (
        browser, click_node, new_page, open_person, page, requires_chromium, service, shot,
    )
except ImportError:  # tests/ is not a package
    from console_fixtures import (  # type: ignore[no-redef]
        browser, click_node, new_page, open_person, page, requires_chromium, service, shot,
    )

__all__ = ["browser", "page", "service"]  # fixtures, imported for pytest

pytestmark = [pytest.mark.slow, requires_chromium]

# label boxes of the labels drawn, and node boxes, in rendered pixels (Cytoscape's own measure)
OVERLAPS = """(cy) => {
  cy.nodes().forEach(n => n.position(n.position()));  // fresh bounding boxes (Cytoscape caches them)
  const boxes = (sel, opts) => cy.nodes(sel).filter(n => n.visible()).map(n => n.renderedBoundingBox(opts));
  const hit = (a, b) => a.x1 < b.x2 && a.x2 > b.x1 && a.y1 < b.y2 && a.y2 > b.y1;
  const count = (bs) => { let c = 0; for (let i = 0; i < bs.length; i++) for (let j = i + 1; j < bs.length; j++) if (hit(bs[i], bs[j])) c++; return c; };
  const labels = boxes('.gv-label', {includeNodes: false, includeEdges: false, includeLabels: true});
  const nodes = boxes('', {includeNodes: true, includeEdges: false, includeLabels: false});
  const pairs = []; const ls = cy.nodes('.gv-label').filter(n => n.visible());
  for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) if (hit(labels[i], labels[j])) pairs.push([ls[i].data('short'), ls[j].data('short')]);
  return {labels: labels.length, label_overlaps: count(labels), nodes: nodes.length, node_overlaps: count(nodes), pairs: pairs.slice(0, 4)};
}"""


# shown by the filter: Cytoscape refreshes an element's visible() lazily after a style batch, so
# a check made straight after a filter change reads the style itself
SHOWN = "n => n.style('display') !== 'none'"


def _timeline_answer(service: dict[str, Any]) -> dict[str, Any]:
    """What the timeline should show: the timeline answer, or (while that route is absent) the
    fixation answer's victims in the same shape."""
    api, subject = service["api"], service["subject"]
    if api.status(f"/persons/{subject}/timeline") == 200:
        return api.get(f"/persons/{subject}/timeline")
    fix = api.get(f"/persons/{subject}/fixation")
    scale = fix["severity_scale"]
    net = api.get(f"/persons/{subject}/network?depth=2&format=cytoscape")["elements"]["nodes"]
    inc = {n["data"]["record_id"]: n["data"] for n in net if n["data"]["type"] == "incident"}
    rows = [{"victim_id": v["victim_id"], "incidents": [
        {"id": i, "occurred_at": inc[i]["occurred_at"], "severity": scale.get(inc[i]["incident_type"], 1),
         "breach": inc[i]["incident_type"] == "breach" or i in {b.get("incident_id") for b in v["breaches"]}}
        for i in v["incident_ids"] if i in inc]} for v in fix["victims"]]
    return {"rows": rows, "orders": [o for v in fix["victims"] for o in v["orders"]]}


def test_network_reads_at_about_100_nodes_shapes_colours_legend_labels(page, service) -> None:  # type: ignore[no-untyped-def]
    open_person(page, service, depth=3)
    cy = page.evaluate_handle("window.consoleGraph")
    n = page.evaluate("cy => cy.nodes().length", cy)
    assert 60 <= n <= 300, n
    looks = page.evaluate("""cy => { const m = {}; cy.nodes().forEach(n => { const k = n.data('kind');
        (m[k] = m[k] || new Set()).add(n.style('shape') + ' ' + n.style('background-color')); });
        return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [...v]])); }""", cy)
    for kind in ("offender", "victim", "incident", "phone"):
        assert kind in looks, (kind, sorted(looks))
    for kind, styles in looks.items():
        assert len(styles) == 1 or kind in ("offender", "victim", "person"), (kind, styles)  # redacted nodes aside
    firsts = {k: v[0] for k, v in looks.items()}
    assert len(set(firsts.values())) == len(firsts), "two kinds look the same"
    shapes = {k: v.split(" ")[0] for k, v in firsts.items()}
    colours = {k: v.split(" ", 1)[1] for k, v in firsts.items()}
    assert len(set(shapes.values())) == len(shapes) and len(set(colours.values())) == len(colours), firsts
    # the legend: every kind and every edge style, the dashed proposed identity link among them
    legend = page.locator("#graph-legend")
    assert legend.locator("li[data-kind]").count() == page.evaluate("GraphView.KIND_ORDER.length")
    assert "dashed" in legend.locator("li[data-edge='POSSIBLY_SAME_AS']").inner_text()
    styles = page.evaluate("""cy => cy.edges('[type = "POSSIBLY_SAME_AS"]').map(e => [e.data('status'), e.style('line-style')])""", cy)
    assert styles and all(s == "dashed" for st, s in styles if st == "proposed"), styles
    # labels where they fit: some drawn, none overlapping; no two nodes on top of each other
    m = page.evaluate(OVERLAPS, cy)
    assert m["labels"] >= 10 and m["label_overlaps"] == 0, (m["pairs"], m)
    assert m["node_overlaps"] <= n // 50, m
    shot(page.locator("#graph"), "console-network-100.png")
    # zoom in: more labels, still none overlapping
    page.evaluate("cy => { cy.zoom({level: cy.zoom() * 2.5, renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}}); }", cy)
    page.wait_for_timeout(300)
    zoomed = page.evaluate(OVERLAPS, cy)
    assert zoomed["label_overlaps"] == 0, (zoomed["pairs"], zoomed)
    # hover: an unlabelled node shows its label
    target = page.evaluate("""cy => { const n = cy.nodes(':visible').filter(n => !n.hasClass('gv-label')
        && n.renderedPosition().x > 20 && n.renderedPosition().x < cy.width() - 20
        && n.renderedPosition().y > 20 && n.renderedPosition().y < cy.height() - 20)[0];
        const p = n.renderedPosition(); return [n.id(), p.x, p.y]; }""", cy)
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + target[1], box["y"] + target[2])
    page.wait_for_function(f"() => window.consoleGraph.getElementById({target[0]!r}).hasClass('gv-hover')")
    assert page.evaluate(f"window.consoleGraph.getElementById({target[0]!r}).style('label')") != ""


def _cluster_of(service: dict[str, Any], low: int, high: int) -> tuple[list[str], int]:
    """Unidentified clusters added until their depth-1 network has low-high nodes."""
    from graphsvc.extensions import graph_db
    from graphsvc.services.exports import cluster_network

    clusters = service["api"].get("/patterns/unidentified?limit=200")["clusters"]
    ids: list[str] = []
    with service["app"].app_context():
        for c in clusters:
            trial = ids + c["incident_ids"]
            size = cluster_network(graph_db.get(), trial, 1, "investigator", "t").graph.number_of_nodes()
            if size > high:
                continue
            ids = trial
            if size >= low:
                return ids, size
    pytest.fail(f"the register's unidentified clusters do not reach {low} nodes")


def test_html_export_uses_the_console_layout_and_reads_at_about_300_nodes(browser, service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.extensions import graph_db
    from graphsvc.export import html

    from graphsvc.services.exports import cluster_network

    ids, size = _cluster_of(service, 250, 300)
    with service["app"].app_context():
        content = html.write(cluster_network(graph_db.get(), ids, 1, "investigator", "pc.tester"))
    path = tmp_path / "network.html"
    path.write_bytes(content)
    ctx, pg = new_page(browser)
    requests: list[str] = []

    def block(route: Any) -> None:
        requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    try:
        pg.route("**/*", block)
        pg.goto(path.as_uri())
        pg.wait_for_function("() => window.cy && window.cy.nodes().length > 0")
        assert pg.evaluate("window.cy.nodes().length") == size
        assert all(u.startswith("file://") for u in requests), requests
        assert pg.locator("#legend li[data-edge='POSSIBLY_SAME_AS']").count() == 1
        pg.wait_for_timeout(300)
        m = pg.evaluate(OVERLAPS, pg.evaluate_handle("window.cy"))
        assert m["labels"] >= 10 and m["label_overlaps"] == 0, (m["pairs"], m)
        assert m["node_overlaps"] <= size // 50, m
        shot(pg, "export-html-300.png")
        incidents = pg.evaluate("window.cy.nodes('[type = \"incident\"]').length")
        pg.locator("input[data-type='incident']").uncheck()
        # the filter hides them on the change event: wait for it rather than race it (on a
        # loaded machine the first evaluate can run before the handler has)
        pg.wait_for_function("() => window.cy.nodes('[kind = \"incident\"]:visible').length === 0", timeout=10_000)
        assert incidents > 0 and pg.errors == []
    finally:
        ctx.close()


def test_filters_by_type_and_date_and_expansion_on_click(page, service) -> None:  # type: ignore[no-untyped-def]
    open_person(page, service, depth=1)
    graph = page.locator("#graph")
    total = int(graph.get_attribute("data-node-count"))
    incidents = page.evaluate("window.consoleGraph.nodes('[type = \"incident\"]').length")
    page.locator("#kind-filters input[data-type='incident']").uncheck()
    assert page.evaluate(f"window.consoleGraph.nodes('[kind = \"incident\"]').filter({SHOWN}).length") == 0
    page.locator("#kind-filters input[data-type='incident']").check()
    assert int(graph.get_attribute("data-visible-count")) == total
    # date range: incidents outside it hidden, those inside kept (by their recorded date)
    days = sorted(page.evaluate("window.consoleGraph.nodes('[type = \"incident\"]').map(n => n.data('occurred_at').slice(0, 10))"))
    lo, hi = days[len(days) // 4], days[(3 * len(days)) // 4]
    page.locator("#date-from").fill(lo)
    page.locator("#date-to").fill(hi)
    page.locator("#date-to").dispatch_event("change")
    shown = page.evaluate(f"window.consoleGraph.nodes('[type = \"incident\"]').filter({SHOWN}).map(n => n.data('occurred_at').slice(0, 10))")
    assert shown and all(lo <= d <= hi for d in shown) and len(shown) == sum(lo <= d <= hi for d in days)
    page.get_by_role("button", name="All dates").click()
    assert page.evaluate(f"window.consoleGraph.nodes('[type = \"incident\"]').filter({SHOWN}).length") == incidents
    # expansion on click: a victim's own network arrives
    page.wait_for_function("() => !window.consoleGraph.animated()")
    # a victim no other node covers (a click lands on the topmost node under the pointer)
    victim = page.evaluate("""() => { const cy = window.consoleGraph; cy.fit();
        const hit = (a, b) => a.x1 < b.x2 && a.x2 > b.x1 && a.y1 < b.y2 && a.y2 > b.y1;
        const others = (v) => cy.nodes(':visible').filter(o => o.id() !== v.id() && hit(o.renderedBoundingBox(), v.renderedBoundingBox()));
        const vs = cy.nodes('[kind = "victim"]'); return (vs.filter(v => others(v).empty())[0] || vs[0]).id(); }""")
    click_node(page, victim)
    page.wait_for_function(f"() => window.consoleGraph.nodes().length > {total}")
    assert "Added" in page.locator("#status").inner_text()


def test_timeline_rows_severity_orders_breaches_axis_brush_and_exports(page, service) -> None:  # type: ignore[no-untyped-def]
    want = _timeline_answer(service)
    open_person(page, service)
    rows = page.locator("#timeline .tl-row")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.victim)") == [r["victim_id"] for r in want["rows"]]
    marks = {c["id"]: c for c in page.locator("#timeline .tl-incident").evaluate_all(
        "cs => cs.map(c => ({id: c.dataset.id, severity: +c.dataset.severity, fill: c.getAttribute('fill')}))")}
    expected = {i["id"]: i for r in want["rows"] for i in r["incidents"]}
    assert set(marks) == set(expected)
    fills: dict[int, set[str]] = {}
    for i, inc in expected.items():
        assert marks[i]["severity"] == inc["severity"], i
        fills.setdefault(inc["severity"], set()).add(marks[i]["fill"])
    assert all(len(f) == 1 for f in fills.values()) and len({next(iter(f)) for f in fills.values()}) == len(fills)
    assert page.locator("#timeline .tl-breach-mark").count() == sum(1 for i in expected.values() if i["breach"])
    assert page.locator("#timeline .tl-order").count() >= len({o["id"] for o in want["orders"]}) > 0 or not want["orders"]
    # the axis: months for the whole period, days once zoomed in
    assert page.locator("#timeline").get_attribute("data-unit") == "month"
    ticks = page.locator("#timeline .tl-tick").evaluate_all("ts => ts.map(t => t.textContent)")
    assert ticks and all(re.fullmatch(r"(\d{4} )?[A-Z][a-z]{2}", t) for t in ticks), ticks
    shot(page.locator("#timeline"), "console-timeline.png")
    # the brush filters the network by date
    svg = page.locator("#timeline svg").bounding_box()
    y = svg["y"] + 40
    page.mouse.move(svg["x"] + svg["width"] * 0.45, y)
    page.mouse.down()
    page.mouse.move(svg["x"] + svg["width"] * 0.7, y, steps=5)
    page.mouse.up()
    lo, hi = page.locator("#date-from").input_value(), page.locator("#date-to").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", lo) and lo < hi, (lo, hi)
    shown = page.evaluate("window.consoleGraph.nodes('[type = \"incident\"]').filter(n => n.visible()).map(n => n.data('occurred_at').slice(0, 10))")
    assert all(lo <= d <= hi for d in shown)
    page.get_by_role("button", name="Zoom to dates").click()
    for _ in range(8):
        if page.locator("#timeline").get_attribute("data-unit") == "day":
            break
        page.get_by_role("button", name="Zoom in").click()
    assert page.locator("#timeline").get_attribute("data-unit") == "day"
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", t) for t in page.locator("#timeline .tl-tick").evaluate_all("ts => ts.map(t => t.textContent)"))
    page.get_by_role("button", name="Whole period").click()
    # exports from the console: SVG (with every row and mark) and PNG
    with page.expect_download() as info:
        page.get_by_role("button", name="Save timeline as SVG").click()
    tree = ET.parse(info.value.path())
    circles = [c for c in tree.iter("{http://www.w3.org/2000/svg}circle") if "tl-incident" in (c.get("class") or "")]
    assert len(circles) == len(expected)
    with page.expect_download() as info:
        page.get_by_role("button", name="Save timeline as PNG").click()
    png = Path(info.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24])[0] >= 900


def test_selection_is_kept_in_step_between_network_and_timeline(page, service) -> None:  # type: ignore[no-untyped-def]
    open_person(page, service)
    # marks a few days apart are stacked, not drawn over each other: every mark can be clicked
    overlaps = page.evaluate("""() => { const cs = [...document.querySelectorAll('#timeline .tl-incident')];
        const bs = cs.map(c => c.getBoundingClientRect()); const out = [];
        for (let i = 0; i < bs.length; i++) for (let j = i + 1; j < bs.length; j++) {
          const a = bs[i], b = bs[j];
          if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top) out.push([cs[i].dataset.id, cs[j].dataset.id]); }
        return out; }""")
    assert not overlaps, repr(overlaps)
    both = page.evaluate("""() => { const t = new Set([...document.querySelectorAll('#timeline .tl-incident')].map(c => c.dataset.id));
        return window.consoleGraph.nodes('[type = "incident"]').map(n => n.data('record_id')).filter(r => t.has(r)); }""")
    assert len(both) >= 2
    page.locator(f"#timeline .tl-incident[data-id='{both[0]}']").click()
    assert page.evaluate("window.consoleGraph.$(':selected').map(n => n.data('record_id'))") == [both[0]]
    assert page.locator("#timeline .tl-selected").evaluate_all("cs => cs.map(c => c.dataset.id)") == [both[0]]
    node = page.evaluate(f"""() => {{ const cy = window.consoleGraph; const n = cy.nodes().filter(n => n.data('record_id') === {both[1]!r})[0];
        cy.center(n); return n.id(); }}""")
    click_node(page, node)
    page.wait_for_function(f"() => [...document.querySelectorAll('#timeline .tl-selected')].map(c => c.dataset.id).join() === {both[1]!r}")


def test_times_are_shown_as_recorded_whatever_the_browser_zone(browser, service) -> None:  # type: ignore[no-untyped-def]
    want = _timeline_answer(service)
    ctx, pg = new_page(browser, timezone_id="Pacific/Auckland")
    try:
        assert pg.evaluate("() => new Date(0).getTimezoneOffset()") != 0  # the browser is far from London
        open_person(pg, service)
        titles = dict(pg.locator("#timeline .tl-incident").evaluate_all(
            "cs => cs.map(c => [c.dataset.id, c.querySelector('title').textContent])"))
        for row in want["rows"]:
            for inc in row["incidents"]:
                s = inc["occurred_at"]
                recorded = s if len(s) == 10 else s[:10] + " " + s[11:16]
                assert recorded in titles[inc["id"]], (s, titles[inc["id"]])
        # marks by instant, ticks on London midnights: 00:55 BST on 22 August is right of "22 Aug"
        placed = pg.evaluate("""() => { const t = Timeline.instant('2024-08-22T00:55:00+01:00');
            const day = Timeline.ticks(t - 3 * 86400000, t + 3 * 86400000, 600).ticks.find(k => k.label === '22 Aug');
            return [t - day.t, Timeline.londonDate(t), Timeline.shown('2024-08-22T00:55:00+01:00')]; }""")
        assert 0 < placed[0] < 3600000 and placed[1] == "2024-08-22" and placed[2] == "2024-08-22 00:55 (+01:00)", placed
        assert pg.errors == []
    finally:
        ctx.close()
