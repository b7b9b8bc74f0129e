"""Alerts' storage (contract section 6, docs/alerts.md): subscriptions, the alerts the rules
raise, their delivery and the dispatcher's lease.

``(:Subscription {id, key_id, agency, url, secret, rules, person_ids, min_victims, created_at,
deleted_at, delivered_seq})``: the secret is the HMAC key deliveries are signed with; only
:func:`due` reads it (for the dispatcher), every other query leaves it out.
``(:Alert {id, key, rule, subscription_id, seq, created_at, person_ids, evidence, body,
attempts, next_attempt_at, delivered_at, failed_at, last_error, acked_at, acked_by, ack_note})``:
``seq`` orders every alert (``(:AlertHead)`` is its counter and lock), ``key`` says which cause
raised it for which subscription, so a cause raises one alert however often it is written.
``(:Dispatcher {name: 'alerts', holder, until})``: the lease that makes one dispatcher per deployment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from graphsvc.graph.db import Database
from graphsvc.repository.rows import native

T = TypeVar("T")

__all__ = [
    "create_subscription", "subscriptions", "get_subscription", "delete_subscription",
    "subscriptions_in", "incidents_in", "orders_in", "orders_in_force_in", "unidentified_uses_in", "in_write",
    "recently_overdue_in",
    "state_victims_in", "contact_incidents_in", "persons_in", "owners_in", "raised_in", "create_alerts_in",
    "list_alerts", "ack_alert", "take_lease", "due", "mark_attempt",
]


# -- subscriptions -----------------------------------------------------------------------------
def create_subscription(db: Database, props: dict[str, Any]) -> dict[str, Any]:
    return native(db.write("create_subscription", props=props)[0]["subscription"])


def subscriptions(db: Database, *, key_id: str | None, agency: str | None) -> list[dict[str, Any]]:
    """The live subscriptions of ``key_id``; with no key, those of ``agency``'s keys; with
    neither, all."""
    return [native(r["subscription"]) for r in db.read("list_subscriptions", key_id=key_id, agency=agency)]


def get_subscription(db: Database, subscription_id: str) -> dict[str, Any] | None:
    row = db.read_one("get_subscription", id=subscription_id)
    return native(row["subscription"]) if row else None


def delete_subscription(db: Database, subscription_id: str, at: str) -> dict[str, Any] | None:
    rows = db.write("delete_subscription", id=subscription_id, at=at)
    return native(rows[0]["subscription"]) if rows else None


# -- what the rules read, in the apply round's transaction --------------------------------------
def subscriptions_in(db: Database, tx: Any) -> list[dict[str, Any]]:
    """Live subscriptions of keys not revoked, with the key's role and agency."""
    return [native(r) for r in db.run_in(tx, "find_alert_subscriptions")]


#: ids per query (a rebuild after a bulk load may name a million incidents)
_CHUNK = 5000


def _chunked(db: Database, tx: Any, name: str, ids: Sequence[str], param: str = "ids") -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), _CHUNK):
        out += [native(r) for r in db.run_in(tx, name, **{param: list(ids[start : start + _CHUNK])})]
    return out


def incidents_in(db: Database, tx: Any, ids: Sequence[str]) -> list[dict[str, Any]]:
    return _chunked(db, tx, "find_alert_incidents", ids)


def orders_in(db: Database, tx: Any, ids: Sequence[str]) -> list[dict[str, Any]]:
    return _chunked(db, tx, "find_alert_orders", ids)


