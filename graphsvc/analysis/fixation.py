"""Fixation of one offender on each victim, and the cross-victim pattern.

Input rows (from :mod:`graphsvc.repository.incidents` and `persons`):

* incident: ``{"id", "occurred_at": datetime, "reported_at": datetime | None, "type", "outcome",
  "offender_ids": [...], "victim_ids": [...], "breached_order_ids": [...]}``
* order: ``{"id", "type", "issued_on": date, "expires_on": date | None, "respondent_id",
  "protected_ids": [...]}``

Every threshold is a field of :class:`Thresholds`, documented in ``docs/analysis.md``; the
settings (:class:`graphsvc.config.Settings`) read them from ``GRAPHSVC_<FIELD>``, upper case.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from graphsvc.analysis.severity import PHYSICAL, REMOTE, severity
from graphsvc.analysis.trend import mann_kendall, weekly_counts
from loaders.records import iso
from loaders.times import days_between, local_day, recorded

__all__ = [
    "Thresholds",
    "order_active",
    "escalation",
    "remote_to_physical",
    "four_criteria",
    "victim_fixation",
    "cross_victim_pattern",
    "fixation_report",
]


@dataclass(frozen=True)
class Thresholds:
    """Every configurable threshold of the fixation analysis (see docs/analysis.md)."""

    #: Fixated: at least this many incidents against the one victim ...
    fixated_min_incidents: int = 3
    #: ... spread over at least this many days (a sustained focus, not one episode).
    fixated_min_span_days: int = 14
    #: Obsessive: at least this many contacts per week over the span ...
    obsessive_min_per_week: float = 1.0
    #: ... or at least this many distinct kinds of contact (persistence across channels).
    obsessive_min_types: int = 3
    #: Repeated: conduct on at least this many separate days (PHA 1997 s.7: two occasions).
    repeated_min_occasions: int = 2
    #: Significance level of the Mann-Kendall trend tests (two-sided).
    trend_alpha: float = 0.05
    #: Serial: at least this many distinct victims.
    serial_min_victims: int = 2




def order_active(order: Mapping[str, Any], today: dt.date) -> bool:
    """In force on ``today``: issued on or before it and not expired before it."""
    issued = order.get("issued_on")
    expires = order.get("expires_on")
    if issued is None or issued > today:
        return False
    return expires is None or expires >= today


def order_ref(order: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The contract's order shape: ``{"id", "type", "issued_on", "expires_on", "active"}``."""
    return {
        "id": order["id"],
        "type": order.get("type"),
        "issued_on": iso(order.get("issued_on")),
        "expires_on": iso(order.get("expires_on")),
        "active": order_active(order, today),
    }


class _TimeOrdered(list):  # type: ignore[type-arg]
    """Incidents already in time order (by ``occurred_at``, then ``id``), with the columns the
    steps of :func:`victim_fixation` read, each taken out of the incident dicts once: the steps
    sort once between them, not four times, and read a column instead of every dict again
    (a 5,000-incident offender's fixation read about 58,000 dict entries)."""

    @cached_property
    def ids(self) -> list[str]:
        return [i["id"] for i in self]

    @cached_property
    def times(self) -> list[dt.datetime]:
        return [i["occurred_at"] for i in self]

    @cached_property
    def types(self) -> list[str | None]:
        return [i.get("type") for i in self]

    @cached_property
    def days(self) -> list[dt.date]:
        """Each incident's calendar day in Europe/London (contract section 9), not its UTC day:
        00:55 on 22 August (BST) is 22 August, the day the victim lived it."""
        return [local_day(t) for t in self.times]


def _time_ordered(incidents: Iterable[Mapping[str, Any]]) -> _TimeOrdered:
    if isinstance(incidents, _TimeOrdered):
        return incidents
    return _TimeOrdered(sorted(incidents, key=lambda i: (i["occurred_at"], i["id"])))


