"""Network exports against a real Neo4j: projection, redaction, bounds, and every format
validated by an independent reader (XSD, two GraphML parsers, JSON Schema, ANX rules)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import igraph
import jsonschema
import networkx as nx
import pytest
from lxml import etree

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.export import FORMATS
from graphsvc.export.anx import anx_datetime
from graphsvc.services.exports import export_cluster, export_network, person_network

try:
    from tests.export_fixtures import DEPTH1_AGENCIES, DEPTH1_RECORD_NODES, OFFENDER, RECORDS
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from export_fixtures import DEPTH1_AGENCIES, DEPTH1_RECORD_NODES, OFFENDER, RECORDS  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent.parent  # tests/
GEXF_XSD = HERE / "data" / "gexf-1.3" / "gexf.xsd"
CYTOSCAPE_SCHEMA = HERE / "schemas" / "cytoscape-network.schema.json"


@pytest.fixture
def register(db, load):  # type: ignore[no-untyped-def]
    summary = load(RECORDS)
    assert summary.rejected_records == 0, summary.rejects
    return db


def _export(db, fmt: str, depth: int = 1, role: str = "investigator") -> bytes:  # type: ignore[no-untyped-def]
    content, _ = export_network(db, OFFENDER, depth, fmt, role, "pc.tester")
    return content


# -- projection -------------------------------------------------------------------------------
def test_depth_one_holds_the_offenders_incidents_victims_and_linked_unidentified_incident(register) -> None:  # type: ignore[no-untyped-def]
    net = person_network(register, OFFENDER, 1, "investigator", "pc.tester")
    nodes = set(net.graph.nodes)
    addresses = {n for n, d in net.graph.nodes(data=True) if d["type"] == "address"}
    assert len(addresses) == 1
    assert nodes - addresses == DEPTH1_RECORD_NODES | DEPTH1_AGENCIES
    assert "person:P-2" not in nodes and "incident:I-6" not in nodes
    g = net.graph
    assert g.has_edge("person:P-OFF", "incident:I-1", "person:P-OFF|OFFENDER_IN|incident:I-1")
    assert g.has_edge("incident:I-3", "order:O-1")
    assert g.has_edge("incident:I-5", "phone:+447700900001")
    assert g.has_edge("order:O-1", "person:V-2")
    assert g.nodes["person:P-OFF"]["subject"] is True
    assert g.nodes["incident:I-1"]["incident_type"] == "call"
    # An incident whose record names no offender says so in every export.
    assert g.nodes["incident:I-5"]["unidentified"] is True
    assert g.nodes["incident:I-1"]["unidentified"] is False
    prov = net.provenance
    assert prov["agencies"] == ["GMP", "MPS", "WMP"]
    assert prov["exported_by"] == "pc.tester"
    assert prov["incident_ids"] == ["I-1", "I-2", "I-3", "I-4", "I-5", "I-7"]
    assert prov["truncated"] is False


def test_depth_two_reaches_the_other_stalker_of_a_victim(register) -> None:  # type: ignore[no-untyped-def]
    nodes = set(person_network(register, OFFENDER, 2, "investigator", "x").graph.nodes)
    assert {"person:P-2", "incident:I-6", "phone:+447700900101"} <= nodes


def test_node_cap_truncates_nearest_first_and_says_so(register) -> None:  # type: ignore[no-untyped-def]
    net = person_network(register, OFFENDER, 3, "investigator", "x", cap=5)
    records = [n for n, d in net.graph.nodes(data=True) if d["type"] != "agency"]
    assert len(records) == 5
    assert net.provenance["truncated"] is True
    assert all(net.graph.nodes[n]["level"] <= 1 for n in records)


def test_possibly_same_as_is_followed_unless_rejected(register) -> None:  # type: ignore[no-untyped-def]
    register.execute("CREATE (:Person {id: 'P-ALT', source: 'MPS', given_name: 'M', family_name: 'Stone'}),"
                     " (:Person {id: 'P-REJ', source: 'MPS'})")
    register.execute("MATCH (a:Person {id: 'P-OFF'}), (b:Person {id: 'P-ALT'}), (c:Person {id: 'P-REJ'}) "
                     "CREATE (a)-[:POSSIBLY_SAME_AS {probability: 0.91, status: 'proposed'}]->(b), "
                     "(a)-[:POSSIBLY_SAME_AS {probability: 0.4, status: 'rejected'}]->(c)")
    g = person_network(register, OFFENDER, 1, "investigator", "x").graph
    assert "person:P-ALT" in g and "person:P-REJ" not in g
    (data,) = g.get_edge_data("person:P-OFF", "person:P-ALT").values()
    assert data["probability"] == pytest.approx(0.91) and data["status"] == "proposed"


def test_victim_contact_details_are_redacted_for_roles_without_victim_contact(register) -> None:  # type: ignore[no-untyped-def]
    seen = set(person_network(register, OFFENDER, 2, "investigator", "x").graph.nodes)
    assert "phone:+447700900101" in seen  # V-1's phone: investigators may see it
    g = person_network(register, OFFENDER, 2, "case_system", "x").graph
    values = json.dumps([[n, d] for n, d in g.nodes(data=True)])
    assert "900101" not in values and "Oak Street" not in values and "beth.green" not in values
    redacted = [d for _, d in g.nodes(data=True) if d["redacted"]]
    assert {d["type"] for d in redacted} >= {"phone", "address", "email"}
    # Free text (which can hold anything) is withheld too; the investigator sees it.
    assert "description" not in g.nodes["incident:I-3"] and "conditions" not in g.nodes["order:O-1"]
    full = person_network(register, OFFENDER, 2, "investigator", "x").graph
    assert full.nodes["incident:I-3"]["description"] == "Texts after the order was served."
    # The offender's own identifiers stay: they are evidence.
    assert "phone:+447700900001" in g and "email:mark.stone@example.org" in g
    for fmt in ("graphml", "csv", "anx", "gexf", "svg"):
        content = export_network(register, OFFENDER, 2, fmt, "case_system", "x")[0]
        if fmt == "csv":
            content = b"".join(zipfile.ZipFile(io.BytesIO(content)).read(n) for n in ("nodes.csv", "edges.csv"))
        assert b"900101" not in content and b"Oak Street" not in content, fmt


def test_only_allow_listed_properties_leave(register) -> None:  # type: ignore[no-untyped-def]
    register.execute("MATCH (p:Person {id: 'P-OFF'}) SET p.internal_note = 'not for export'")
    g = person_network(register, OFFENDER, 1, "investigator", "x").graph
    attrs = g.nodes["person:P-OFF"]
    assert "internal_note" not in attrs and "name_key" not in attrs and "aliases_text" not in attrs
    assert attrs["given_name"] == "Mark" and attrs["aliases"] == "Marky" and attrs["dob"] == "1980-04-02"


def test_bad_input_is_refused(register) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput):
        export_network(register, OFFENDER, 1, "pdf", "investigator", "x")
    for depth in (0, 4, -1):
        with pytest.raises(InvalidInput):
            export_network(register, OFFENDER, depth, "graphml", "investigator", "x")
    with pytest.raises(NotFound):
        export_network(register, "NOBODY", 1, "graphml", "investigator", "x")


# -- formats ----------------------------------------------------------------------------------
def test_every_format_has_its_mimetype(register) -> None:  # type: ignore[no-untyped-def]
    for name, fmt in FORMATS.items():
        content, mimetype = export_network(register, OFFENDER, 1, name, "investigator", "x")
        assert content and mimetype == fmt.mimetype


def test_gexf_is_valid_against_the_official_1_3_schema(register) -> None:  # type: ignore[no-untyped-def]
    schema = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
    doc = etree.fromstring(_export(register, "gexf", depth=2))
    schema.assertValid(doc)
    ns = {"g": "http://gexf.net/1.3"}
    ids = doc.xpath("//g:node/@id", namespaces=ns)
    assert "person:P-OFF" in ids and len(ids) == len(set(ids))
    for edge in doc.xpath("//g:edge", namespaces=ns):
        assert edge.get("source") in ids and edge.get("target") in ids
    assert "pc.tester" in doc.xpath("string(//g:meta/g:creator)", namespaces=ns)


def test_gexf_schema_check_can_fail() -> None:
    schema = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
    bad = etree.fromstring(b'<gexf xmlns="http://gexf.net/1.3" version="1.2"><graph><nodes/></graph></gexf>')
    assert not schema.validate(bad)


def test_graphml_reads_back_the_same_in_networkx_and_igraph(register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    content = _export(register, "graphml", depth=2)
    original = person_network(register, OFFENDER, 2, "investigator", "x").graph
    path = tmp_path / "net.graphml"
    path.write_bytes(content)

    g_nx = nx.read_graphml(path, force_multigraph=True)
    assert set(g_nx.nodes) == set(original.nodes)
    assert g_nx.number_of_edges() == original.number_of_edges()
    assert g_nx.graph["prov_exported_by"] == "pc.tester"
    for n, data in original.nodes(data=True):
        assert g_nx.nodes[n] == {k: v for k, v in data.items()}, n
    nx_edges = sorted((u, v, d["type"]) for u, v, d in g_nx.edges(data=True))
    assert nx_edges == sorted((u, v, d["type"]) for u, v, d in original.edges(data=True))

    g_ig = igraph.Graph.Read_GraphML(str(path))
    assert g_ig.is_directed()
    assert set(g_ig.vs["id"]) == set(original.nodes)
    assert g_ig.ecount() == original.number_of_edges()
    by_id = {v["id"]: v for v in g_ig.vs}
    for n, data in original.nodes(data=True):
        attrs = by_id[n].attributes()
        for key, value in data.items():
            assert attrs[key] == value, (n, key)
    ig_edges = sorted((g_ig.vs[e.source]["id"], g_ig.vs[e.target]["id"], e["type"]) for e in g_ig.es)
    assert ig_edges == nx_edges


def test_cytoscape_json_matches_its_schema(register) -> None:  # type: ignore[no-untyped-def]
    schema = json.loads(CYTOSCAPE_SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json.loads(_export(register, "cytoscape", depth=2))
    jsonschema.Draft202012Validator(schema).validate(doc)
    ids = {n["data"]["id"] for n in doc["elements"]["nodes"]}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in doc["elements"]["edges"])
    assert doc["data"]["node_count"] == len(ids)
    broken = json.loads(json.dumps(doc))
    broken["elements"]["nodes"][0]["data"]["type"] = "spaceship"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def _check_anx(doc: etree._Element) -> None:
    """The ANX structural rules: element order, unique ids, links resolve, dates valid."""
    order = ["ApplicationVersion", "StrengthCollection", "AttributeClassCollection",
             "EntityTypeCollection", "LinkTypeCollection", "Summary", "ChartItemCollection"]
    assert doc.tag == "Chart"
    assert [child.tag for child in doc] == order
    ids = doc.xpath("//@Id")
    assert len(ids) == len(set(ids)), "Id attributes must be unique"
    entity_ids = doc.xpath("//ChartItem/End/Entity/@EntityId")
    assert len(entity_ids) == len(set(entity_ids))
    items = doc.find("ChartItemCollection")
    kinds = ["entity" if ci.find("End") is not None else "link" for ci in items]
    assert kinds == sorted(kinds, key=lambda k: k != "entity"), "entities come before links"
    entity_types = set(doc.xpath("/Chart/EntityTypeCollection/EntityType/@Name"))
    link_types = set(doc.xpath("/Chart/LinkTypeCollection/LinkType/@Name"))
    classes = set(doc.xpath("/Chart/AttributeClassCollection/AttributeClass/@Name"))
    for ci in items:
        for attr in ci.xpath("AttributeCollection/Attribute"):
            assert attr.get("AttributeClass") in classes
        if ci.get("DateSet") == "true":
            assert anx_datetime(ci.get("DateTime")) is not None, ci.get("DateTime")
        link = ci.find("Link")
        if link is not None:
            assert link.get("End1Id") in entity_ids and link.get("End2Id") in entity_ids
            assert link.find("LinkStyle").get("Type") in link_types
        else:
            style = ci.find("End/Entity/Icon/IconStyle")
            assert style is not None and style.get("Type") in entity_types
            assert doc.xpath(f"/Chart/EntityTypeCollection/EntityType[@Name='{style.get('Type')}']/@IconFile")


def test_anx_follows_the_structural_rules(register) -> None:  # type: ignore[no-untyped-def]
    doc = etree.fromstring(_export(register, "anx", depth=2))
    _check_anx(doc)
    incident = doc.xpath("//ChartItem[End/Entity/@Identity='incident:I-1']")[0]
    assert incident.get("DateSet") == "true" and incident.get("TimeSet") == "true"
    assert incident.get("DateTime") == "2023-01-05T21:30:00"
    dated = doc.xpath("//ChartItem[End/Entity/@Identity='incident:I-2']")[0]
    assert dated.get("TimeSet") == "false" and dated.get("DateTime").startswith("2023-02-11")
    assert incident.get("SourceReference") == "WMP:I-1"
    props = {p.get("Name"): p.get("Value") for p in doc.xpath("//CustomProperty")}
    assert props["exported_by"] == "pc.tester" and "GMP" in props["agencies"]
    links = doc.xpath("//ChartItem/Link")
    assert len(links) == int(props["edge_count"])
    # The checker itself catches a dangling link.
    links[0].set("End2Id", "N999999")
    with pytest.raises(AssertionError):
        _check_anx(doc)


def test_csv_zip_holds_node_and_edge_lists_and_provenance(register) -> None:  # type: ignore[no-untyped-def]
    zf = zipfile.ZipFile(io.BytesIO(_export(register, "csv")))
    assert sorted(zf.namelist()) == ["edges.csv", "nodes.csv", "provenance.json"]
    # utf-8-sig: the lists start with a byte-order mark (for Excel), which a reader drops.
    nodes = list(csv.DictReader(io.StringIO(zf.read("nodes.csv").decode("utf-8-sig"))))
    edges = list(csv.DictReader(io.StringIO(zf.read("edges.csv").decode("utf-8-sig"))))
    ids = {n["id"] for n in nodes}
    assert "person:P-OFF" in ids and all(e["source"] in ids and e["target"] in ids for e in edges)
    prov = json.loads(zf.read("provenance.json"))
    assert prov["node_count"] == len(nodes) and prov["edge_count"] == len(edges)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "data", "poster") and value:
                self.refs.append((tag, name, value))


def test_html_is_self_contained(register) -> None:  # type: ignore[no-untyped-def]
    page = _export(register, "html").decode("utf-8")
    parser = _Refs()
    parser.feed(page)
    assert parser.refs == []
    assert parser.scripts >= 3
    assert "cytoscape" in page and "person:P-OFF" in page
    assert "@import" not in page and "url(" not in page.split("<script")[0]


def test_svg_and_png_are_pictures_with_provenance(register) -> None:  # type: ignore[no-untyped-def]
    svg = etree.fromstring(_export(register, "svg"))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    circles = svg.findall(".//{http://www.w3.org/2000/svg}circle")
    assert len(circles) >= len(DEPTH1_RECORD_NODES)
    assert b"pc.tester" in etree.tostring(svg)
    png = _export(register, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


def test_unidentified_cluster_export(register) -> None:  # type: ignore[no-untyped-def]
    content, _ = export_cluster(register, ["I-5"], 1, "cytoscape", "investigator", "x")
    doc = json.loads(content)
    ids = {n["data"]["id"] for n in doc["elements"]["nodes"]}
    assert {"incident:I-5", "phone:+447700900001", "person:V-2", "person:P-OFF"} <= ids
    assert doc["data"]["subject"] == {"kind": "incident_cluster", "ids": ["I-5"]}
    with pytest.raises(NotFound):
        export_cluster(register, ["I-404"], 1, "cytoscape", "investigator", "x")
