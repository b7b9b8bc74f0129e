"""i2 Analyst's Notebook exchange format (ANX XML), so an export opens as a link chart.

Element order follows the ANX chart schema: ``ApplicationVersion``, ``StrengthCollection``,
``AttributeClassCollection``, ``EntityTypeCollection``, ``LinkTypeCollection``, ``Summary``,
then ``ChartItemCollection`` (every entity before any link). Each node type is an entity type
with an icon from the standard i2 library (unknown names fall back to ANB's default icon);
each relationship type is a link type. Incidents carry their date and time (``DateSet``,
``TimeSet``, ``DateTime``), orders their issue date; every item carries its record id and
supplying agency as attributes and as ``SourceReference``. Unconfirmed identity links use the
dashed "Unconfirmed" strength. Positions follow the radial layout.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml import etree

from graphsvc.export.layout import radial_layout
from graphsvc.export.network import EDGE_TYPES, Network
from graphsvc.export.style import EDGE_COLOUR, NODE_STYLE, hex_to_rgb
from loaders.times import LONDON

__all__ = ["anx_datetime", "write"]

MIMETYPE = "application/xml"

# Attributes shown on items: (attribute name in the graph, i2 attribute class, i2 type).
_ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    ("record_id", "Record ID", "AttText"),
    ("agency", "Source agency", "AttText"),
    ("roles", "Roles", "AttText"),
    ("dob", "Date of birth", "AttText"),
    ("gender", "Gender", "AttText"),
    ("aliases", "Aliases", "AttText"),
    ("incident_type", "Incident type", "AttText"),
    ("outcome", "Outcome", "AttText"),
    ("order_type", "Order type", "AttText"),
    ("issued_on", "Issued on", "AttText"),
    ("expires_on", "Expires on", "AttText"),
    ("conditions", "Conditions", "AttText"),
    ("value", "Value", "AttText"),
    ("platform", "Platform", "AttText"),
    ("postcode", "Postcode", "AttText"),
    ("probability", "Probability", "AttNumber"),
    ("status", "Link status", "AttText"),
    ("level", "Steps from subject", "AttNumber"),
)


def _colourref(colour: str) -> str:
    """i2 colours are Windows COLORREF integers: 0x00BBGGRR."""
    r, g, b = hex_to_rgb(colour)
    return str(r + (g << 8) + (b << 16))


def anx_datetime(value: str) -> tuple[str, bool] | None:
    """An ISO date or date-time as i2's ``DateTime`` (local form, no offset: the local time in
    Europe/London, whatever offset the text carries, so the chart shows the day and hour the
    register shows, contract section 9) and whether the time is meaningful; ``None`` when the
    value is empty or not a date."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)  # 3.11 reads a trailing Z
    except ValueError:
        return None
    has_time = "T" in value
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(LONDON)
    return parsed.replace(tzinfo=None, microsecond=0).isoformat(), has_time


def _when(attrs: dict[str, Any]) -> tuple[str, bool] | None:
    if attrs["type"] == "incident":
        found = anx_datetime(str(attrs.get("occurred_at", "")))
        if found and attrs.get("occurred_precision") == "date":
            return found[0], False
        return found
    if attrs["type"] == "order":
        found = anx_datetime(str(attrs.get("issued_on", "")))
        return (found[0], False) if found else None
    return None


def _attributes(parent: etree._Element, attrs: dict[str, Any], ids: dict[str, str]) -> None:
    present = [(cls, attrs[name]) for name, cls, _ in _ATTRIBUTES
               if attrs.get(name) not in (None, "")]
    if not present:
        return
    box = etree.SubElement(parent, "AttributeCollection")
    for cls, value in present:
        etree.SubElement(box, "Attribute", AttributeClass=cls, AttributeClassReference=ids[cls],
                         Value=str(value))


