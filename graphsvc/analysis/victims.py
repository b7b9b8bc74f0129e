"""Distinct victims: the one definition every answer that counts victims uses.

A victim is an identity group of person records, seen through the same identity links
(``POSSIBLY_SAME_AS``) and by the same rule as a perpetrator (:mod:`graphsvc.analysis.identity`):
confirmed links join records, proposed links at or above the link threshold join them too but
mark the merge ``proposed``, rejected links and proposals under the threshold never join. Two
records of one woman joined by a link are one victim, counted once, under her first record id.
Records of the perpetrator's own identity group are never his victims (one person cannot stalk
themself). docs/analysis.md, "Distinct victims", says why proposals merge for counting.

Input rows: incidents as :mod:`graphsvc.analysis.fixation` takes them, identity link rows
``{"a", "b", "status", "probability"}`` (:func:`graphsvc.analysis.identity.link_graph`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graphsvc.analysis.fixation import Thresholds, cross_victim_pattern, victim_fixation

__all__ = ["Victim", "victim_groups", "victim_report", "victims_of", "canonical_orders", "count_note"]


@dataclass(frozen=True)
class Victim:
    """One distinct victim: her records and whether a proposed link holds them together."""

    victim_id: str  # the representative: the first record id
    record_ids: tuple[str, ...]  # every record of her identity group, in id order
    #: the records are one victim only through a proposed link (confirmed links alone would
    #: leave them apart)
    proposed: bool = False
    proposed_links: tuple[tuple[str, str, float], ...] = ()  # (a, b, probability) proposals in the group

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"victim_id": self.victim_id, "record_ids": list(self.record_ids),
                               "proposed": self.proposed}
        if self.proposed:
            out["proposed_links"] = [{"a": a, "b": b, "probability": p} for a, b, p in self.proposed_links]
        return out


def victim_groups(victim_ids: Iterable[str], graph: nx.Graph, exclude: Collection[str] = ()) -> dict[str, Victim]:
    """Each victim record id of ``victim_ids`` (and every record of its group) -> its :class:`Victim`.

    Parameters
    ----------
    victim_ids : record ids named as victims
    graph : the links that count (:func:`graphsvc.analysis.identity.link_graph`)
    exclude : record ids that are not victims here (the perpetrator's identity group)

    Examples
    --------
    >>> from graphsvc.analysis.identity import link_graph
    >>> g = link_graph([{"a": "V1", "b": "V2", "status": "proposed", "probability": 0.95}], 0.9)
    >>> v = victim_groups(["V2", "V3"], g)
    >>> v["V2"].victim_id, v["V2"].record_ids, v["V2"].proposed, v["V3"].record_ids
    ('V1', ('V1', 'V2'), True, ('V3',))
    """
    skip = set(exclude)
    out: dict[str, Victim] = {}
    for v in victim_ids:
        if v in skip or v in out:
            continue
        component = nx.node_connected_component(graph, v) - skip if v in graph else {v}
        ids = tuple(sorted(component))
        proposals: list[tuple[str, str, float]] = []
        confirmed = nx.Graph()
        confirmed.add_nodes_from(ids)
        if len(ids) > 1:
            for a, b, data in graph.subgraph(ids).edges(data=True):
                if data["kind"] == "confirmed":
                    confirmed.add_edge(a, b)
                else:
                    lo, hi = sorted((a, b))
                    proposals.append((lo, hi, float(data["probability"])))
        victim = Victim(ids[0], ids, not nx.is_connected(confirmed), tuple(sorted(proposals)))
        for m in ids:
            out[m] = victim
    return out


def victims_of(incidents: Iterable[Mapping[str, Any]], groups: Mapping[str, Victim],
               exclude: Collection[str] = ()) -> dict[str, list[Mapping[str, Any]]]:
    """The incidents against each distinct victim (by representative id), in the order given;
    an incident naming two records of one victim counts once for her."""
    skip = set(exclude)
    out: dict[str, list[Mapping[str, Any]]] = {}
    for i in incidents:
        for rep in dict.fromkeys(groups[v].victim_id if v in groups else v
                                 for v in i.get("victim_ids") or [] if v not in skip):
            out.setdefault(rep, []).append(i)
    return out


def canonical_orders(orders: Sequence[Mapping[str, Any]], groups: Mapping[str, Victim]) -> list[dict[str, Any]]:
    """Orders with each protected record replaced by its victim's representative id: an order
    protecting any record of a victim protects her."""
    return [{**o, "protected_ids": sorted({groups[p].victim_id if p in groups else p
                                           for p in o.get("protected_ids") or []})} for o in orders]


def victim_report(person_id: str, incidents: Iterable[Mapping[str, Any]], orders: Sequence[Mapping[str, Any]],
                  members: Collection[str], groups: Mapping[str, Victim], today: dt.date,
                  thresholds: Thresholds | None = None,
                  unconfirmed: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The fixation answer over distinct victims: ``{"person_id", "victims": [...], "pattern"}``.

    Each victim entry is :func:`graphsvc.analysis.fixation.victim_fixation`'s for her
    representative id, over the incidents against any of her records, plus ``record_ids``,
    ``proposed`` (and ``proposed_links`` when it is). ``members``: the perpetrator's identity
    group (never his own victims); ``groups``: :func:`victim_groups` of the victims named.
    """
    by_victim = victims_of(incidents, groups, members)
    canon = canonical_orders(orders, groups)
    victims = []
    for rep, rows in by_victim.items():
        entry = victim_fixation(rep, rows, canon, today, thresholds, unconfirmed)
        entry.update(groups[rep].as_dict() if rep in groups else Victim(rep, (rep,)).as_dict())
        victims.append(entry)
    victims.sort(key=lambda v: (v["first_contact"], v["victim_id"]))
    pattern = cross_victim_pattern(victims, canon, thresholds)
    pattern["proposed_victim_ids"] = [v["victim_id"] for v in victims if v["proposed"]]
    return {"person_id": person_id, "victims": victims, "pattern": pattern}


def count_note(victims: Sequence[Mapping[str, Any]]) -> str | None:
    """Where a victim count depends on a proposed identity link, the sentence that says so
    (None when it does not)."""
    merged = [v["victim_id"] for v in victims if v.get("proposed")]
    if not merged:
        return None
    return (f"{len(merged)} of the {len(victims)} victims join several records through a proposed (unconfirmed) "
            f"identity link: {', '.join(merged)}; rejecting that link would count them apart")
