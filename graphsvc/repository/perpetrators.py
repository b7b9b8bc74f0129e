"""What the perpetrator analyses read of some persons and the records their identity links count
with, in one round trip; the identity grouping happens here only to know whose records to read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphsvc.analysis.identity import IdentityGroup, decode_evidence, identity_group, link_graph
from graphsvc.graph.db import Database
from graphsvc.repository.identity import identity_links_in
from graphsvc.repository.incidents import incident_table
from graphsvc.repository.rows import plain_rows

__all__ = ["perpetrator_rows", "perpetrator_rows_in"]


def perpetrator_rows(db: Database, person_ids: Sequence[str], threshold: float, *,
                     unidentified: bool = True) -> dict[str, Any]:
    """:func:`perpetrator_rows_in` in a read transaction of its own."""
    return db.read_tx(lambda tx: perpetrator_rows_in(db, tx, person_ids, threshold, unidentified=unidentified))


def perpetrator_rows_in(db: Database, tx: Any, person_ids: Sequence[str], threshold: float,
                        known_links: Mapping[str, Sequence[Mapping[str, Any]]] | None = None, *,
                        unidentified: bool = True) -> dict[str, Any]:
    """The identity links that count around ``person_ids`` and the groups they make, then the
    incidents, orders and linked unidentified incidents of everyone in those groups
    (``get_perpetrator_records``, one round trip). Returns ``{"groups" (person id ->
    :class:`~graphsvc.analysis.identity.IdentityGroup`), "incidents", "orders", "unidentified",
    "persons" (those of the ids read that are on the register), "links" (the links read around
    ``person_ids``), "victim_links" (the links that count around the victims those incidents
    name: :func:`graphsvc.analysis.victims.victim_groups` makes the distinct victims of them)}``.

    The links are read without their evidence (JSON text, most of a link's bytes); the evidence
    of the links that bring an unconfirmed member into a group, the only ones an answer shows,
    comes with the records (a check at 1M read 700 links' evidence for some subjects).
    ``known_links``: links already read, per person (see :func:`identity_links_in`).
    ``unidentified=False`` leaves the linked unidentified incidents out (``[]``): for answers
    that show none of them (fixation)."""
    if not person_ids:
        return {"groups": {}, "incidents": [], "orders": [], "unidentified": [], "persons": set(), "links": [],
                "victim_links": []}
    links = identity_links_in(db, tx, person_ids, threshold, known_links)
    graph = link_graph(links, threshold)
    groups: dict[str, IdentityGroup] = {p: identity_group(p, links, threshold, graph) for p in person_ids}
    everyone = sorted(set(person_ids) | {m for g in groups.values() for m in g.members})
    pairs = sorted({(u["via"], m) for g in groups.values() for m, u in g.unconfirmed.items()})
    rows = db.run_in(tx, "get_perpetrator_records", ids=everyone, pairs=[list(p) for p in pairs],
                     threshold=threshold, unidentified=unidentified)
    evidence = {frozenset((e["a"], e["b"])): e["evidence"] for e in rows[0]["evidence"]}
    for g in groups.values():
        for m, u in g.unconfirmed.items():
            u["evidence"] = decode_evidence(evidence.get(frozenset((u["via"], m))))
    victims = sorted({p[0] for p in rows[0]["parties"] if p[1] == "VICTIM_IN"})
    return {"groups": groups, "incidents": incident_table(rows[0]["incidents"], rows[0]["parties"]),
            "orders": plain_rows(rows[0]["orders"]), "unidentified": rows[0]["unidentified"],
            "persons": set(rows[0]["persons"]), "links": links,
            "victim_links": identity_links_in(db, tx, victims, threshold) if victims else []}
