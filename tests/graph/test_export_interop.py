"""Exports as the tools investigators use read them (issue #17, defect 6): the CSV in pandas
(and as Excel would see it), the Cytoscape JSON in cytoscape.js, the GraphML's provenance by
Gephi's import rules. Against a real Neo4j; all names and numbers are fictional."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from graphsvc.services.exports import export_network

NODE_MODULES = Path(os.environ.get("GRAPHSVC_NODE_MODULES", "/work/main/node_modules"))
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
PHONE = "+447700900123"

RECORDS = [
    {"kind": "person", "id": "C-O-1", "source": "WMP", "given_name": "José", "family_name": "Muñoz",
     "phones": ["07700 900123"]},
    {"kind": "person", "id": "C-V-1", "source": "GMP", "given_name": "Zoë", "family_name": "Łukasiewicz"},
    {"kind": "incident", "id": "C-I-1", "source": "WMP", "occurred_at": "2024-08-22T00:55:00", "type": "call",
     "offender_ids": ["C-O-1"], "victim_ids": ["C-V-1"], "identifiers_used": {"phones": ["07700 900123"]}},
]


@pytest.fixture
def register(db, load):  # type: ignore[no-untyped-def]
    summary = load(RECORDS)
    assert summary.rejected_records == 0, summary.rejects
    return db


def _export(db, fmt: str) -> bytes:  # type: ignore[no-untyped-def]
    return export_network(db, "C-O-1", 1, fmt, "investigator", "pc.tester")[0]


def read_csv(data: bytes) -> pd.DataFrame:
    """The pandas call docs/exports.md gives, word for word."""
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return frame.replace(r'^="(.*)"$', r"\1", regex=True)


def test_csv_has_a_bom_and_reads_in_pandas_with_names_and_phone_intact(register) -> None:  # type: ignore[no-untyped-def]
    zf = zipfile.ZipFile(io.BytesIO(_export(register, "csv")))
    raw = zf.read("nodes.csv")
    assert raw.startswith("\ufeff".encode()), "Excel needs the UTF-8 byte-order mark to read names"
    assert zf.read("edges.csv").startswith("\ufeff".encode())
    nodes = read_csv(raw).set_index("id")
    assert list(nodes.columns[:2]) == ["type", "label"]  # the BOM is not glued to the first header
    assert nodes.loc["person:C-O-1", "given_name"] == "José"
    assert nodes.loc["person:C-O-1", "family_name"] == "Muñoz"
    assert nodes.loc["person:C-V-1", "family_name"] == "Łukasiewicz"
    phone = nodes.loc[f"phone:{PHONE}"]
    assert phone["value"] == PHONE and phone["label"] == PHONE
    assert nodes.loc["person:C-O-1", "level"] == "0"
    edges = read_csv(zf.read("edges.csv"))
    assert f"phone:{PHONE}" in set(edges["target"])


def test_csv_phone_is_text_to_excel(register) -> None:  # type: ignore[no-untyped-def]
    """What Excel parses: the cell is the formula ="+44...", whose result is the exact text;
    a bare +447700900123 would become the number 447700900123."""
    zf = zipfile.ZipFile(io.BytesIO(_export(register, "csv")))
    text = zf.read("nodes.csv").decode("utf-8-sig")
    import csv  # the RFC 4180 reading Excel does, before its own type guessing

    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[f"phone:{PHONE}"]["value"] == f'="{PHONE}"'
    assert rows["person:C-O-1"]["level"] == "0"  # a real number stays a number
    assert rows["person:C-O-1"]["given_name"] == "José"


@pytest.mark.skipif(shutil.which("node") is None or not (NODE_MODULES / "cytoscape").is_dir(),
                    reason="node and cytoscape (npm) are needed")
def test_cytoscape_json_loads_in_cytoscape_js_with_labels(register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "net.cyjs"
    path.write_bytes(_export(register, "cytoscape"))
    script = """
const cytoscape = require('cytoscape');
const doc = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
const cy = cytoscape({headless: true, styleEnabled: true, elements: doc.elements,
  style: [{selector: 'node', style: {label: 'data(name)'}}, {selector: 'edge', style: {label: 'data(interaction)'}}]});
const out = {nodes: {}, edges: {}};
cy.nodes().forEach(n => { out.nodes[n.id()] = n.pstyle('label').strValue; });
cy.edges().forEach(e => { out.edges[e.id()] = e.pstyle('label').strValue; });
console.log(JSON.stringify(out));
cy.destroy();
process.exit(0);
"""
    done = subprocess.run(["node", "-e", script, str(path)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "NODE_PATH": str(NODE_MODULES)}, check=False)
    assert done.returncode == 0, done.stderr
    labels = json.loads(done.stdout)
    doc = json.loads(path.read_text())
    assert len(labels["nodes"]) == len(doc["elements"]["nodes"])
    assert labels["nodes"]["person:C-O-1"] == "José Muñoz (C-O-1)"
    assert labels["nodes"]["person:C-V-1"] == "Zoë Łukasiewicz (C-V-1)"
    assert labels["nodes"][f"phone:{PHONE}"] == PHONE
    assert all(labels["nodes"].values()), "every node has a label"
    assert len(labels["edges"]) == len(doc["elements"]["edges"]) and all(labels["edges"].values())
    assert labels["edges"]["person:C-O-1|OFFENDER_IN|incident:C-I-1"] == "offender in"
    edge = next(e["data"] for e in doc["elements"]["edges"] if e["data"]["type"] == "OFFENDER_IN")
    assert edge["name"] == "person:C-O-1 (offender in) incident:C-I-1"


def test_graphml_provenance_is_declared_as_gephi_imports_it(register) -> None:  # type: ignore[no-untyped-def]
    """Gephi's GraphML importer keeps a <key> only when it is for node, edge or all and of a
    simple type, and never reads graph-level <data>: every prov_* value must reach it as a
    node key's <default>."""
    root = etree.fromstring(_export(register, "graphml"))
    gephi_types = {"boolean", "int", "long", "float", "double", "string"}
    keys = root.findall(f"{GRAPHML}key")
    node_prov = {k.get("attr.name"): k for k in keys
                 if k.get("for") in ("node", "all") and str(k.get("attr.name")).startswith("prov_")}
    graph_prov = {k.get("attr.name") for k in keys if k.get("for") == "graph"}
    assert graph_prov and graph_prov <= set(node_prov), "a prov_* value Gephi would drop"
    for name, key in node_prov.items():
        assert key.get("attr.type") in gephi_types, name
        assert key.find(f"{GRAPHML}default") is not None, name
    assert node_prov["prov_exported_by"].findtext(f"{GRAPHML}default") == "pc.tester"
    assert node_prov["prov_truncated"].findtext(f"{GRAPHML}default") == "false"
    assert "WMP" in str(node_prov["prov_agencies"].findtext(f"{GRAPHML}default")).split()