def escalation(incidents: Sequence[Mapping[str, Any]], alpha: float = 0.05) -> dict[str, Any]:
    """The escalation trend of incidents (in time order) on the severity scale and in frequency.

    Returns
    -------
    dict
        ``trend`` (rising, stable or falling), ``severity`` and ``frequency`` (Mann-Kendall
        results), ``max_severity``, ``rule``. The trend is rising when severity rises
        significantly, or when frequency rises significantly and severity does not fall
        significantly; falling symmetrically; otherwise stable.
    """
    ordered = _time_ordered(incidents)
    levels = [severity(t) for t in ordered.types]
    sev = mann_kendall(levels, alpha=alpha)
    counts = weekly_counts(ordered.times)
    freq = mann_kendall(counts, alpha=alpha) if len(counts) >= 3 else None
    f_trend = freq.trend if freq else "stable"
    if sev.trend == "rising" or (f_trend == "rising" and sev.trend != "falling"):
        trend = "rising"
    elif sev.trend == "falling" or (f_trend == "falling" and sev.trend != "rising"):
        trend = "falling"
    else:
        trend = "stable"
    return {
        "trend": trend,
        "severity": sev.as_dict(),
        "frequency": freq.as_dict() if freq else {"trend": "stable", "note": "span under three weeks"},
        "max_severity": max(levels, default=0),
        "rule": "Mann-Kendall (two-sided, alpha={}) on severity in time order and on weekly counts".format(alpha),
    }


