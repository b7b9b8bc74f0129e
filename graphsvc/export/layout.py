"""A deterministic radial layout for ego networks: the subject at the centre, each ring one
breadth-first level further out, agencies on an outer ring. Pure Python, O(n log n): it lays
out 5,000 nodes in milliseconds, where a force-directed layout would take seconds, and the
rings read as "steps from the subject" in a report."""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx

__all__ = ["radial_layout"]


def radial_layout(graph: nx.MultiDiGraph, ring: float = 160.0) -> dict[str, tuple[float, float]]:
    """Positions (x, y), centre (0, 0). Each node sits near the angle of the node that brought
    it in (its first neighbour on the inner ring), which keeps branches together."""
    levels: dict[int, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        level = int(data.get("level", 0))
        levels[level if level >= 0 else 10_000].append(node)
    pos: dict[str, tuple[float, float]] = {}
    angle: dict[str, float] = {}
    undirected = graph.to_undirected(as_view=True)
    previous = 0.0
    for rank, level in enumerate(sorted(levels)):
        nodes = levels[level]
        if rank == 0 and len(nodes) == 1:
            pos[nodes[0]] = (0.0, 0.0)
            angle[nodes[0]] = 0.0
            continue

        def parent_angle(n: str) -> float:
            seen = [angle[m] for m in undirected.neighbors(n) if m in angle]
            return min(seen) if seen else 0.0

        nodes.sort(key=lambda n: (parent_angle(n), n))
        radius = ring * (rank + (0 if rank else 0.5))
        # Keep neighbours on a ring at least ~9 px apart: grow crowded rings outwards.
        radius = max(radius, 9.0 * len(nodes) / (2 * math.pi), previous + ring * 0.75)
        previous = radius
        for i, n in enumerate(nodes):
            a = 2 * math.pi * i / len(nodes)
            angle[n] = a
            pos[n] = (radius * math.cos(a), radius * math.sin(a))
    return pos
