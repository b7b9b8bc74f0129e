"""Benchmark: is the console's graph interactive at ~2,000 nodes? Frame times in headless
Chromium (Debian's, software rendering: --disable-gpu), measured with requestAnimationFrame.

It opens the self-contained HTML export of the benchmark network (bench/out/network-*.html,
written by bench/export_bench.py), which draws with the same renderer and the same
graphview.js settings as the console, and measures, in the page:

1. first draw: GraphView.create on the network (layout included) until the first frame after;
2. pan and zoom: 180 frames, each moving the viewport (cy.zoom / cy.pan in a rAF loop, which is
   what a wheel or drag does), recording the time between frames;
3. dragging a node: 120 frames each moving one node (a full redraw of the edges around it).

    .venv/bin/python bench/export_console_frames.py [bench/out/network-2156.html]
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

MEASURE = """async (mode) => {
  const frames = (n, step) => new Promise((resolve) => {
    const times = []; let last = performance.now(); let i = 0;
    function tick(now) {
      times.push(now - last); last = now; step(i);
      if (++i < n) { requestAnimationFrame(tick); } else { resolve(times.slice(1)); }
    }
    requestAnimationFrame(tick);
  });
  const cy = window.cy;
  if (mode === 'create') {
    const doc = JSON.parse(document.getElementById('graph-data').textContent);
    const box = document.getElementById('graph');
    const t0 = performance.now();
    cy.destroy();
    window.cy = GraphView.create(box, doc, {});
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return [performance.now() - t0, window.cy.nodes().length, window.cy.edges().length];
  }
  if (mode === 'panzoom') {
    const z = cy.zoom();
    return frames(180, (i) => { cy.zoom(z * (1 + 0.3 * Math.sin(i / 15))); cy.panBy({ x: 3, y: 2 }); });
  }
  const node = cy.nodes('[?subject]')[0];
  const p = Object.assign({}, node.position());
  return frames(120, (i) => { node.position({ x: p.x + 40 * Math.sin(i / 10), y: p.y + 40 * Math.cos(i / 10) }); });
}"""


def summary(times: list[float]) -> str:
    s = sorted(times)
    p95 = s[int(len(s) * 0.95) - 1]
    return (f"median {statistics.median(s):.1f} ms, p95 {p95:.1f} ms, max {s[-1]:.1f} ms "
            f"({1000 / statistics.median(s):.0f} fps at the median)")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else max((ROOT / "bench" / "out").glob("network-*.html"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(path.as_uri())
        page.wait_for_function("() => window.cy && window.cy.nodes().length > 0")
        create_ms, nodes, edges = page.evaluate(MEASURE, "create")
        pan = page.evaluate(MEASURE, "panzoom")
        drag = page.evaluate(MEASURE, "drag")
        browser.close()
    print(json.dumps({"file": path.name, "nodes": nodes, "edges": edges}))
    print(f"| first draw (layout included) | {create_ms:.0f} ms |")
    print(f"| pan and zoom, 180 frames | {summary(pan)} |")
    print(f"| drag a node, 120 frames | {summary(drag)} |")


if __name__ == "__main__":
    main()
