"""Network exports: a person's (or an unidentified cluster's) neighbourhood in the formats
investigators' tools read. This package renders; reading the neighbourhood and building the
:class:`Network` is the use case :mod:`graphsvc.services.exports`.

>>> content, mimetype = render(network, "graphml")

Formats (:data:`FORMATS`): ``cytoscape`` (Cytoscape.js JSON), ``graphml``, ``gexf`` (GEXF 1.3),
``anx`` (i2 Analyst's Notebook), ``csv`` (zip of node and edge lists), ``html`` (self-contained
interactive page), ``svg`` and ``png`` (pictures for reports). Every export carries provenance
(agencies, record ids, time, who exported it), is redacted for the caller's role, and is
bounded: depth 1-3 and at most :data:`NODE_CAP` nodes. Auditing the disclosure is the caller's
job (the API route and the CLI write the audit entry). See docs/exports.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphsvc.errors import InvalidInput
from graphsvc.export import anx, csvzip, cytoscape, gexf, graphml, html, image
from graphsvc.export.network import MAX_DEPTH, NODE_CAP, Network

__all__ = [
    "FORMATS",
    "MAX_DEPTH",
    "NODE_CAP",
    "ExportFormat",
    "Network",
    "export_format",
    "render",
]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    mimetype: str
    extension: str
    writer: Callable[[Network], bytes]


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("cytoscape", cytoscape.MIMETYPE, "cyjs", cytoscape.write),
        ExportFormat("graphml", graphml.MIMETYPE, "graphml", graphml.write),
        ExportFormat("gexf", gexf.MIMETYPE, "gexf", gexf.write),
        ExportFormat("anx", anx.MIMETYPE, "anx", anx.write),
        ExportFormat("csv", csvzip.MIMETYPE, "zip", csvzip.write),
        ExportFormat("html", html.MIMETYPE, "html", html.write),
        ExportFormat("svg", image.SVG_MIMETYPE, "svg", image.write_svg),
        ExportFormat("png", image.PNG_MIMETYPE, "png", image.write_png),
    )
}


def export_format(fmt: str) -> ExportFormat:
    """The format named ``fmt``; :class:`~graphsvc.errors.InvalidInput` for any other name."""
    try:
        return FORMATS[fmt]
    except (KeyError, TypeError):
        raise InvalidInput(
            f"unknown export format {fmt!r}; one of: {', '.join(FORMATS)}",
            {"field": "format", "allowed": list(FORMATS)},
        ) from None


def render(network: Network, fmt: str) -> tuple[bytes, str]:
    """A projected network written in ``fmt``: (content, mimetype)."""
    f = export_format(fmt)
    return f.writer(network), f.mimetype
