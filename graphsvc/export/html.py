"""A self-contained interactive HTML file: the network, the renderer (Cytoscape.js) and the
fcose layout (layout-base, cose-base, cytoscape-fcose), the console's own viewer script
(``graphview.js``: the same shapes, colours, legend, label placement and layout as the
console) and styles, all inlined in one file. It loads nothing from anywhere: no external
``src`` or ``href``, no fonts, so it opens offline and can be attached to a case file."""

from __future__ import annotations

import html as htmllib
import json
from importlib import resources

from graphsvc.errors import GraphsvcError
from graphsvc.export import cytoscape
from graphsvc.export.network import Network

__all__ = ["RendererMissing", "renderer_source", "write"]

MIMETYPE = "text/html; charset=utf-8"


class RendererMissing(GraphsvcError):
    """The vendored renderer is absent: ``scripts/setup.sh`` installs it."""

    code = "renderer_missing"
    status = 503


def _static(*parts: str) -> str:
    return resources.files("graphsvc.web").joinpath("static", *parts).read_text(encoding="utf-8")


#: The vendored browser files, in the order the page needs them (each UMD file finds the one
#: before it as a global); ``scripts/setup.d/50-web.sh`` copies them from node_modules.
VENDOR = ("cytoscape.min.js", "layout-base.js", "cose-base.js", "cytoscape-fcose.js")


def renderer_source() -> str:
    """The renderer and its layout: the vendored files joined by ``;`` (so a file that ends
    without one is not read as called by the next file's opening parenthesis)."""
    try:
        return ";\n".join(_static("vendor", name) for name in VENDOR)
    except (FileNotFoundError, OSError) as exc:
        raise RendererMissing("the graph renderer is not installed; run scripts/setup.sh") from exc


def _inline_script(text: str) -> str:
    # Nothing inside a <script> element may close it early.
    return text.replace("</script", "<\\/script")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>
body {{ margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #111; background: #fff; display: flex; flex-direction: column; height: 100vh; }}
header {{ padding: 8px 12px; border-bottom: 1px solid #ccc; }}
header h1 {{ font-size: 16px; margin: 0 0 4px; }}
.notice {{ color: #8a1c1c; font-weight: bold; }}
.controls {{ display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin-top: 6px; }}
.controls label {{ white-space: nowrap; }}
.controls label {{ display: inline-flex; align-items: center; gap: 3px; }}
ul.gv-legend {{ list-style: none; display: flex; flex-wrap: wrap; gap: 2px 12px; padding: 0; margin: 4px 0 0; font-size: 12px; }}
ul.gv-legend li {{ display: flex; align-items: center; gap: 4px; }}
main {{ flex: 1; display: flex; min-height: 0; }}
#graph {{ flex: 1; min-width: 0; }}
#details {{ width: 300px; overflow: auto; border-left: 1px solid #ccc; padding: 8px; font-size: 12px; }}
#details table {{ border-collapse: collapse; }}
#details td {{ border-bottom: 1px solid #eee; padding: 2px 4px; vertical-align: top; word-break: break-word; }}
button, select {{ font: inherit; }}
:focus-visible {{ outline: 3px solid #ffbf00; outline-offset: 1px; }}
footer {{ padding: 4px 12px; font-size: 11px; color: #333; border-top: 1px solid #ccc; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div class="notice">{notice}</div>
<div class="controls" role="group" aria-label="Filter and layout">
<span>Show:</span>
<span id="filters"></span>
<label>Layout <select id="layout"><option value="">force-directed (fcose)</option><option value="concentric">rings by step</option><option value="breadthfirst">tree</option><option value="grid">grid</option><option value="circle">circle</option></select></label>
<button type="button" id="fit">Fit</button>
</div>
<div id="legend" aria-label="Key"></div>
</header>
<main><div id="graph" role="img" aria-label="Network chart"></div><aside id="details" aria-live="polite"><p>Select a node or edge to see its details. Labels appear where they fit: zoom in or hover a node to read the others.</p></aside></main>
<footer id="provenance">{footer}</footer>
<script type="application/json" id="graph-data">{data}</script>
<script>{renderer}</script>
<script>{viewer}</script>
<script>
(function () {{
  var doc = JSON.parse(document.getElementById('graph-data').textContent);
  // the controls and the key first, so the chart is laid out in its final size
  GraphView.legend(document.getElementById('legend'));
  var counts = {{}}, box = document.getElementById('filters');
  (doc.elements.nodes || []).forEach(function (n) {{ counts[n.data.type] = (counts[n.data.type] || 0) + 1; }});
  var cy = GraphView.create(document.getElementById('graph'), doc, {{}});
  window.cy = cy;
  counts = GraphView.counts(cy);
  GraphView.KIND_ORDER.forEach(function (k) {{
    if (!counts[k]) {{ return; }}
    var l = document.createElement('label'), i = document.createElement('input');
    i.type = 'checkbox'; i.checked = true; i.setAttribute('data-type', k);
    l.appendChild(i); l.appendChild(GraphView.picto(k));
    l.appendChild(document.createTextNode(GraphView.KINDS[k][0] + ' (' + counts[k] + ')'));
    box.appendChild(l);
  }});
  cy.resize();
  cy.fit(undefined, 24);
  function shown() {{
    return Array.prototype.slice.call(document.querySelectorAll('input[data-type]:checked'))
      .map(function (i) {{ return i.getAttribute('data-type'); }});
  }}
  document.querySelectorAll('input[data-type]').forEach(function (i) {{
    i.addEventListener('change', function () {{ GraphView.applyFilter(cy, shown()); }});
  }});
  document.getElementById('layout').addEventListener('change', function (e) {{ GraphView.runLayout(cy, e.target.value); }});
  document.getElementById('fit').addEventListener('click', function () {{ cy.fit(); }});
  var details = document.getElementById('details');
  cy.on('tap', 'node, edge', function (evt) {{
    var d = evt.target.data();
    var table = document.createElement('table');
    Object.keys(d).forEach(function (k) {{
      var tr = table.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = String(d[k]);
    }});
    details.replaceChildren(table);
  }});
}})();
</script>
</body>
</html>
"""


def write(network: Network) -> bytes:
    prov = network.provenance
    footer = (f"Exported by {prov.get('exported_by')} ({prov.get('role')}) at {prov.get('exported_at')}; "
              f"agencies: {', '.join(prov.get('agencies', []))}; {prov.get('node_count')} nodes, "
              f"{prov.get('edge_count')} edges; depth {prov.get('depth')}"
              f"{'; truncated at the node cap' if prov.get('truncated') else ''}. Record ids are in the "
              "data of each node.")
    data = json.dumps(cytoscape.to_dict(network), ensure_ascii=False).replace("<", "\\u003c")
    page = _PAGE.format(
        title=htmllib.escape(network.title),
        notice=htmllib.escape(str(prov.get("notice", ""))),
        footer=htmllib.escape(footer),
        data=data,
        renderer=_inline_script(renderer_source()),
        viewer=_inline_script(_static("js", "withheld.js") + "\n" + _static("js", "graphview.js")),
    )
    return page.encode("utf-8")
