"""Cytoscape.js JSON (the shape ``cy.json()`` reads: ``elements`` with ``nodes`` and ``edges``).

The console renders this directly; Cytoscape desktop imports it as "Cytoscape.js JSON".
The export's provenance sits in the top-level ``data`` object.

Cytoscape desktop labels nodes by their ``name`` column and names edges ``source (interaction)
target`` from the ``interaction`` column; without them its default style shows blank nodes and
unnamed edges. So every node carries ``name`` (its display label) and every edge ``interaction``
(the relationship in words, e.g. ``offender in``) and ``name``; ``label`` and ``type`` stay for
cytoscape.js styles and filters.
"""

from __future__ import annotations

import json
from typing import Any

from graphsvc.export.network import Network

__all__ = ["to_dict", "write"]

MIMETYPE = "application/json"


def to_dict(network: Network) -> dict[str, Any]:
    g = network.graph
    nodes = [{"data": {"id": n, "name": str(attrs.get("label", n)), **attrs}} for n, attrs in g.nodes(data=True)]
    edges = [
        {"data": {"id": key, "source": u, "target": v, "interaction": str(attrs["label"]),
                  "name": f"{u} ({attrs['label']}) {v}", **attrs}}
        for u, v, key, attrs in g.edges(keys=True, data=True)
    ]
    return {
        "format_version": "1.0",
        "generated_by": "graphsvc",
        "target_cytoscapejs_version": "~3.35",
        "data": dict(network.provenance),
        "elements": {"nodes": nodes, "edges": edges},
    }


def write(network: Network) -> bytes:
    return json.dumps(to_dict(network), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