def register_records_in(db: Database, tx: Any, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The registrations and notifications among ``ids``, each ``{"id", "person_ids"}`` (whom it names)."""
    return _chunked(db, tx, "find_alert_register_records", ids)


def orders_in_force_in(db: Database, tx: Any, person_ids: Sequence[str], today: dt.date) -> list[dict[str, Any]]:
    if not person_ids:
        return []
    return [native(r) for r in db.run_in(tx, "find_orders_in_force", person_ids=list(person_ids),
                                         today=today.isoformat())]


def unidentified_uses_in(db: Database, tx: Any, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    return _chunked(db, tx, "find_unidentified_uses", person_ids, "person_ids")


def state_victims_in(db: Database, tx: Any, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    return db.run_in(tx, "get_state_victims", person_ids=list(person_ids)) if person_ids else []


def contact_incidents_in(db: Database, tx: Any, offender_ids: Sequence[str],
                         victim_ids: Sequence[str]) -> list[dict[str, Any]]:
    """``{incident_id, offender_id, victim_id}`` for each incident in which one of
    ``offender_ids`` offended against one of ``victim_ids``."""
    if not offender_ids or not victim_ids:
        return []
    return db.run_in(tx, "find_contact_incidents", offender_ids=list(offender_ids), victim_ids=list(victim_ids))


def persons_in(db: Database, tx: Any, ids: Sequence[str]) -> list[dict[str, Any]]:
    return _chunked(db, tx, "get_alert_persons", ids)


def owners_in(db: Database, tx: Any, ids: Sequence[str]) -> dict[str, str | None]:
    """Each record's owning agency, for the records among ``ids``."""
    return {r["id"]: r["source"] for r in _chunked(db, tx, "get_record_owners", ids)}


def in_write(db: Database, work: Callable[[Any], T]) -> T:
    """``work(tx)`` in one managed write transaction: the overdue sweep reads the registrations
    and records their alerts together (retried as a whole: keep it idempotent)."""
    return db.write_tx(work)


def recently_overdue_in(db: Database, tx: Any, today: Any, since: Any, limit: int) -> list[dict[str, Any]]:
    """Registrations in force whose due duty's last day fell in ``[since, today)``."""
    return [native(r) for r in db.run_in(tx, "find_recently_overdue_registrations", today=today, since=since,
                                         limit=limit)]


def raised_in(db: Database, tx: Any, keys: Sequence[str]) -> set[str]:
    """Which alert keys were raised already."""
    return {r["key"] for r in db.run_in(tx, "find_alert_keys", keys=list(keys))} if keys else set()


def create_alerts_in(db: Database, tx: Any, rows: Sequence[dict[str, Any]]) -> int:
    if not rows:
        return 0
    return int(db.run_in(tx, "create_alerts", rows=list(rows))[0]["created"])


# -- pull and triage ---------------------------------------------------------------------------
def list_alerts(db: Database, subscription_ids: Sequence[str], *, after: int, limit: int) -> list[dict[str, Any]]:
    if not subscription_ids:
        return []
    return [native(r) for r in db.read("list_alerts", subscription_ids=list(subscription_ids), after=after,
                                       limit=limit)]


def ack_alert(db: Database, alert_id: str, subscription_ids: Sequence[str], *, actor: str, note: str,
              at: str) -> dict[str, Any] | None:
    rows = db.write("ack_alert", id=alert_id, subscription_ids=list(subscription_ids), actor=actor, note=note, at=at)
    return native(rows[0]) if rows else None


# -- delivery ----------------------------------------------------------------------------------
def take_lease(db: Database, holder: str, lease_s: float) -> bool:
    """Take or keep the dispatcher's lease for ``lease_s`` seconds; whether ``holder`` holds it."""
    return bool(db.write("take_dispatch_lease", holder=holder, lease_s=int(max(1, lease_s)))[0]["held"])


def due(db: Database, *, busy: Sequence[str], limit: int, only: str | None = None) -> list[dict[str, Any]]:
    """Each subscription's next alert when due (not those of ``busy``; only ``only``'s when
    given), the secret included."""
    return [native(r) for r in db.read("find_due_alerts", busy=list(busy), limit=limit, only=only)]


def mark_attempt(db: Database, alert_id: str, *, delivered: bool, failed: bool, error: str | None,
                 next_attempt_at: str | None) -> None:
    db.write("mark_alert_attempt", id=alert_id, delivered=delivered, failed=failed, error=error,
             next_attempt_at=next_attempt_at)
