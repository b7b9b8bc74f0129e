"""CSV node and edge lists: a zip holding ``nodes.csv``, ``edges.csv`` (UTF-8 with a byte-order
mark, RFC 4180, header row, one column per attribute) and ``provenance.json``. Gephi, Cytoscape,
i2, pandas and any spreadsheet import the two lists; the provenance file travels with them.

Two things are written for Excel, which opens a double-clicked CSV with guesses of its own:

- the UTF-8 byte-order mark: without it Excel reads the file in the machine's ANSI code page
  and garbles every accented name (é, ł, ñ). Readers that know UTF-8 skip it (pandas with
  ``encoding="utf-8-sig"``, Python's csv with the same, Gephi, LibreOffice).
- text that Excel would turn into a number is written as the formula ``="..."``. A phone
  number such as ``+447700900123`` is a number to Excel (shown ``4.477E+11``, the ``+`` and
  any leading zero lost); ``="+447700900123"`` shows the exact text. A leading apostrophe, the
  other common trick, is not stripped by Excel when it opens a CSV (the analyst sees
  ``'+4477...``) and leaves pandas a value that cannot be told from a real apostrophe. The
  formula form is unambiguous: a register value that itself starts with ``=`` is neutralised
  with an apostrophe (CWE-1236), so a cell starting ``="`` and ending ``"`` is always this
  wrapping, and pandas undoes it exactly with ``.replace(r'^="(.*)"$', r'\1', regex=True)``
  (docs/exports.md gives the whole call). Numbers that are numbers (``level``, probabilities)
  are written plainly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Any

from graphsvc.export.network import Network

__all__ = ["EDGE_COLUMNS", "NODE_COLUMNS", "write"]

MIMETYPE = "application/zip"
NODE_COLUMNS = ("id", "type", "label", "record_id", "agency", "level", "subject", "redacted")
EDGE_COLUMNS = ("id", "source", "target", "type", "label", "agency")
# What Excel's CSV reader turns into a number: an optional sign, digits (with an optional point
# and exponent), an optional percent sign. Dates are left alone: Excel showing them as dates is
# what an analyst wants.
_EXCEL_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?")
BOM = "\ufeff"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _is_number(text):
        # Text (a phone number, an id of digits) that Excel would read as a number: a formula
        # whose result is the exact text (see the module docstring).
        return f'="{text}"'
    # Spreadsheets run cells that start with these as formulas: neutralise them (CWE-1236).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _is_number(text: str) -> bool:
    """Whether Excel would take ``text`` for a number: digits with an optional sign, point,
    exponent or percent sign (never text holding a quote, which the wrapping could not hold)."""
    return _EXCEL_NUMBER.fullmatch(text.strip()) is not None


def _table(rows: list[dict[str, Any]], first: tuple[str, ...]) -> str:
    extra = sorted({k for r in rows for k in r} - set(first))
    columns = [*first, *extra]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
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
