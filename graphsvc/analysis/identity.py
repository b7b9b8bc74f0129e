"""Seeing through identity links (``POSSIBLY_SAME_AS``).

Confirmed links make one perpetrator of several person records; proposed links with
``probability >= threshold`` are included but marked unconfirmed with their probability and
evidence; rejected links (and proposals under the threshold) never count.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

__all__ = ["IdentityGroup", "identity_group", "identity_groups", "link_graph", "decode_evidence"]




def decode_evidence(raw: Any) -> Any:
    """A link's stored evidence (JSON text) as data; anything else as it is."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _counts(link: Mapping[str, Any], threshold: float) -> str | None:
    status = link.get("status")
    if status == "confirmed":
        return "confirmed"
    if status == "proposed" and float(link.get("probability") or 0.0) >= threshold:
        return "proposed"
    return None


@dataclass
class IdentityGroup:
    """The records counted as one perpetrator, seen from ``person_id``."""

    person_id: str
    confirmed: list[str]  # person_id and those joined by confirmed links only
    unconfirmed: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> link facts

    @property
    def members(self) -> list[str]:
        return [*self.confirmed, *sorted(self.unconfirmed)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "confirmed_person_ids": [p for p in self.confirmed if p != self.person_id],
            "unconfirmed": [{"person_id": p, **v} for p, v in sorted(self.unconfirmed.items())],
        }


def _graph(links: Iterable[Mapping[str, Any]], threshold: float) -> nx.Graph:
    g = nx.Graph()
    for link in links:
        kind = _counts(link, threshold)
        if kind is None or link["a"] == link["b"]:
            continue
        prob = 1.0 if kind == "confirmed" else float(link["probability"])
        if g.has_edge(link["a"], link["b"]) and g[link["a"]][link["b"]]["kind"] == "confirmed":
            continue
        # evidence stays as stored (JSON text) until a group reports it: a register-wide graph has
        # hundreds of thousands of links and a group shows the evidence of a few
        g.add_edge(link["a"], link["b"], kind=kind, probability=prob, evidence=link.get("evidence"),
                   decided_by=link.get("decided_by"))
    return g


def identity_group(person_id: str, links: Iterable[Mapping[str, Any]], threshold: float,
                   graph: nx.Graph | None = None) -> IdentityGroup:
    """The group of ``person_id`` from link rows ``{"a", "b", "status", "probability", "evidence"}``.

    Members reached only through a proposed link are ``unconfirmed`` with ``probability`` (the
    lowest proposed probability on the path that reached them), ``evidence`` and ``via`` (the
    record the proposal links them to).

    Examples
    --------
    >>> g = identity_group("A", [{"a": "A", "b": "B", "status": "confirmed"}], 0.9)
    >>> g.confirmed
    ['A', 'B']

    Pass ``graph`` (from :func:`link_graph`) to reuse one graph for many persons.
    """
    g = graph if graph is not None else _graph(links, threshold)
    if person_id not in g:
        return IdentityGroup(person_id, [person_id])
    component = g.subgraph(nx.node_connected_component(g, person_id))
    confirmed_only = nx.Graph((u, v) for u, v, d in component.edges(data=True) if d["kind"] == "confirmed")
    confirmed_only.add_node(person_id)
    confirmed = sorted(nx.node_connected_component(confirmed_only, person_id), key=lambda p: (p != person_id, p))
    seen = set(confirmed)
    unconfirmed: dict[str, dict[str, Any]] = {}
    queue: deque[tuple[str, float]] = deque((p, 1.0) for p in confirmed)
    while queue:
        node, prob = queue.popleft()
        for nbr, data in sorted(g[node].items()):
            if nbr in seen:
                continue
            seen.add(nbr)
            p = min(prob, data["probability"])
            unconfirmed[nbr] = {"status": "proposed", "probability": round(p, 4),
                                "evidence": decode_evidence(data["evidence"]), "via": node}
            queue.append((nbr, p))
    return IdentityGroup(person_id, confirmed, unconfirmed)


def link_graph(links: Iterable[Mapping[str, Any]], threshold: float) -> nx.Graph:
    """The graph of the links that count (edges carry ``kind``, ``probability``, ``evidence`` as
    the link row holds it: :func:`identity_group` decodes the JSON text of those it reports)."""
    return _graph(links, threshold)


def identity_groups(links: Iterable[Mapping[str, Any]], threshold: float) -> list[set[str]]:
    """Every group of more than one record (connected components over counted links)."""
    return [set(c) for c in nx.connected_components(_graph(links, threshold))]
