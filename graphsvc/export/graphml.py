"""GraphML, written by networkx (lxml writer): typed ``<key>`` declarations, one ``<data>``
per attribute, parallel edges kept (each with its own id).

Provenance is written twice, both as ``prov_*`` attributes of simple types (``string``,
``int``, ``boolean``; lists flattened to space-separated text by :func:`flat_provenance`):

- as graph-level ``<data>`` (``<key for="graph">``), where GraphML puts facts about the whole
  graph and where networkx, igraph and yEd read it;
- as node-level keys (``<key for="node">``) whose ``<default>`` holds the value, and no
  ``<data>``. Gephi's GraphML importer refuses keys declared ``for="graph"`` (it accepts only
  ``node``, ``edge`` and ``all``) and never reads graph-level data, so graph-level provenance
  alone was dropped on import; a node column with a default is what it does import, and every
  node then shows the export's provenance in the Data Laboratory. Readers that apply key
  defaults (igraph) see the same values on every vertex; networkx keeps them in
  ``graph["node_default"]``.
"""

from __future__ import annotations

import io

import networkx as nx
from lxml import etree

from graphsvc.export._flat import flat_provenance
from graphsvc.export.network import Network

__all__ = ["PROV_PREFIX", "write"]

MIMETYPE = "application/graphml+xml"
PROV_PREFIX = "prov_"
_NS = "http://graphml.graphdrawing.org/xmlns"


def write(network: Network) -> bytes:
    g = network.graph.copy()
    prov = {f"{PROV_PREFIX}{k}": v for k, v in flat_provenance(network.provenance).items()}
    clash = sorted(set(prov) & {k for _, d in g.nodes(data=True) for k in d})
    if clash:  # a node attribute named like provenance would be shadowed by the default
        raise ValueError(f"node attributes {clash} collide with the provenance columns")
    g.graph.update(prov)
    buffer = io.BytesIO()
    nx.write_graphml_lxml(g, buffer, encoding="utf-8", prettyprint=False)
    root = etree.fromstring(buffer.getvalue())
    graph_keys = [k for k in root.findall(f"{{{_NS}}}key")
                  if k.get("for") == "graph" and str(k.get("attr.name", "")).startswith(PROV_PREFIX)]
    anchor = root.find(f"{{{_NS}}}graph")
    for key in graph_keys:
        name = str(key.get("attr.name"))
        node_key = etree.Element(f"{{{_NS}}}key", {"id": name, "for": "node", "attr.name": name,
                                                    "attr.type": str(key.get("attr.type"))})
        value = prov[name]
        etree.SubElement(node_key, f"{{{_NS}}}default").text = (
            ("true" if value else "false") if isinstance(value, bool) else str(value))
        if anchor is not None:
            anchor.addprevious(node_key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
