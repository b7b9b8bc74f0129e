"""Reads of incidents: a perpetrator's incident table put back together with its parties, a
victim's incidents, incidents by the identifiers they used, the unidentified clusters' details."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository.rows import identifier_params, instant, plain_rows

__all__ = ["incident_table", "victim_incidents", "incidents_by_identifiers", "cluster_incidents", "unidentified_edges"]


def incident_table(table: Sequence[Sequence[Any]], parties: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """``get_perpetrator_records``' incident table and parties as incident dicts, oldest first
    (by time, then id; ``occurred_at`` and ``reported_at`` UTC datetimes, ``occurred_at`` a
    :class:`loaders.times.DateOnly` for an incident known only to the day).

    ``table`` rows: ``[id, occurred_at ms, reported_at ms, type, outcome, occurred_precision]``; ``parties``:
    ``[party id, OFFENDER_IN | VICTIM_IN | BREACHED, positions in table]``, which become each
    incident's ``offender_ids``, ``victim_ids`` and ``breached_order_ids`` (each sorted). Written
    out, not ``dict(zip(...))``: 5,000 incidents are read for a prolific offender on every
    fixation."""
    named: dict[str, list[list[str]]] = {kind: [[] for _ in table] for kind in _PARTY_KINDS}
    for party, kind, at in sorted(parties, key=operator.itemgetter(0, 1)):
        column = named[kind]
        for k in at:
            column[k].append(party)
    offenders, victims, breached = (named[kind] for kind in _PARTY_KINDS)
    out = []
    for k in _oldest_first(table):
        r = table[k]
        out.append({"id": r[0], "occurred_at": instant(r[1], r[5] if len(r) > 5 else None),
                    "reported_at": instant(r[2]), "type": r[3],
                    "outcome": r[4], "offender_ids": offenders[k], "victim_ids": victims[k],
                    "breached_order_ids": breached[k]})
    return out


_PARTY_KINDS = ("OFFENDER_IN", "VICTIM_IN", "BREACHED")


def _oldest_first(table: Sequence[Sequence[Any]]) -> list[int]:
    """The positions of ``table``'s rows in the order of Cypher's ``ORDER BY i.occurred_at, i.id``
    (nulls last), done here: sorting 5,000 incidents cost Neo4j more than it costs Python
    (docs/analysis.md, session 6)."""
    keys = [(r[1], r[0]) for r in table]
    try:
        return sorted(range(len(keys)), key=keys.__getitem__)
    except TypeError:  # an incident without a time (the contract requires one): last
        nulls_last = [(t is None, t or 0, i) for t, i in keys]
        return sorted(range(len(keys)), key=nulls_last.__getitem__)


def victim_incidents(db: Database, person_id: str) -> list[dict[str, Any]]:
    return plain_rows(db.read("find_victim_incidents", id=person_id))


def incidents_by_identifiers(db: Database, values: Mapping[str, Sequence[str]], limit: int = 2000) -> list[dict[str, Any]]:
    params = identifier_params(values)
    if not any(params.values()):
        return []
    return plain_rows(db.read("find_incidents_by_identifiers", limit=limit, **params))


def cluster_incidents(db: Database, incident_ids: Sequence[str]) -> list[dict[str, Any]]:
    return plain_rows(db.read("get_cluster_incidents", ids=list(incident_ids)))


def unidentified_edges(db: Database) -> list[dict[str, Any]]:
    return db.read_job("list_unidentified_edges")
