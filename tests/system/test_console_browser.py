"""The investigator console in real headless Chromium (Debian's, driven by Playwright),
against the app served on a loopback port with data loaded in a real Neo4j and a real API key.

Screenshots land in a temporary folder, or in docs/img/ when ``GRAPHSVC_SCREENSHOTS=docs`` (to
refresh the documentation's pictures on purpose; a test run must not change tracked files). Tests that need API read routes skip, naming the routes, while
those routes are not in the app.
"""

from __future__ import annotations

import importlib
import io
import os
import tempfile
import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from werkzeug.serving import make_server

try:
    from tests.export_fixtures import DEPTH1_AGENCIES, DEPTH1_RECORD_NODES, OFFENDER, RECORDS
except ImportError:  # tests/ is not a package
    from export_fixtures import DEPTH1_AGENCIES, DEPTH1_RECORD_NODES, OFFENDER, RECORDS  # type: ignore[no-redef]

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
IMG = (Path(__file__).resolve().parents[2] / "docs" / "img" if os.environ.get("GRAPHSVC_SCREENSHOTS") == "docs"
       else Path(tempfile.mkdtemp(prefix="graphsvc-screens-")))
READ_ROUTES = ("/api/v1/search", "/api/v1/persons/<>", "/api/v1/persons/<>/fixation",
               "/api/v1/persons/<>/network")
DEPTH1_COUNT = len(DEPTH1_RECORD_NODES) + 1 + len(DEPTH1_AGENCIES)  # + the offender's address
DEPTH1_INCIDENTS = sum(1 for n in DEPTH1_RECORD_NODES if n.startswith("incident:"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/setup.sh)"),
]


def _missing_routes(app: Any, wanted: tuple[str, ...] = READ_ROUTES) -> list[str]:
    have = {re.sub(r"<[^>]+>", "<>", rule.rule) for rule in app.url_map.iter_rules()}
    return [r for r in wanted if r not in have]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def live(app, db, load) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    from graphsvc.security.keys import create_key

    stub = os.environ.get("GRAPHSVC_CONSOLE_DEV_STUB")  # development aid only; never in CI
    if stub:
        app.register_blueprint(importlib.import_module(stub).bp)
    load(RECORDS)
    token, _ = create_key(db, role="investigator", name="browser-test")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}/console/", "token": token, "app": app}
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def page(browser) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1360, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)  # generous: CI shares 2 cores with Neo4j
    yield pg
    context.close()


def _sign_in(page: Any, live: dict[str, Any], purpose: str = "OP-ELM/2025/017") -> None:
    page.goto(live["url"])
    page.get_by_label("API key").fill(live["token"])
    page.keyboard.press("Enter")
    page.get_by_label("Why are you searching?").fill(purpose)
    page.keyboard.press("Enter")
    page.get_by_role("search").wait_for()


def _require(live: dict[str, Any]) -> None:
    missing = _missing_routes(live["app"])
    if missing:
        pytest.skip("API read routes not in the app yet: " + ", ".join(missing))


def test_key_is_kept_in_session_storage_and_purpose_comes_before_search(page, live) -> None:  # type: ignore[no-untyped-def]
    page.goto(live["url"])
    assert page.locator("#signin-view").is_visible()
    assert not page.locator("#search-view").is_visible()
    page.get_by_label("API key").fill(live["token"])
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("#purpose-view").is_visible()
    assert not page.locator("#search-view").is_visible(), "no search before a purpose is given"
    assert page.evaluate("sessionStorage.getItem('graphsvc.key')") == live["token"]
    assert page.evaluate("localStorage.length") == 0
    page.get_by_label("Why are you searching?").fill("OP-ELM/2025/017")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("#search-view").is_visible()
    assert page.locator("#purpose-shown").inner_text() == "OP-ELM/2025/017"
    IMG.mkdir(parents=True, exist_ok=True)
    page.get_by_role("button", name="Sign out").click()
    assert page.evaluate("sessionStorage.getItem('graphsvc.key')") is None
    assert page.locator("#signin-view").is_visible()


