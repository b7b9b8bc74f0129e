"""The network traversal: a person's (or an unidentified cluster's) neighbourhood read
breadth-first, in one read transaction, as plain rows.

The reads start from the seeds (``find_network_person`` / ``find_network_incidents``), expand
level by level over the relationship types the caller allows (``expand_network_frontier``),
stopping at ``cap`` nodes, then read those nodes and their relationships (``get_network_nodes``,
``get_network_edges``). Which types are followed, and how the rows become a graph (labels,
redaction, provenance), is the export's (:mod:`graphsvc.export.network`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from graphsvc.graph.db import Database

__all__ = ["NetworkRows", "cluster_neighbourhood", "person_neighbourhood"]


@dataclass(frozen=True)
class NetworkRows:
    """A neighbourhood as read: ``levels`` (element id -> steps from the seeds, a seed 0),
    whether the cap cut it (``truncated``), and the ``get_network_nodes`` and
    ``get_network_edges`` rows of those nodes."""

    levels: dict[str, int]
    truncated: bool
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def _bfs(tx: ManagedTransaction, db: Database, seeds: list[dict[str, Any]], steps: int,
         cap: int, traversed: Sequence[str]) -> tuple[dict[str, int], bool]:
    levels: dict[str, int] = {row["eid"]: 0 for row in seeds}
    frontier = list(levels)
    truncated = False
    for level in range(1, steps + 1):
        if not frontier:
            break
        rows = db.run_in(tx, "expand_network_frontier", frontier=frontier, types=list(traversed))
        new: dict[str, str] = {}
        for row in rows:
            if row["eid"] not in levels:
                new[row["eid"]] = row["key"]
        room = cap - len(levels)
        if len(new) > room:
            truncated = True
            chosen = sorted(new, key=lambda e: (new[e], e))[: max(room, 0)]
        else:
            chosen = list(new)
        for eid in chosen:
            levels[eid] = level
        frontier = chosen
        if truncated:
            break
    return levels, truncated


def _read(tx: ManagedTransaction, db: Database, seeds: list[dict[str, Any]], steps: int, cap: int,
          traversed: Sequence[str], edge_types: Sequence[str]) -> NetworkRows:
    levels, truncated = _bfs(tx, db, seeds, steps, cap, traversed)
    eids = list(levels)
    nodes = db.run_in(tx, "get_network_nodes", eids=eids)
    edges = db.run_in(tx, "get_network_edges", eids=eids, types=list(edge_types))
    return NetworkRows(levels, truncated, nodes, edges)


def person_neighbourhood(db: Database, person_id: str, *, steps: int, cap: int, traversed: Sequence[str],
                         edge_types: Sequence[str]) -> NetworkRows | None:
    """The nodes up to ``steps`` relationships (of the ``traversed`` types) from the person,
    at most ``cap``, and their relationships of the ``edge_types``; ``None`` when no person has
    that id."""

    def work(tx: ManagedTransaction) -> NetworkRows | None:
        seeds = db.run_in(tx, "find_network_person", person_id=person_id)
        if not seeds:
            return None
        return _read(tx, db, seeds, steps, cap, traversed, edge_types)

    return db.read_tx(work)


def cluster_neighbourhood(db: Database, incident_ids: Sequence[str], *, steps: int, cap: int,
                          traversed: Sequence[str], edge_types: Sequence[str]) -> tuple[NetworkRows | None, list[str]]:
    """As :func:`person_neighbourhood`, from the incidents ``incident_ids``: ``(rows, [])``, or
    ``(None, the unknown ids)`` when any id names no incident (nothing more is read)."""

    def work(tx: ManagedTransaction) -> tuple[NetworkRows | None, list[str]]:
        seeds = db.run_in(tx, "find_network_incidents", incident_ids=list(incident_ids))
        missing = sorted(set(incident_ids) - {row["id"] for row in seeds})
        if missing:
            return None, missing
        return _read(tx, db, seeds, steps, cap, traversed, edge_types), []

    return db.read_tx(work)
