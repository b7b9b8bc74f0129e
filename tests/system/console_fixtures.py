"""Shared by the console's browser tests: a synthetic register (``graphsvc generate``) loaded
once per module through ``graphsvc load`` (so identity resolution runs and proposes real
links), one service on a loopback port, one Chromium, and the subject the tests look at.

The subject is picked from the API's answers, not hard-coded: the serial offender with
proposed identity links and the largest depth-3 network of at most 300 nodes. Screenshots go
to a temporary folder, or to docs/img/ with ``GRAPHSVC_SCREENSHOTS=docs`` (a test run must not
change tracked files unless asked to).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IMG = (ROOT / "docs" / "img" if os.environ.get("GRAPHSVC_SCREENSHOTS") == "docs"
       else Path(tempfile.mkdtemp(prefix="graphsvc-screens-")))
PEOPLE, SEED = 1000, 3
PURPOSE = "OP-ELM/2025/017"

requires_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                       reason="Debian's chromium is not installed (scripts/setup.sh)")


class Api:
    """The API as the tests' own client (a real key, a purpose), to read what the console
    should show."""

    def __init__(self, client: Any, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}", "X-Purpose": PURPOSE}

    def get(self, path: str) -> Any:
        r = self.client.get("/api/v1" + path, headers=self.headers)
        assert r.status_code == 200, (path, r.status_code, r.get_data(as_text=True)[:300])
        return r.get_json()

    def status(self, path: str) -> int:
        return int(self.client.get("/api/v1" + path, headers=self.headers).status_code)


def _pick_subject(api: Api) -> str:
    best: tuple[int, str] | None = None
    for p in api.get("/patterns/serial?limit=200")["persons"]:
        if not p["identity"]["unconfirmed"]:
            continue
        n = len(api.get(f"/persons/{p['person_id']}/network?depth=3&format=cytoscape")["elements"]["nodes"])
        if n <= 300 and (best is None or n > best[0]):
            best = (n, p["person_id"])
    assert best is not None, "the synthetic register has no serial offender with a proposed identity link"
    return best[1]


def load_register(neo4j_env: dict[str, str], db: Any, out: Path) -> None:
    """Empties the graph and loads the register through ``graphsvc load --resolve``."""
    from click.testing import CliRunner

    from graphsvc.cli import main

    db.execute("MATCH (n) DETACH DELETE n")
    result = CliRunner().invoke(main, ["load", str(out), "--resolve"], env=neo4j_env)
    assert result.exit_code == 0, result.output


def register_loaded(db: Any, persons: int) -> bool:
    """Whether the graph still holds the register (another module's test may have emptied it)."""
    rows = db.execute("MATCH (p:Person) RETURN count(p) AS n")
    return bool(rows) and int(rows[0]["n"]) == persons


@pytest.fixture(scope="module")
def service(neo4j_settings, neo4j_env, _database, console_register) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The register loaded, the app served, a key, the subject: shared by a module's tests."""
    from graphsvc.app import create_app
    from graphsvc.security.keys import create_key

    if not register_loaded(_database, console_register["persons"]):
        load_register(neo4j_env, _database, console_register["path"])
    app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": neo4j_settings})
    token, _ = create_key(_database, role="investigator", name=f"browser-test {secrets.token_hex(4)}")
    api = Api(app.test_client(), token)
    subject = _pick_subject(api)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}/console/", "token": token, "app": app,
               "api": api, "subject": subject, "db": _database, "register": console_register["path"]}
    finally:
        server.shutdown()
        thread.join(5)


