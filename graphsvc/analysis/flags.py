"""Risk flags of the intake check, each with its evidence (record ids).

===================== =======================================================================
code                  raised when (evidence)
===================== =======================================================================
PRIOR_ORDER           an order restraining the person is no longer in force (the order ids)
ACTIVE_ORDER          an order restraining the person is in force today (the order ids)
ORDER_BREACH          an incident was recorded as breaching one of their orders (incident and
                      order ids)
MULTIPLE_VICTIMS      incidents against at least two distinct victims (identity groups of victim
                      records, graphsvc.analysis.victims; first incident per victim)
ESCALATION            the severity/frequency trend of their incidents against some victim is
                      rising (that victim's incidents)
VIOLENCE              an assault or a threat (the incidents)
LINKED_UNIDENTIFIED   one of their identifiers was used in incidents with no identified
                      perpetrator (the incidents)
===================== =======================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from graphsvc.analysis.fixation import order_active
from graphsvc.analysis.severity import VIOLENT

__all__ = ["FLAG_CODES", "flags", "flag_facts", "flags_from", "order_status"]

FLAG_CODES = ("PRIOR_ORDER", "ACTIVE_ORDER", "ORDER_BREACH", "MULTIPLE_VICTIMS", "ESCALATION", "VIOLENCE",
              "LINKED_UNIDENTIFIED")


def order_status(order: Mapping[str, Any], today: dt.date) -> str:
    """``active`` (in force today: ACTIVE_ORDER names it), ``expired`` (issued, no longer in
    force: PRIOR_ORDER names it), ``not_yet_in_force`` (issued after today) or
    ``issue_date_unknown`` (recorded without ``issued_on``: no flag can judge it)."""
    issued = order.get("issued_on")
    if issued is None:
        return "issue_date_unknown"
    if order_active(order, today):
        return "active"
    return "not_yet_in_force" if issued > today else "expired"


def _flag(code: str, message: str, evidence: Sequence[str]) -> dict[str, Any]:
    return {"code": code, "message": message, "evidence": list(dict.fromkeys(evidence))}


def flag_facts(
    incidents: Sequence[Mapping[str, Any]],
    victims: Sequence[Mapping[str, Any]],
    unidentified: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """What the flags need of a perpetrator's records, none of it depending on the day: kept in
    the pattern state (:mod:`graphsvc.services.state`) so the intake check need not read the
    records, and worked out here for a check that reads them (the same facts either way).

    ``{"breaches": [[incident id, order id]], "violent": [[incident id, type]] (oldest first),
    "victims": [{"victim_id", "proposed", "incident_ids", "trend"}] (as ``victims`` lists them),
    "unidentified": {"incident_ids", "identifiers"}}``: JSON-able.
    """
    violent = sorted((i for i in incidents if i.get("type") in VIOLENT), key=lambda i: (i["occurred_at"], i["id"]))
    return {
        "breaches": [[i["id"], oid] for i in incidents for oid in i.get("breached_order_ids") or []],
        "violent": [[i["id"], i["type"]] for i in violent],
        "victims": [{"victim_id": v["victim_id"], "proposed": bool(v.get("proposed")),
                     "incident_ids": list(v.get("incident_ids") or []), "trend": v["escalation"]["trend"]}
                    for v in victims],
        "unidentified": {"incident_ids": sorted({u["incident_id"] for u in unidentified}),
                         "identifiers": sorted({u["identifier"] for u in unidentified})},
    }


def flags(
    incidents: Sequence[Mapping[str, Any]],
    orders: Sequence[Mapping[str, Any]],
    victims: Sequence[Mapping[str, Any]],
    unidentified: Sequence[Mapping[str, Any]],
    today: dt.date,
    complainant_id: str | None = None,
) -> list[dict[str, Any]]:
    """The flags of one perpetrator (or identity group).

    Parameters
    ----------
    incidents : rows
        Incidents they offended in (see :mod:`graphsvc.analysis.fixation`).
    orders : rows
        Orders restraining them.
    victims : entries
        Per-victim fixation entries (:func:`graphsvc.analysis.fixation.victim_fixation`).
    unidentified : rows
        ``{"incident_id", "identifier"}`` for incidents with no identified perpetrator that used
        one of their identifiers.
    today : date
    complainant_id : str, optional
        Named in messages when an order protects the complainant.

    Returns
    -------
    list of dict
        ``{"code", "message", "evidence"}`` in :data:`FLAG_CODES` order.
    """
    return flags_from(flag_facts(incidents, victims, unidentified), orders, today, complainant_id)


def flags_from(facts: Mapping[str, Any], orders: Sequence[Mapping[str, Any]], today: dt.date,
               complainant_id: str | None = None) -> list[dict[str, Any]]:
    """:func:`flags` from :func:`flag_facts` and the orders (``issued_on``/``expires_on`` as
    dates, ``protected_ids``): only the orders in force depend on ``today``."""
    out: list[dict[str, Any]] = []
    active = [o for o in orders if order_active(o, today)]
    past = [o for o in orders if not order_active(o, today) and o.get("issued_on") and o["issued_on"] <= today]
    if past:
        out.append(_flag("PRIOR_ORDER", f"{len(past)} order(s) no longer in force", [o["id"] for o in past]))
    if active:
        mine = [o["id"] for o in active if complainant_id and complainant_id in (o.get("protected_ids") or [])]
        msg = f"{len(active)} order(s) in force"
        if mine:
            msg += "; one protects the complainant"
        out.append(_flag("ACTIVE_ORDER", msg, [o["id"] for o in active]))
    breaches = facts["breaches"]
    if breaches:
        out.append(_flag("ORDER_BREACH", f"{len({b[0] for b in breaches})} incident(s) recorded as breaching an order",
                         [x for b in breaches for x in b]))
    victims = facts["victims"]
    if len(victims) >= 2:
        # distinct victims (graphsvc.analysis.victims): the message says where the count rests on
        # a proposed identity link between a victim's records
        merged = [v["victim_id"] for v in victims if v.get("proposed")]
        msg = f"{len(victims)} distinct victims"
        if merged:
            msg += f" ({', '.join(merged)}: records joined by a proposed identity link)"
        out.append(_flag("MULTIPLE_VICTIMS", msg, [v["incident_ids"][0] for v in victims if v.get("incident_ids")]))
    rising = [v for v in victims if v["trend"] == "rising"]
    if rising:
        out.append(_flag("ESCALATION", "rising trend against " + ", ".join(v["victim_id"] for v in rising),
                         [i for v in rising for i in v["incident_ids"]]))
    violent = facts["violent"]
    if violent:
        kinds = sorted({t for _, t in violent})
        out.append(_flag("VIOLENCE", f"{len(violent)} incident(s) of {' or '.join(kinds)}", [i for i, _ in violent]))
    unid = facts["unidentified"]
    if unid["incident_ids"]:
        out.append(_flag("LINKED_UNIDENTIFIED",
                         f"their identifier(s) {', '.join(unid['identifiers'])} were used in "
                         f"{len(unid['incident_ids'])} incident(s) with no identified perpetrator", unid["incident_ids"]))
    return out
