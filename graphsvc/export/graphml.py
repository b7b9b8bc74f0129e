"""GraphML, written by networkx (lxml writer): typed ``<key>`` declarations, one ``<data>``
per attribute, parallel edges kept (each with its own id). Provenance is graph-level data."""

from __future__ import annotations

import io

import networkx as nx

from graphsvc.export._flat import flat_provenance
from graphsvc.export.network import Network

__all__ = ["write"]

MIMETYPE = "application/graphml+xml"


def write(network: Network) -> bytes:
    g = network.graph.copy()
    g.graph.update({f"prov_{k}": v for k, v in flat_provenance(network.provenance).items()})
    buffer = io.BytesIO()
    nx.write_graphml_lxml(g, buffer, encoding="utf-8", prettyprint=False)
    return buffer.getvalue()