@contextmanager
def serve_records(settings: Any, db: Any, records: list[dict[str, Any]], prefix: str,
                  keys: dict[str, tuple[str, str | None]]) -> Iterator[dict[str, Any]]:
    """A module's own small register: ``records`` loaded through the API (a case-system key,
    ``writer``), the app served on a loopback port, and a key for each ``keys`` name (role,
    agency). Yields ``{"url", "client", "db", "writer", name: key...}``; at the end stops the
    server and removes every node whose id starts with ``prefix`` (the module's records), so the
    shared register is as the other console modules expect it."""
    from graphsvc.app import create_app
    from graphsvc.security.keys import create_key

    app = create_app({"TESTING": True, "GRAPHSVC_SETTINGS": settings})
    tag = secrets.token_hex(3)
    made = {name: create_key(db, role=role, name=f"{prefix}{role}-{agency or 'national'} {tag}", agency=agency)[0]
            for name, (role, agency) in {"writer": ("case_system", None), **keys}.items()}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    client = app.test_client()
    try:
        r = client.post("/api/v1/records", headers={"Authorization": f"Bearer {made['writer']}"}, json=records)
        assert r.status_code == 200, r.get_data(as_text=True)[:500]
        thread.start()
        yield {"url": f"http://127.0.0.1:{server.server_port}/console/", "client": client, "db": db, **made}
    finally:
        if thread.is_alive():
            server.shutdown()
            thread.join(5)
        db.execute("MATCH (n) WHERE n.id STARTS WITH $p DETACH DELETE n", p=prefix)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def new_page(browser: Any, **context: Any) -> tuple[Any, Any]:
    """A fresh context (its own sessionStorage) at the screenshot size, page errors collected."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True, **context)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)  # generous: CI shares 2 cores with Neo4j
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    return ctx, pg


@pytest.fixture
def page(browser) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    ctx, pg = new_page(browser)
    yield pg
    assert pg.errors == [], pg.errors
    ctx.close()


def sign_in(page: Any, service: dict[str, Any], purpose: str = PURPOSE) -> None:
    page.goto(service["url"])
    if page.evaluate("sessionStorage.getItem('graphsvc.purpose')"):  # this tab is signed in already
        page.evaluate("() => { location.hash = ''; }")
        page.get_by_role("search").wait_for()
        return
    page.get_by_label("API key").fill(service["token"])
    page.keyboard.press("Enter")
    page.get_by_label("Why are you searching?").fill(purpose)
    page.keyboard.press("Enter")
    page.get_by_role("search").wait_for()


def open_person(page: Any, service: dict[str, Any], person_id: str | None = None, depth: int = 2) -> None:
    """Signs in and opens a person page; waits for the profile, the network and the timeline."""
    sign_in(page, service)
    pid = person_id or service["subject"]
    page.evaluate("id => { location.hash = '#/person/' + encodeURIComponent(id); }", pid)
    page.locator("#profile dt").first.wait_for()
    if depth != 2:
        page.select_option("#depth", str(depth))
    n = len(service["api"].get(f"/persons/{pid}/network?depth={depth}&format=cytoscape")["elements"]["nodes"])
    # the network of this depth (the first load, depth 2, may land first and can have as many nodes)
    page.wait_for_function(f"""() => {{ const g = document.getElementById('graph');
        return g.getAttribute('data-depth') === '{depth}' && g.getAttribute('data-person') === {json.dumps(pid)}
            && g.getAttribute('data-node-count') === '{n}'; }}""")
    page.locator("#timeline svg, #timeline p").first.wait_for()
    page.wait_for_function("() => document.getElementById('status').textContent === ''")


def click_node(page: Any, node_id: str, tries: int = 5) -> None:
    """Click a network node with the real mouse where it is drawn now, and again if the click did
    not select it: on a loaded machine the page can still move (a scroll ending, the timeline
    growing above the chart) between reading a position and the click, and a click then lands
    beside the node. The position and the chart's place on the page are read in one step."""
    for _ in range(tries):
        page.wait_for_function("() => !window.consoleGraph.animated()")
        page.locator("#graph").scroll_into_view_if_needed()
        x, y = page.evaluate("""id => { const cy = window.consoleGraph; const n = cy.getElementById(id);
            const box = cy.container().getBoundingClientRect(); const p = n.renderedPosition();
            return [box.left + p.x, box.top + p.y]; }""", node_id)
        page.mouse.click(x, y)
        try:
            page.wait_for_function("id => window.consoleGraph.getElementById(id).selected()", arg=node_id,
                                   timeout=3_000)
            return
        except sync_api.TimeoutError:
            continue
    raise AssertionError(f"{tries} clicks on node {node_id} did not select it")


def axe_serious(page: Any, context: str = "document") -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(f"async () => JSON.stringify(await axe.run({context}, {{resultTypes: ['violations']}}))")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]


def shot(target: Any, name: str, **kw: Any) -> Path:
    """A screenshot of a page or of one element (a locator) into IMG."""
    IMG.mkdir(parents=True, exist_ok=True)
    path = IMG / name
    target.screenshot(path=str(path), **kw)
    return path
