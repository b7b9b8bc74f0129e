"""Unidentified-perpetrator clusters: components of the incident-identifier graph.

The graph is bipartite: incident nodes (incidents with no identified offender) and identifier
nodes (phones, emails, handles, vehicles they used), an edge where an incident used an
identifier. A cluster is a connected component holding at least two incidents. An identifier
bridges when removing it splits the cluster's incidents (an articulation point of the
component): it is the single thread joining two groups of incidents, and the first thing to
verify.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

__all__ = ["incident_identifier_graph", "clusters"]


def incident_identifier_graph(rows: Iterable[Mapping[str, Any]]) -> nx.Graph:
    """The bipartite graph from rows ``{"incident_id", "identifier"}`` (identifier as
    ``kind:value``, e.g. ``phone:+447700900123``). Nodes are ``("incident", id)`` and
    ``("identifier", value)``."""
    g = nx.Graph()
    for row in rows:
        i, v = ("incident", row["incident_id"]), ("identifier", row["identifier"])
        g.add_node(i, bipartite=0)
        g.add_node(v, bipartite=1)
        g.add_edge(i, v)
    return g


def clusters(g: nx.Graph, min_incidents: int = 2) -> list[dict[str, Any]]:
    """The clusters of ``g``, largest first (ties: first incident id).

    Returns
    -------
    list of dict
        ``{"incident_ids", "identifiers", "bridging_identifiers", "shared_identifiers"}``:
        ``shared_identifiers`` were used in at least two of the cluster's incidents.

    Examples
    --------
    >>> g = incident_identifier_graph([{"incident_id": "I1", "identifier": "phone:1"},
    ...     {"incident_id": "I2", "identifier": "phone:1"}])
    >>> clusters(g)[0]["bridging_identifiers"]
    ['phone:1']
    """
    if min_incidents < 1:
        raise ValueError("min_incidents must be at least 1")
    out: list[dict[str, Any]] = []
    for comp in nx.connected_components(g):
        incidents = sorted(n[1] for n in comp if n[0] == "incident")
        if len(incidents) < min_incidents:
            continue
        sub = g.subgraph(comp)
        idents = sorted(n[1] for n in comp if n[0] == "identifier")
        bridging = sorted(n[1] for n in nx.articulation_points(sub) if n[0] == "identifier")
        shared = sorted(n[1] for n in comp if n[0] == "identifier" and sub.degree(n) >= 2)
        out.append({"incident_ids": incidents, "identifiers": idents, "bridging_identifiers": bridging,
                    "shared_identifiers": shared})
    out.sort(key=lambda c: (-len(c["incident_ids"]), c["incident_ids"][0]))
    return out
