"""A self-contained interactive HTML file: the network, the renderer (Cytoscape.js, inlined),
the viewer script and styles, all in one file. It loads nothing from anywhere: no external
``src`` or ``href``, no fonts, so it opens offline and can be attached to a case file."""

from __future__ import annotations

import html as htmllib
import json
from importlib import resources

from graphsvc.errors import GraphsvcError
from graphsvc.export import cytoscape
from graphsvc.export.network import Network
from graphsvc.export.style import NODE_STYLE

__all__ = ["RendererMissing", "renderer_source", "write"]

MIMETYPE = "text/html; charset=utf-8"


class RendererMissing(GraphsvcError):
    """The vendored renderer is absent: ``scripts/setup.sh`` installs it."""

    code = "renderer_missing"
    status = 503


def _static(*parts: str) -> str:
    return resources.files("graphsvc.web").joinpath("static", *parts).read_text(encoding="utf-8")


def renderer_source() -> str:
    try:
        return _static("vendor", "cytoscape.min.js")
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
.swatch {{ display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 3px; }}
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
{filters}
<label>Layout <select id="layout"><option value="">automatic</option><option value="cose">force (cose)</option><option value="concentric">rings</option><option value="breadthfirst">tree</option><option value="grid">grid</option><option value="circle">circle</option></select></label>
<button type="button" id="fit">Fit</button>
</div>
</header>
<main><div id="graph" role="img" aria-label="Network chart"></div><aside id="details" aria-live="polite"><p>Select a node or edge to see its details.</p></aside></main>
<footer id="provenance">{footer}</footer>
<script type="application/json" id="graph-data">{data}</script>
<script>{renderer}</script>
<script>{viewer}</script>
<script>
(function () {{
  var doc = JSON.parse(document.getElementById('graph-data').textContent);
  var cy = GraphView.create(document.getElementById('graph'), doc, {{}});
  window.cy = cy;
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
    counts: dict[str, int] = {}
    for _, d in network.graph.nodes(data=True):
        counts[d["type"]] = counts.get(d["type"], 0) + 1
    filters = "\n".join(
        f'<label><input type="checkbox" data-type="{t}" checked> <span class="swatch" '
        f'style="background:{colour}"></span>{name} ({counts.get(t, 0)})</label>'
        for t, (colour, name, _) in NODE_STYLE.items()
    )
    footer = (f"Exported by {prov.get('exported_by')} ({prov.get('role')}) at {prov.get('exported_at')}; "
              f"agencies: {', '.join(prov.get('agencies', []))}; {prov.get('node_count')} nodes, "
              f"{prov.get('edge_count')} edges; depth {prov.get('depth')}"
              f"{'; truncated at the node cap' if prov.get('truncated') else ''}. Record ids are in the "
              "data of each node.")
    data = json.dumps(cytoscape.to_dict(network), ensure_ascii=False).replace("<", "\\u003c")
    page = _PAGE.format(
        title=htmllib.escape(network.title),
        notice=htmllib.escape(str(prov.get("notice", ""))),
        filters=filters,
        footer=htmllib.escape(footer),
        data=data,
        renderer=_inline_script(renderer_source()),
        viewer=_inline_script(_static("js", "graphview.js")),
    )
    return page.encode("utf-8")