def remote_to_physical(incidents: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The shift from remote contact to physical presence: ``shifted`` when remote contact
    came first and physical presence followed, with the first incident of each kind."""
    ordered = _time_ordered(incidents)
    types = ordered.types
    first_remote = next((ordered[k] for k, t in enumerate(types) if t in REMOTE), None)
    first_physical = next((ordered[k] for k, t in enumerate(types) if t in PHYSICAL), None)
    shifted = bool(first_remote and first_physical and first_remote["occurred_at"] < first_physical["occurred_at"])
    return {
        "shifted": shifted,
        "remote_count": sum(t in REMOTE for t in types),
        "physical_count": sum(t in PHYSICAL for t in types),
        "first_remote": first_remote["id"] if first_remote else None,
        "first_physical": first_physical["id"] if first_physical else None,
        "shift_at": iso(first_physical["occurred_at"]) if shifted and first_physical else None,
        "days_remote_before_physical": (
            days_between(first_remote["occurred_at"], first_physical["occurred_at"])
            if shifted and first_physical and first_remote else None
        ),
    }


_UNWANTED_OUTCOMES = frozenset({"caution", "charged", "convicted"})


def four_criteria(
    incidents: Sequence[Mapping[str, Any]],
    orders: Sequence[Mapping[str, Any]],
    thresholds: Thresholds,
) -> dict[str, dict[str, Any]]:
    """The FOUR criteria (Fixated, Obsessive, Unwanted, Repeated) for one offender-victim pair.

    Returns ``{criterion: {"met", "reason", "evidence", ...}}``; the thresholds are in
    :class:`Thresholds` and docs/analysis.md.
    """
    ordered = _time_ordered(incidents)
    ids = ordered.ids
    n = len(ordered)
    span = days_between(ordered.times[0], ordered.times[-1]) if n else 0
    per_week = n / max(span / 7.0, 1.0) if n else 0.0
    kinds = sorted({t or "other" for t in ordered.types})
    days = set(ordered.days)

    fixated = n >= thresholds.fixated_min_incidents and span >= thresholds.fixated_min_span_days
    obsessive_rate = per_week >= thresholds.obsessive_min_per_week and n >= 2
    obsessive_kinds = len(kinds) >= thresholds.obsessive_min_types
    repeated = len(days) >= thresholds.repeated_min_occasions

    unwanted_evidence: list[str] = []
    reasons: list[str] = []
    if orders:
        unwanted_evidence += [o["id"] for o in orders]
        reasons.append("an order protects the victim from this person")
    breaches = [i["id"] for i in ordered if i.get("breached_order_ids")]
    if breaches:
        unwanted_evidence += breaches
        reasons.append("contact breached an order")
    first_report = min((i["reported_at"] for i in ordered if i.get("reported_at")), default=None)
    after_report = ([] if first_report is None else
                    [i for i, t in zip(ids, ordered.times) if t > first_report])
    if after_report:
        unwanted_evidence += after_report
        reasons.append("contact continued after it was reported to police")
    outcome = [i["id"] for i in ordered if i.get("outcome") in _UNWANTED_OUTCOMES]
    if outcome:
        unwanted_evidence += outcome
        reasons.append("a caution, charge or conviction followed")
    if n:
        # Every incident on the register is a complaint by or for its victim, and the College
        # of Policing reads the victim's report as evidence the contact is unwanted: the
        # incidents recorded for her are that evidence, after the stronger kinds above.
        unwanted_evidence += ids
        reasons.append(f"the victim reported the conduct ({n} incident{'' if n == 1 else 's'} recorded for her)")
    return {
        "fixated": {
            "met": fixated,
            "reason": f"{n} incidents over {span} days (needs >= {thresholds.fixated_min_incidents} "
                      f"over >= {thresholds.fixated_min_span_days} days)",
            "incidents": n, "span_days": span, "evidence": ids if fixated else [],
        },
        "obsessive": {
            "met": obsessive_rate or obsessive_kinds,
            "reason": f"{per_week:.2f} contacts a week (needs >= {thresholds.obsessive_min_per_week}) "
                      f"or {len(kinds)} kinds of contact (needs >= {thresholds.obsessive_min_types})",
            "contacts_per_week": round(per_week, 3), "kinds": kinds,
            "evidence": ids if (obsessive_rate or obsessive_kinds) else [],
        },
        "unwanted": {
            "met": bool(unwanted_evidence),
            "reason": "; ".join(reasons) or "no incident recorded for this victim",
            "evidence": list(dict.fromkeys(unwanted_evidence)),
        },
        "repeated": {
            "met": repeated,
            "reason": f"conduct on {len(days)} separate days (needs >= {thresholds.repeated_min_occasions})",
            "occasions": len(days), "evidence": ids if repeated else [],
        },
    }


def victim_fixation(
    victim_id: str,
    incidents: Sequence[Mapping[str, Any]],
    orders: Sequence[Mapping[str, Any]],
    today: dt.date,
    thresholds: Thresholds | None = None,
    unconfirmed: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """One offender's (or one identity group's) fixation on one victim.

    Parameters
    ----------
    victim_id : str
    incidents : rows
        The incidents of the offender group against this victim (at least one).
    orders : rows
        Orders restraining the offender group (all of them; those protecting this victim are
        selected here).
    today : date
        The day orders are judged active on.
    thresholds : Thresholds, optional
    unconfirmed : mapping, optional
        Person ids reached only through unconfirmed identity links, with the link
        (``probability``, ``evidence``); incidents only they committed are marked.

    Returns
    -------
    dict
        The contract's victim entry plus ``contacts_per_week``, ``remote_to_physical``,
        ``four_detail``, ``four_met`` and identity marks.
    """
    if not incidents:
        raise ValueError("victim_fixation needs at least one incident")
    th = thresholds or Thresholds()
    ordered = _time_ordered(incidents)
    ids, times = ordered.ids, ordered.times
    first, last = times[0], times[-1]
    span = days_between(first, last)
    mine = [o for o in orders if victim_id in (o.get("protected_ids") or [])]
    four = four_criteria(ordered, mine, th)
    breaches: list[dict[str, Any]] = []
    for i in ordered:
        for oid in i.get("breached_order_ids") or []:
            breaches.append({"incident_id": i["id"], "order_id": oid, "occurred_at": iso(i["occurred_at"]),
                             "recorded": True})
    recorded = {b["incident_id"] for b in breaches}
    for o in mine:
        issued, expires = o["issued_on"], o.get("expires_on")
        for iid, t, day in zip(ids, times, ordered.days):
            if issued <= day and (expires is None or day <= expires) and iid not in recorded:
                breaches.append({"incident_id": iid, "order_id": o["id"], "occurred_at": iso(t),
                                 "recorded": False})
    out: dict[str, Any] = {
        "victim_id": victim_id,
        "first_contact": iso(first),
        "last_contact": iso(last),
        "incident_count": len(ordered),
        "span_days": span,
        "contacts_per_week": round(len(ordered) / max(span / 7.0, 1.0), 3),
        "types": dict(sorted(Counter(t or "other" for t in ordered.types).items())),
        "escalation": escalation(ordered, th.trend_alpha),
        "remote_to_physical": remote_to_physical(ordered),
        "four": {k: bool(v["met"]) for k, v in four.items()},
        "four_met": all(v["met"] for v in four.values()),
        "four_detail": four,
        "orders": [order_ref(o, today) for o in mine],
        "breaches": breaches,
        "incident_ids": list(ids),
    }
    if unconfirmed:
        marked = [i["id"] for i in ordered
                  if i.get("offender_ids") and all(p in unconfirmed for p in i["offender_ids"])]
        if marked:
            people = sorted({p for i in ordered if i["id"] in marked for p in i["offender_ids"]})
            out["unconfirmed_incident_ids"] = marked
            out["unconfirmed_links"] = [{"person_id": p, **dict(unconfirmed[p])} for p in people]
    return out


def cross_victim_pattern(
    victims: Sequence[Mapping[str, Any]],
    orders: Sequence[Mapping[str, Any]],
    thresholds: Thresholds | None = None,
) -> dict[str, Any]:
    """The pattern across one offender's victims (entries from :func:`victim_fixation`).

    Returns
    -------
    dict
        ``victim_count``, ``sequence`` (victim ids by first contact), ``max_concurrent_victims``
        (most victims whose first-to-last-contact periods overlap at one moment, ends
        inclusive), ``concurrent_at``, ``gaps`` (days from one victim's last contact to the next
        victim's first; negative = overlap), ``new_fixation_after_order`` (victims first
        contacted after an order protecting another victim was issued), ``serial``.
    """
    th = thresholds or Thresholds()
    seq = sorted(victims, key=lambda v: (v["first_contact"], v["victim_id"]))
    events: list[tuple[str, int, str]] = []
    for v in seq:
        events.append((v["first_contact"], 0, v["victim_id"]))
        events.append((v["last_contact"], 1, v["victim_id"]))
    events.sort()
    current: set[str] = set()
    best: set[str] = set()
    best_at: str | None = None
    for when, kind, vid in events:
        if kind == 0:
            current.add(vid)
            if len(current) > len(best):
                best, best_at = set(current), when
        else:
            current.discard(vid)
    gaps = []
    for a, b in zip(seq, seq[1:]):
        gap = days_between(recorded(a["last_contact"])[0], recorded(b["first_contact"])[0])
        gaps.append({"from_victim": a["victim_id"], "to_victim": b["victim_id"], "gap_days": gap})
    after: list[dict[str, Any]] = []
    for o in sorted(orders, key=lambda o: (o["issued_on"], o["id"])):
        protected = set(o.get("protected_ids") or [])
        for v in seq:
            first = local_day(recorded(v["first_contact"])[0])
            if v["victim_id"] not in protected and first > o["issued_on"]:
                after.append({"victim_id": v["victim_id"], "first_contact": v["first_contact"],
                              "first_incident_id": (v.get("incident_ids") or [None])[0],
                              "order_id": o["id"], "order_protects": sorted(protected),
                              "days_after_order": (first - o["issued_on"]).days})
    return {
        "victim_count": len(seq),
        "sequence": [v["victim_id"] for v in seq],
        "max_concurrent_victims": len(best),
        "concurrent_at": best_at,
        "concurrent_victim_ids": sorted(best),
        "gaps": gaps,
        "new_fixation_after_order": after,
        "serial": len(seq) >= th.serial_min_victims,
        "serial_rule": f"at least {th.serial_min_victims} distinct victims",
    }


def fixation_report(
    person_id: str,
    incidents: Iterable[Mapping[str, Any]],
    orders: Sequence[Mapping[str, Any]],
    group: Iterable[str],
    today: dt.date,
    thresholds: Thresholds | None = None,
    unconfirmed: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    time_ordered: bool = False,
) -> dict[str, Any]:
    """The whole fixation answer: ``{"person_id", "victims": [...], "pattern": {...}}``.

    ``group`` holds the person ids counted as this perpetrator (the person and identity
    links); victims inside the group are not counted (one person cannot stalk themself).
    ``time_ordered``: the caller promises ``incidents`` are already oldest first (by
    ``occurred_at``, then ``id``; :func:`graphsvc.repository.incidents.incident_table` returns them so),
    and each victim's incidents are not sorted again.
    """
    members = set(group)
    by_victim: dict[str, list[Mapping[str, Any]]] = {}
    for i in incidents:
        for v in i.get("victim_ids") or []:
            if v not in members:
                if v in by_victim:
                    by_victim[v].append(i)
                else:
                    by_victim[v] = _TimeOrdered([i]) if time_ordered else [i]
    victims = [victim_fixation(v, rows, orders, today, thresholds, unconfirmed) for v, rows in by_victim.items()]
    victims.sort(key=lambda v: (v["first_contact"], v["victim_id"]))
    return {
        "person_id": person_id,
        "victims": victims,
        "pattern": cross_victim_pattern(victims, orders, thresholds),
    }