def test_console_serves_no_third_party_code(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/console/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(r.startswith(("/console/", "#")) for r in refs), refs
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/console/static/vendor/cytoscape.min.js").status_code == 200
    assert client.get("/console/static/js/console.js").status_code == 200


def test_html_export_renders_offline(page, live, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.services.exports import export_network
    from graphsvc.extensions import graph_db

    with live["app"].app_context():
        content, _ = export_network(graph_db.get(), OFFENDER, 1, "html", "investigator", "pc.tester")
    path = tmp_path / "network.html"
    path.write_bytes(content)
    requests: list[str] = []

    def block(route: Any) -> None:
        requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", block)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.cy && window.cy.nodes().length > 0")
    assert page.evaluate("window.cy.nodes().length") == DEPTH1_COUNT
    assert all(u.startswith("file://") for u in requests), requests
    page.locator("input[data-type='incident']").uncheck()
    page.wait_for_function(f"() => window.cy.nodes(':visible').length === {DEPTH1_COUNT - DEPTH1_INCIDENTS}")
    hidden = page.evaluate("window.cy.nodes('.gv-hidden').map(n => n.data('type'))")
    assert hidden == ["incident"] * DEPTH1_INCIDENTS


def test_search_open_person_graph_expand_filter_export(page, live) -> None:  # type: ignore[no-untyped-def]
    _require(live)
    _sign_in(page, live)
    page.get_by_label("Name, phone, email, handle or vehicle").fill("Stone")
    page.keyboard.press("Enter")
    result = page.locator(f"button.result[data-person-id='{OFFENDER}']")
    result.wait_for()
    IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMG / "console-search.png"))
    result.click()

    graph = page.locator("#graph")
    page.wait_for_function(f"() => document.getElementById('graph').getAttribute('data-node-count') === '{DEPTH1_COUNT}'")
    assert page.evaluate("window.consoleGraph.nodes().length") == DEPTH1_COUNT
    # The timeline: one row per victim, incidents as dots, the order band, the recorded breach
    # ringed, and (once the fixation analysis arrives) the unrecorded one ringed dashed.
    page.locator("#timeline svg").wait_for()
    assert page.locator("#timeline .tl-row").count() == 3
    assert page.locator("#timeline .tl-incident").count() == 5
    assert page.locator("#timeline .tl-order").count() == 1
    page.locator("#timeline .tl-unrecorded").wait_for()
    assert page.locator("#timeline .tl-breach-mark").count() == 2
    assert page.locator("#timeline .tl-unrecorded").count() == 1
    # Profile, flags with evidence, and the fixation summary from the API.
    page.locator("#profile dt").first.wait_for()
    page.locator("#flags code").first.wait_for()
    page.locator("#fixation-summary table").wait_for()
    flags = page.locator("#flags").inner_text()
    assert "ORDER_BREACH" in flags and "MULTIPLE_VICTIMS" in flags, flags
    assert page.locator("#fixation-summary tr").count() == 1 + 3  # header + one row per victim
    evidence = page.locator("#flags .evidence button", has_text="I-3").first
    evidence.click()
    assert page.evaluate("window.consoleGraph.$(':selected').map(n => n.id())") == ["incident:I-3"]
    sync_api.expect(page.locator("#status")).to_have_text("")
    page.screenshot(path=str(IMG / "console-person.png"), full_page=True)

    # Expand V-1 by clicking its node on the canvas: P-2 and I-6 arrive. First let the
    # evidence's zoom animation finish and fit the whole graph into view.
    page.wait_for_function("() => !window.consoleGraph.animated()")
    page.get_by_role("button", name="Fit").click()
    graph.scroll_into_view_if_needed()
    pos = page.evaluate("""() => { const n = window.consoleGraph.getElementById('person:V-1');
        const p = n.renderedPosition(); return [p.x, p.y]; }""")
    box = graph.bounding_box()
    assert 0 < pos[0] < box["width"] and 0 < pos[1] < box["height"], (pos, box)
    page.mouse.click(box["x"] + pos[0], box["y"] + pos[1])
    page.wait_for_function("() => !window.consoleGraph.getElementById('person:P-2').empty()")
    expanded = page.evaluate("window.consoleGraph.nodes().length")
    assert expanded == DEPTH1_COUNT + 4  # I-6, P-2, V-1's phone and address
    assert page.evaluate("window.consoleGraph.getElementById('incident:I-6').empty()") is False

    # Filter: hide agencies.
    page.locator("#filters input[data-type='agency']").uncheck()
    assert graph.get_attribute("data-visible-count") == str(expanded - len(DEPTH1_AGENCIES))
    page.locator("#filters input[data-type='agency']").check()
    assert graph.get_attribute("data-visible-count") == str(expanded)

    # Change layout.
    page.get_by_label("Layout").select_option("concentric")
    page.screenshot(path=str(IMG / "console-network-expanded.png"), full_page=True)

    # Export: the GraphML download reads back with the depth-1 network.
    with page.expect_download() as info:
        page.locator("#exports button[data-format='graphml']").click()
    path = info.value.path()
    g = nx.read_graphml(path, force_multigraph=True)
    assert g.number_of_nodes() == DEPTH1_COUNT and f"person:{OFFENDER}" in g
    with page.expect_download() as info:
        page.locator("#exports button[data-format='csv']").click()
    assert zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())).namelist()


def test_keyboard_only_path_to_a_person_and_an_expansion(page, live) -> None:  # type: ignore[no-untyped-def]
    _require(live)
    page.goto(live["url"])
    page.keyboard.type(live["token"])  # the key field has focus
    page.keyboard.press("Enter")
    page.keyboard.type("OP-KEYBOARD/1")
    page.keyboard.press("Enter")
    page.keyboard.type("Stone")
    page.keyboard.press("Enter")
    page.locator(f"button.result[data-person-id='{OFFENDER}']").wait_for()
    assert page.evaluate("document.activeElement.getAttribute('data-person-id')") == OFFENDER
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.getElementById('graph').getAttribute('data-node-count') === '{DEPTH1_COUNT}'")
    page.locator("#node-list").focus()
    page.locator("#node-list").select_option("person:V-3")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => window.consoleGraph.nodes().length > {DEPTH1_COUNT} || "
                           "document.getElementById('status').textContent.indexOf('Added') >= 0")
    assert "Added" in page.locator("#status").inner_text()
