"""The network projection: a person's (or an unidentified cluster's) neighbourhood in the
register, as read by :mod:`graphsvc.repository.network` in one transaction, projected to a typed
:class:`networkx.MultiDiGraph` (:func:`project`) with its provenance (:func:`provenance`).
:mod:`graphsvc.services.exports` puts the two together.

Depth counts *steps between persons*: one step is two relationships, from a node through an
incident, order, identifier or address to the next node (person -> incident -> victim), so
depth ``D`` reads at most ``2 * D`` relationships from the start. ``POSSIBLY_SAME_AS`` links are
followed (rejected ones are not). Agencies are attached to every record node they supplied but
never traversed. At most :data:`NODE_CAP` nodes (agencies not counted) are read: a breadth-first
level that would pass the cap is cut, nearest nodes first, and the export says so
(``truncated``).

Redaction happens here, once, for every format: identifiers and addresses that a victim holds
are replaced by an opaque ``[redacted]`` node for roles without ``VICTIM_CONTACT``
(:func:`graphsvc.security.policy.redact_person` is applied to every person), unless an identifier is
also offender evidence (used in an incident, or held by a person who is not a victim).

Need-to-know (contract section 5) happens here too, for a caller acting for an agency: another
agency's victims' names, dates of birth and aliases, incident descriptions and order conditions
read ``[withheld: CODE]`` (:func:`graphsvc.security.visibility.withheld_node`, the rule every JSON
answer gets), and an identifier or address held only by other agencies' victims, and not
offender evidence, becomes an opaque ``[withheld: CODE]`` node. Record ids, types, dates and
the perpetrator's identity cross. Each node of such an export says which agencies withheld
something of it (``withheld_by``, space-separated codes) and the provenance lists them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphsvc.security.policy import REDACTED, Permission, allowed, redact_person
from graphsvc.security.visibility import Owner, withheld, withheld_node
from loaders.records import iso

__all__ = [
    "EDGE_TYPES",
    "MAX_CLUSTER_INCIDENTS",
    "MAX_DEPTH",
    "NODE_CAP",
    "NODE_TYPES",
    "NOTICE",
    "TRAVERSED",
    "Network",
    "project",
    "provenance",
]

NODE_CAP = 5000
#: The handling notice every export carries (networks and timelines alike).
NOTICE = ("OFFICIAL-SENSITIVE. Police register extract: disclosure is logged; "
          "handle under the Data Protection Act 2018 Part 3.")
MAX_DEPTH = 3
MAX_CLUSTER_INCIDENTS = 500

# Neo4j label -> export node type (an allow-list: anything else is never exported).
_LABEL_TYPES: dict[str, str] = {
    "Person": "person",
    "Incident": "incident",
    "Order": "order",
    "Phone": "phone",
    "Email": "email",
    "Handle": "handle",
    "Vehicle": "vehicle",
    "Address": "address",
    "Agency": "agency",
}
NODE_TYPES: tuple[str, ...] = tuple(_LABEL_TYPES.values())

EDGE_TYPES: dict[str, str] = {
    "OFFENDER_IN": "offender in",
    "VICTIM_IN": "victim in",
    "USED": "used",
    "BREACHED": "breached",
    "RESTRAINS": "restrains",
    "PROTECTS": "protects",
    "HAS_IDENTIFIER": "has identifier",
    "HAS_ADDRESS": "has address",
    "POSSIBLY_SAME_AS": "possibly same as",
    "REPORTED_BY": "reported by",
}

# Relationships a network export follows (never REPORTED_BY: agencies are attached, not crossed).
TRAVERSED: list[str] = [t for t in EDGE_TYPES if t != "REPORTED_BY"]
_CONTACT_TYPES = {"phone", "email", "handle", "vehicle", "address"}
# The register properties an export carries, per node type (an allow-list: a property added
# to the graph later, bookkeeping or derived keys never leave by accident).
_EXPORTED_PROPS: dict[str, tuple[str, ...]] = {
    "person": ("given_name", "family_name", "aliases", "dob", "gender"),
    "incident": ("occurred_at", "occurred_precision", "reported_at", "type", "outcome", "description"),
    "order": ("type", "issued_on", "expires_on", "conditions"),
    "handle": ("platform", "handle"),
    "address": ("line1", "town", "postcode"),
}
# Free text can hold anything, victims' addresses and numbers included: withheld from roles
# without VICTIM_CONTACT.
_FREE_TEXT = {"description", "conditions"}


@dataclass
class Network:
    """A projected neighbourhood: the graph and the provenance every writer carries."""

    graph: nx.MultiDiGraph
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.provenance.get("title", "graphsvc network"))


def _scalar(value: Any, precision: str | None = None) -> str | int | float | bool:
    """A property value as a flat scalar every format can hold; dates and date-times as
    :func:`loaders.records.iso` shows them (Europe/London with its offset; the date for a time
    of ``precision`` ``"date"``)."""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(str(_scalar(v)) for v in value)
    to_native = getattr(value, "to_native", None)  # neo4j.time types
    if callable(to_native):
        value = to_native()
    if isinstance(value, dt.date):  # a datetime too
        return str(iso(value.replace(microsecond=0) if isinstance(value, dt.datetime) else value, precision))
    return str(value)


def _node_id(ntype: str, props: dict[str, Any]) -> str:
    key = props.get("id") or props.get("value") or props.get("key") or props.get("code") or ""
    return f"{ntype}:{key}"


def _label(ntype: str, props: dict[str, Any]) -> str:
    if ntype == "person":
        # a withheld victim's two name fields read the same "[withheld: B]": show it once
        parts = dict.fromkeys(str(props[k]) for k in ("given_name", "family_name") if props.get(k))
        name = " ".join(parts)
        return f"{name} ({props['id']})" if name else str(props["id"])
    if ntype == "incident":
        when = str(_scalar(props.get("occurred_at", "")))[:10]  # the London day
        return f"{props.get('type', 'incident')} {when} ({props['id']})".strip()
    if ntype == "order":
        return f"{str(props.get('type', 'order')).replace('_', ' ')} ({props['id']})"
    if ntype == "address":
        return ", ".join(str(props[k]) for k in ("line1", "town", "postcode") if props.get(k)) or "address"
    if ntype == "agency":
        return str(props.get("code", "agency"))
    return str(props.get("value", ntype))


def _node_attrs(ntype: str, labels: list[str], props: dict[str, Any], free_text: bool) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "type": ntype,
        "label": _label(ntype, props),
        "record_id": str(props.get("id", "")) if ntype in ("person", "incident", "order") else "",
        "agency": str(props.get("source", props.get("code", "")) or ""),
    }
    if ntype == "person":
        roles = [r for r in ("Offender", "Victim") if r in labels]
        attrs["roles"] = ";".join(r.lower() for r in roles)
        attrs["placeholder"] = bool(props.get("placeholder", False))
    if ntype == "incident":
        # The console draws an incident with no identified perpetrator apart (its own shape),
        # and an analyst filters exports on it: say it rather than leave it to be inferred.
        attrs["unidentified"] = "Unidentified" in labels
    for name in _EXPORTED_PROPS.get(ntype, ()):
        value = props.get(name)
        if value is None or (name in _FREE_TEXT and not free_text):
            continue
        key = {"type": f"{ntype}_type"}.get(name, name)
        attrs[key] = _scalar(value, props.get("occurred_precision") if name == "occurred_at" else None)
    if ntype in ("phone", "email", "handle", "vehicle"):
        attrs["value"] = str(props.get("value", ""))
    return attrs


def project(levels: dict[str, int], node_rows: list[dict[str, Any]], edge_rows: list[dict[str, Any]],
            role: str, agency: str | None = None) -> nx.MultiDiGraph:
    """The graph of a neighbourhood as read (:class:`graphsvc.repository.network.NetworkRows`:
    element id -> level, the node rows, the edge rows), redacted for ``role`` and, for a
    caller acting for ``agency``, with other agencies' victims' details withheld."""
    may_see_contact = allowed(role, Permission.VICTIM_CONTACT)
    graph = nx.MultiDiGraph()
    ids: dict[str, str] = {}
    redacted_count = 0
    for row in sorted(node_rows, key=lambda r: (levels[r["eid"]], _node_sort_key(r))):
        labels: list[str] = row["labels"]
        ntype = next((_LABEL_TYPES[lb] for lb in labels if lb in _LABEL_TYPES and lb != "Agency"), None)
        if ntype is None:
            continue  # service bookkeeping or an unknown label: never exported
        props = dict(row["props"])
        hide = (
            not may_see_contact
            and ntype in _CONTACT_TYPES
            and row["victim_held"]
            and (ntype == "address" or not row["offender_evidence"])
        )
        holders = [str(a) for a in row.get("victim_owners") or []]
        withhold_contact = (
            agency is not None
            and ntype in _CONTACT_TYPES
            and bool(holders)
            and agency not in holders
            and (ntype == "address" or not row["offender_evidence"])
        )
        by = ""  # the agencies that withheld something of this node, space-separated
        if hide or withhold_contact:
            redacted_count += 1
            node_id = f"redacted:{redacted_count}"
            label = REDACTED
            if withhold_contact and not hide:
                by = " ".join(sorted(holders))
                label = withheld(by.replace(" ", "/"))
            attrs: dict[str, Any] = {"type": ntype, "label": label, "record_id": "", "agency": ""}
            hide = True
        else:
            if ntype == "person":
                props = redact_person(props, role, is_victim="Victim" in labels)
            if agency is not None and ntype in ("person", "incident", "order"):
                owner = Owner.of_node(ntype, props.get("source"), labels)
                props, code = withheld_node(props, owner, agency)
                by = code or ""
            node_id = _node_id(ntype, props)
            attrs = _node_attrs(ntype, labels, props, free_text=may_see_contact)
        attrs["redacted"] = hide
        if agency is not None:
            attrs["withheld_by"] = by
        attrs["level"] = levels[row["eid"]]
        attrs["subject"] = levels[row["eid"]] == 0
        ids[row["eid"]] = node_id
        graph.add_node(node_id, **attrs)

    for row in sorted(edge_rows, key=lambda r: (ids.get(r["source"], ""), r["type"], r["rid"])):
        source = ids.get(row["source"])
        if source is None:
            continue
        target: str | None
        if row["agency"] is not None:
            target = f"agency:{row['agency']}"
            if target not in graph:
                graph.add_node(target, type="agency", label=row["agency"], record_id="",
                               agency=row["agency"], redacted=False, level=-1, subject=False)
        else:
            target = ids.get(row["target"])
            if target is None:
                continue
        props = row["props"]
        attrs = {
            "type": row["type"],
            "label": EDGE_TYPES[row["type"]],
            "agency": str(props.get("source", "") or ""),
        }
        if row["type"] == "POSSIBLY_SAME_AS":
            attrs["probability"] = float(props.get("probability", 0.0) or 0.0)
            attrs["status"] = str(props.get("status", "proposed") or "proposed")
        key = f"{source}|{row['type']}|{target}"
        if graph.has_edge(source, target, key):
            key = f"{key}#{row['rid']}"
        graph.add_edge(source, target, key=key, **attrs)
    return graph


def _node_sort_key(row: dict[str, Any]) -> str:
    p = row["props"]
    return str(p.get("id") or p.get("value") or p.get("key") or p.get("code") or "")


def provenance(graph: nx.MultiDiGraph, *, title: str, subject: dict[str, Any], depth: int,
               role: str, exported_by: str, truncated: bool, cap: int,
               agency: str | None = None) -> dict[str, Any]:
    """What every export carries about itself: subject, depth, who exported it when, the
    agencies and record ids in it, its size, whether the cap cut it, how much was redacted."""
    by_type: dict[str, list[str]] = {"person": [], "incident": [], "order": []}
    agencies: set[str] = set()
    for _, data in graph.nodes(data=True):
        if data["type"] in by_type and data["record_id"]:
            by_type[data["type"]].append(data["record_id"])
        if data["type"] == "agency":
            agencies.add(data["agency"])
    out: dict[str, Any] = {
        "title": title,
        "generator": "graphsvc",
        "subject": subject,
        "depth": depth,
        # shown as every date-time of an export is (contract section 9): London, with its offset
        "exported_at": iso(dt.datetime.now(dt.UTC).replace(microsecond=0)),
        "exported_by": exported_by,
        "role": getattr(role, "value", role),  # a Role enum or its name
        "agencies": sorted(agencies),
        "person_ids": sorted(by_type["person"]),
        "incident_ids": sorted(by_type["incident"]),
        "order_ids": sorted(by_type["order"]),
        "node_count": graph.number_of_nodes(),
        "edge_count": graph.number_of_edges(),
        "node_cap": cap,
        "truncated": truncated,
        "redacted": sum(1 for _, d in graph.nodes(data=True) if d.get("redacted")),
        "notice": NOTICE,
    }
    if agency is not None:
        out["exported_for_agency"] = agency
        out["withheld_by"] = sorted({a for _, d in graph.nodes(data=True) for a in str(d.get("withheld_by", "")).split()})
    return out
