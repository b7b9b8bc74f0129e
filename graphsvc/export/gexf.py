"""GEXF 1.3, written with lxml and valid against the GEXF Working Group's XSD.

networkx's own GEXF writer puts ``viz:*`` elements in a separate namespace, which the
official 1.3 schema does not accept; here colour, size and position are written in the GEXF
namespace, as the schema declares them. Parallel edges carry ``kind`` (the relationship
type). Provenance goes into ``<meta>``: creator, keywords and a description.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from graphsvc.export.layout import radial_layout
from graphsvc.export.network import Network
from graphsvc.export.style import EDGE_COLOUR, NODE_STYLE, hex_to_rgb
from loaders.times import today

__all__ = ["write"]

MIMETYPE = "application/gexf+xml"
NS = "http://gexf.net/1.3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _gexf_type(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "double"
    return "string"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _declare(parent: etree._Element, cls: str, rows: list[dict[str, Any]],
             skip: set[str]) -> dict[str, tuple[str, str]]:
    values: dict[str, list[Any]] = {}
    for attrs in rows:
        for k, v in attrs.items():
            if k not in skip:
                values.setdefault(k, []).append(v)
    decl: dict[str, tuple[str, str]] = {}
    element = etree.SubElement(parent, f"{{{NS}}}attributes", {"class": cls, "mode": "static"})
    for i, name in enumerate(sorted(values)):
        aid = f"{cls[0]}{i}"
        gtype = _gexf_type(values[name])
        decl[name] = (aid, gtype)
        etree.SubElement(element, f"{{{NS}}}attribute", {"id": aid, "title": name, "type": gtype})
    return decl


def _attvalues(parent: etree._Element, attrs: dict[str, Any], decl: dict[str, tuple[str, str]]) -> None:
    present = [(decl[k][0], v) for k, v in attrs.items() if k in decl and v not in (None, "")]
    if not present:
        return
    box = etree.SubElement(parent, f"{{{NS}}}attvalues")
    for aid, value in present:
        etree.SubElement(box, f"{{{NS}}}attvalue", {"for": aid, "value": _text(value)})


def write(network: Network) -> bytes:
    g = network.graph
    prov = network.provenance
    root = etree.Element(f"{{{NS}}}gexf", nsmap={None: NS, "xsi": XSI}, version="1.3")
    root.set(f"{{{XSI}}}schemaLocation", f"{NS} http://gexf.net/1.3/gexf.xsd")
    meta = etree.SubElement(root, f"{{{NS}}}meta",
                            lastmodifieddate=today().isoformat())  # London's day
    etree.SubElement(meta, f"{{{NS}}}creator").text = f"graphsvc; exported by {prov.get('exported_by', '')}"
    etree.SubElement(meta, f"{{{NS}}}keywords").text = " ".join(
        ["stalking", "network", *[str(a) for a in prov.get("agencies", [])]])
    etree.SubElement(meta, f"{{{NS}}}description").text = (
        f"{network.title}. Provenance: " + json.dumps(prov, sort_keys=True, ensure_ascii=False))

    graph = etree.SubElement(root, f"{{{NS}}}graph", defaultedgetype="directed", mode="static")
    node_rows = [d for _, d in g.nodes(data=True)]
    edge_rows = [d for _, _, d in g.edges(data=True)]
    node_decl = _declare(graph, "node", node_rows, {"label"})
    edge_decl = _declare(graph, "edge", edge_rows, {"label"})

    pos = radial_layout(g)
    nodes = etree.SubElement(graph, f"{{{NS}}}nodes", count=str(g.number_of_nodes()))
    for n, attrs in g.nodes(data=True):
        el = etree.SubElement(nodes, f"{{{NS}}}node", id=str(n), label=str(attrs.get("label", n)))
        _attvalues(el, attrs, node_decl)
        r, gg, b = hex_to_rgb(NODE_STYLE[attrs["type"]][0])
        etree.SubElement(el, f"{{{NS}}}color", r=str(r), g=str(gg), b=str(b))
        x, y = pos[n]
        etree.SubElement(el, f"{{{NS}}}position", x=f"{x:.2f}", y=f"{y:.2f}", z="0")
        etree.SubElement(el, f"{{{NS}}}size", value="20" if attrs.get("subject") else "10")
    edges = etree.SubElement(graph, f"{{{NS}}}edges", count=str(g.number_of_edges()))
    for u, v, key, attrs in g.edges(keys=True, data=True):
        el = etree.SubElement(edges, f"{{{NS}}}edge", id=str(key), source=str(u), target=str(v),
                              label=str(attrs["label"]), kind=str(attrs["type"]), type="directed")
        _attvalues(el, attrs, edge_decl)
        r, gg, b = hex_to_rgb(EDGE_COLOUR.get(attrs["type"], "#000000"))
        etree.SubElement(el, f"{{{NS}}}color", r=str(r), g=str(gg), b=str(b))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