def write(network: Network) -> bytes:
    g = network.graph
    prov = network.provenance
    root = etree.Element("Chart", IdReferenceLinking="false", Rigorous="true")
    etree.SubElement(root, "ApplicationVersion", Major="9", Minor="0", Point="0", Build="0")

    strengths = etree.SubElement(root, "StrengthCollection")
    etree.SubElement(strengths, "Strength", Id="STR1", Name="Default", DotStyle="DotStyleSolid")
    etree.SubElement(strengths, "Strength", Id="STR2", Name="Unconfirmed", DotStyle="DotStyleDashed")

    classes = etree.SubElement(root, "AttributeClassCollection")
    class_ids: dict[str, str] = {}
    for i, (_, cls, att_type) in enumerate(_ATTRIBUTES, start=1):
        class_ids[cls] = f"AC{i}"
        etree.SubElement(classes, "AttributeClass", Id=f"AC{i}", Name=cls, Type=att_type,
                         IsUser="true", UserCanAdd="true", UserCanRemove="true", Visible="true")

    entity_types = etree.SubElement(root, "EntityTypeCollection")
    et_ids: dict[str, str] = {}
    for i, (ntype, (colour, name, icon)) in enumerate(NODE_STYLE.items(), start=1):
        et_ids[ntype] = f"ET{i}"
        etree.SubElement(entity_types, "EntityType", Id=f"ET{i}", Name=name, IconFile=icon,
                         Colour=_colourref(colour), PreferredRepresentation="RepresentAsIcon")
    link_types = etree.SubElement(root, "LinkTypeCollection")
    lt_ids: dict[str, str] = {}
    for i, (rtype, label) in enumerate(EDGE_TYPES.items(), start=1):
        lt_ids[rtype] = f"LT{i}"
        etree.SubElement(link_types, "LinkType", Id=f"LT{i}", Name=label.capitalize(),
                         Colour=_colourref(EDGE_COLOUR[rtype]))

    summary = etree.SubElement(root, "Summary")
    fields = etree.SubElement(summary, "FieldCollection")
    etree.SubElement(fields, "Field", Type="SummaryFieldTitle", Field=network.title)
    etree.SubElement(fields, "Field", Type="SummaryFieldAuthor", Field=str(prov.get("exported_by", "")))
    etree.SubElement(fields, "Field", Type="SummaryFieldComments", Field=str(prov.get("notice", "")))
    custom = etree.SubElement(summary, "CustomPropertyCollection")
    for key in ("exported_at", "exported_by", "role", "depth", "agencies", "person_ids",
                "incident_ids", "order_ids", "node_count", "edge_count", "truncated", "node_cap"):
        value = prov.get(key, "")
        text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
        etree.SubElement(custom, "CustomProperty", Name=key, Type="String", Value=text)
    created = anx_datetime(str(prov.get("exported_at", "")))
    etree.SubElement(summary, "Origin", CreatedDate=created[0] if created else "",
                     EditTime="0", RevisionNumber="1")

    items = etree.SubElement(root, "ChartItemCollection")
    pos = radial_layout(g)
    entity_ids: dict[str, str] = {}
    for i, (n, attrs) in enumerate(g.nodes(data=True), start=1):
        entity_ids[n] = f"N{i}"
        ci = etree.SubElement(items, "ChartItem", Id=f"CI{i}", Label=str(attrs.get("label", n)))
        when = _when(attrs)
        if when:
            ci.set("DateSet", "true")
            ci.set("TimeSet", "true" if when[1] else "false")
            ci.set("DateTime", when[0])
        if attrs.get("record_id"):
            ci.set("SourceReference", f"{attrs.get('agency', '')}:{attrs['record_id']}")
            ci.set("SourceType", "graphsvc register")
        x, y = pos[n]
        ci.set("XPosition", str(int(x)))
        end = etree.SubElement(ci, "End", X=str(int(x)), Y=str(int(y)), Z="0")
        entity = etree.SubElement(end, "Entity", EntityId=f"N{i}", Identity=str(n),
                                  LabelIsIdentity="false")
        icon = etree.SubElement(entity, "Icon")
        etree.SubElement(icon, "IconStyle", Type=NODE_STYLE[attrs["type"]][1],
                         EntityTypeReference=et_ids[attrs["type"]])
        _attributes(ci, attrs, class_ids)
    offset = g.number_of_nodes()
    for j, (u, v, _key, attrs) in enumerate(g.edges(keys=True, data=True), start=1):
        ci = etree.SubElement(items, "ChartItem", Id=f"CI{offset + j}", Label=str(attrs["label"]))
        if attrs.get("agency"):
            ci.set("SourceReference", str(attrs["agency"]))
            ci.set("SourceType", "graphsvc register")
        link = etree.SubElement(ci, "Link", End1Id=entity_ids[u], End2Id=entity_ids[v])
        unconfirmed = attrs["type"] == "POSSIBLY_SAME_AS" and attrs.get("status") != "confirmed"
        etree.SubElement(link, "LinkStyle", ArrowStyle="ArrowOnHead",
                         Strength="Unconfirmed" if unconfirmed else "Default",
                         Type=EDGE_TYPES[attrs["type"]].capitalize(),
                         LinkTypeReference=lt_ids[attrs["type"]],
                         LineColour=_colourref(EDGE_COLOUR[attrs["type"]]))
        _attributes(ci, attrs, class_ids)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
