"""Builders of small hand-made records for the analysis tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

BASE = dt.date(2024, 1, 1)


def day(n: int) -> str:
    """The ISO date ``n`` days after 2024-01-01."""
    return (BASE + dt.timedelta(days=n)).isoformat()


def person(pid: str, given: str | None = None, family: str | None = None, source: str = "WMP",
           **extra: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"kind": "person", "id": pid, "source": source}
    if given:
        rec["given_name"] = given
    if family:
        rec["family_name"] = family
    if not (given or family or extra.get("aliases") or any(extra.get(k) for k in ("phones", "emails", "handles", "vehicles"))):
        rec["aliases"] = [pid]
    rec.update(extra)
    return rec


def incident(iid: str, when: int | str, kind: str, offenders: list[str], victims: list[str],
             source: str = "WMP", **extra: Any) -> dict[str, Any]:
    return {"kind": "incident", "id": iid, "source": source, "occurred_at": day(when) if isinstance(when, int) else when,
            "type": kind, "offender_ids": offenders, "victim_ids": victims, **extra}


def order(oid: str, respondent: str, protected: list[str], issued: int | str, expires: int | str | None = None,
          kind: str = "restraining_order") -> dict[str, Any]:
    rec: dict[str, Any] = {"kind": "order", "id": oid, "source": "WMP", "type": kind,
                           "issued_on": day(issued) if isinstance(issued, int) else issued,
                           "respondent_id": respondent, "protected_ids": protected}
    if expires is not None:
        rec["expires_on"] = day(expires) if isinstance(expires, int) else expires
    return rec


def series(prefix: str, offender: str, victim: str, start: int, step: int, kinds: list[str],
           **extra: Any) -> list[dict[str, Any]]:
    """One incident per kind, ``step`` days apart from day ``start``."""
    return [incident(f"{prefix}{n}", start + n * step, k, [offender], [victim], **extra) for n, k in enumerate(kinds)]
