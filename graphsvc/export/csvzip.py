"""CSV node and edge lists: a zip holding ``nodes.csv``, ``edges.csv`` (UTF-8, RFC 4180,
header row, one column per attribute) and ``provenance.json``. Gephi, Cytoscape, i2 and any
spreadsheet import the two lists; the provenance file travels with them."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from graphsvc.export.network import Network

__all__ = ["EDGE_COLUMNS", "NODE_COLUMNS", "write"]

MIMETYPE = "application/zip"
NODE_COLUMNS = ("id", "type", "label", "record_id", "agency", "level", "subject", "redacted")
EDGE_COLUMNS = ("id", "source", "target", "type", "label", "agency")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # Spreadsheets run cells that start with these as formulas: neutralise them (CWE-1236).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _table(rows: list[dict[str, Any]], first: tuple[str, ...]) -> str:
    extra = sorted({k for r in rows for k in r} - set(first))
    columns = [*first, *extra]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([_cell(r.get(c)) for c in columns])
    return out.getvalue()


def write(network: Network) -> bytes:
    g = network.graph
    nodes = [{"id": n, **attrs} for n, attrs in g.nodes(data=True)]
    edges = [{"id": k, "source": u, "target": v, **attrs} for u, v, k, attrs in g.edges(keys=True, data=True)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("nodes.csv", _table(nodes, NODE_COLUMNS))
        zf.writestr("edges.csv", _table(edges, EDGE_COLUMNS))
        zf.writestr("provenance.json", json.dumps(network.provenance, indent=2, ensure_ascii=False))
    return buffer.getvalue()
