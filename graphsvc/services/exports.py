"""Network exports as a use case: read a person's (or an unidentified cluster's) neighbourhood,
build the :class:`~graphsvc.export.network.Network` and render it.

>>> content, mimetype = export_network(db, "WMP-P-1042", 2, "graphml", "investigator", "pc.jones")

The neighbourhood is read in one transaction (:mod:`graphsvc.repository.network`), projected and
redacted for the caller's role, and withheld for the caller's agency (contract section 5),
by :func:`graphsvc.export.network.project` and written by one of
:data:`graphsvc.export.FORMATS`. Depth is 1-3 steps between persons, at most ``cap`` nodes.
Auditing the disclosure is the caller's job (the API route and the CLI write the audit entry).
See docs/exports.md.
"""

from __future__ import annotations

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.export import export_format
from graphsvc.export.network import (
    EDGE_TYPES,
    MAX_CLUSTER_INCIDENTS,
    MAX_DEPTH,
    NODE_CAP,
    TRAVERSED,
    Network,
    project,
    provenance,
)
from graphsvc.graph.db import Database
from graphsvc.repository.network import NetworkRows, cluster_neighbourhood, person_neighbourhood

__all__ = ["cluster_network", "export_cluster", "export_network", "person_network"]


def _check_depth(depth: int) -> None:
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise InvalidInput(f"depth must be a whole number from 1 to {MAX_DEPTH}", {"field": "depth"})


def _network(rows: NetworkRows, *, title: str, subject: dict[str, object], depth: int, role: str,
             exported_by: str, cap: int, agency: str | None) -> Network:
    graph = project(rows.levels, rows.nodes, rows.edges, role, agency)
    prov = provenance(graph, title=title, subject=subject, depth=depth, role=role, exported_by=exported_by,
                      truncated=rows.truncated, cap=cap, agency=agency)
    return Network(graph, prov)


def person_network(db: Database, person_id: str, depth: int, role: str, exported_by: str,
                   cap: int = NODE_CAP, agency: str | None = None) -> Network:
    """The neighbourhood of one person to ``depth`` steps (1-3), redacted for ``role``.

    Raises :class:`~graphsvc.errors.InvalidInput` for a depth outside 1-3 and
    :class:`~graphsvc.errors.NotFound` when no person has that id.
    """
    _check_depth(depth)
    rows = person_neighbourhood(db, person_id, steps=2 * depth, cap=cap, traversed=TRAVERSED,
                                edge_types=list(EDGE_TYPES))
    if rows is None:
        raise NotFound(f"no person with id {person_id!r}", {"person_id": person_id})
    return _network(rows, title=f"Network of person {person_id} (depth {depth})",
                    subject={"kind": "person", "ids": [person_id]}, depth=depth, role=role,
                    exported_by=exported_by, cap=cap, agency=agency)


def cluster_network(db: Database, incident_ids: list[str], depth: int, role: str,
                    exported_by: str, cap: int = NODE_CAP, agency: str | None = None) -> Network:
    """The neighbourhood of a cluster of incidents (an unidentified perpetrator's), as
    :func:`person_network` does for a person. Raises NotFound when no incident id exists."""
    _check_depth(depth)
    ids = sorted({str(i) for i in incident_ids})
    if not ids or len(ids) > MAX_CLUSTER_INCIDENTS:
        raise InvalidInput(f"a cluster export takes 1 to {MAX_CLUSTER_INCIDENTS} incident ids",
                           {"field": "incident_ids"})
    rows, missing = cluster_neighbourhood(db, ids, steps=2 * depth, cap=cap, traversed=TRAVERSED,
                                          edge_types=list(EDGE_TYPES))
    if rows is None:
        raise NotFound("unknown incident ids", {"incident_ids": missing})
    return _network(rows, title=f"Unidentified cluster of {len(ids)} incidents and its neighbourhood (depth {depth})",
                    subject={"kind": "incident_cluster", "ids": ids}, depth=depth, role=role,
                    exported_by=exported_by, cap=cap, agency=agency)


def export_network(db: Database, person_id: str, depth: int, fmt: str, role: str,
                   exported_by: str, agency: str | None = None) -> tuple[bytes, str]:
    """A person's network to ``depth`` steps (1-3) in ``fmt``, redacted for ``role``.

    Returns (content, mimetype). Raises :class:`~graphsvc.errors.InvalidInput` for an unknown
    format or a depth outside 1-3, :class:`~graphsvc.errors.NotFound` for an unknown person.
    """
    f = export_format(fmt)
    network = person_network(db, person_id, depth, role, exported_by, agency=agency)
    return f.writer(network), f.mimetype


def export_cluster(db: Database, incident_ids: list[str], depth: int, fmt: str, role: str,
                   exported_by: str, agency: str | None = None) -> tuple[bytes, str]:
    """An unidentified cluster (incident ids, e.g. from ``/patterns/unidentified``) and its
    neighbourhood, as :func:`export_network` does for a person."""
    f = export_format(fmt)
    network = cluster_network(db, incident_ids, depth, role, exported_by, agency=agency)
    return f.writer(network), f.mimetype
