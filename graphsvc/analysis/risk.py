"""The transparent risk score of the serial-offender ranking.

The score is a sum of points, each part listed in the answer with its value, its points and
its maximum; ``risk_score`` is the total over 100 (the sum of the maxima). The parts follow the
S-DASH questions and Stalking Risk Profile findings in the DOMAIN brief.

============================ ============================================= ======
part                         points                                        max
============================ ============================================= ======
several victims              8 per victim beyond the first                 25
recorded breaches            10 per breaching incident                     20
violence                     20 for any assault, else 10 for any threat    20
escalation                   10 when the trend of all incidents is rising  10
order in force               10 when an order restrains them today         10
property damage              5 for any damage                              5
new fixation after an order  10 when a new victim followed an order        10
============================ ============================================= ======
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["risk_score", "MAX_POINTS"]

MAX_POINTS = 100


def _part(name: str, value: Any, points: float, maximum: float, evidence: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"factor": name, "value": value, "points": round(min(points, maximum), 2),
                           "max_points": maximum}
    if evidence:
        # in id order, so every view (the state's, the register-wide ranking's) lists the same
        # first 20 whatever order its incidents were read in
        out["evidence"] = sorted(evidence)[:20]
    return out


def risk_score(stats: Mapping[str, Any]) -> tuple[float, list[dict[str, Any]]]:
    """``(risk_score in 0-1, parts)`` from per-perpetrator ``stats``.

    Parameters
    ----------
    stats : mapping
        ``victim_count``, ``breach_incident_ids``, ``assault_incident_ids``,
        ``threat_incident_ids``, ``escalation_trend``, ``active_order_ids``,
        ``damage_incident_ids``, ``new_fixation_order_ids``.

    Examples
    --------
    >>> risk_score({"victim_count": 3})[0]
    0.16
    """
    victims = int(stats.get("victim_count") or 0)
    breaches = list(stats.get("breach_incident_ids") or [])
    assaults = list(stats.get("assault_incident_ids") or [])
    threats = list(stats.get("threat_incident_ids") or [])
    active = list(stats.get("active_order_ids") or [])
    damage = list(stats.get("damage_incident_ids") or [])
    after = list(stats.get("new_fixation_order_ids") or [])
    trend = stats.get("escalation_trend") or "stable"
    parts = [
        _part("several_victims", victims, 8 * max(0, victims - 1), 25),
        _part("breaches", len(breaches), 10 * len(breaches), 20, breaches),
        _part("violence", "assault" if assaults else ("threat" if threats else None),
              20 if assaults else (10 if threats else 0), 20, assaults or threats),
        _part("escalation", trend, 10 if trend == "rising" else 0, 10),
        _part("order_in_force", len(active), 10 if active else 0, 10, active),
        _part("property_damage", len(damage), 5 if damage else 0, 5, damage),
        _part("new_fixation_after_order", len(after), 10 if after else 0, 10, after),
    ]
    total = sum(p["points"] for p in parts)
    return round(total / MAX_POINTS, 4), parts
