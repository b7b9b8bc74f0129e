"""The writes of ``graphsvc restore`` beyond the records (docs/backup.md): node state, identity
links, subscriptions, alerts and their counter, each batch one transaction with parameters only.

A batch is written whole or not at all: when a row finds no node to go on (a link naming a
person the records did not make, state for a record the dump does not hold),
:class:`NotWritten` is raised inside the transaction, which is then rolled back, and says which
rows; the caller names their lines. The records themselves are loaded by the ordinary ingest
path (:mod:`graphsvc.services.ingest`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.graph.db import Database

__all__ = ["NotWritten", "register_counts", "live_keys", "write_state", "write_links", "write_subscriptions",
           "write_alerts", "write_alert_heads"]

_STATE_QUERY = {"Person": "restore_person_state", "Incident": "restore_incident_state",
                "Order": "restore_order_state", "Registration": "restore_registration_state",
                "Notification": "restore_notification_state"}


class NotWritten(InvalidInput):
    """Rows of a batch that found nothing to go on; the batch was rolled back."""

    def __init__(self, message: str, missing: Sequence[int]) -> None:
        super().__init__(message, {"rows": list(missing)})
        self.missing = list(missing)


def register_counts(db: Database) -> dict[str, int]:
    """How many nodes of each label a dump writes the register holds."""
    return {r["label"]: int(r["n"]) for r in db.read("restore_count_register")}


def live_keys(db: Database, key_ids: Iterable[str]) -> set[str]:
    """Those of ``key_ids`` that name an API key here that is not revoked."""
    ids = sorted(set(key_ids))
    return {r["key_id"] for r in db.read("restore_find_keys", key_ids=ids)} if ids else set()


def _write_checked(db: Database, name: str, rows: Sequence[dict[str, Any]], key: Any, what: str) -> int:
    """Run ``name`` over ``rows`` in one transaction; every row must come back (``key`` of a
    returned row against ``key`` of a sent one), else :class:`NotWritten` and a rollback."""

    def work(tx: Any) -> int:
        back = {key(r) for r in db.run_in(tx, name, rows=list(rows))}
        missing = [i for i, row in enumerate(rows) if key(row) not in back]
        if missing:
            raise NotWritten(what, missing)
        return len(rows)

    return db.write_tx(work) if rows else 0


def write_state(db: Database, label: str, rows: Sequence[dict[str, Any]]) -> int:
    """``[{id, props}]``: each node's state set on the ``label`` node of that id (after its
    record's load); a row whose node is missing (and is no placeholder) is :class:`NotWritten`."""
    return _write_checked(db, _STATE_QUERY[label], rows, lambda r: r["id"],
                          f"node state for a {label} that the records did not make")


def write_links(db: Database, rows: Sequence[dict[str, Any]]) -> int:
    """``[{a, b, props}]``: identity links with exactly these properties."""
    return _write_checked(db, "restore_identity_links", rows, lambda r: (r["a"], r["b"]),
                          "an identity link naming a person that is not in the register")


def write_subscriptions(db: Database, rows: Sequence[dict[str, Any]]) -> int:
    """``[{id, props}]``: subscriptions with exactly these properties (``props`` holds the id)."""
    return _write_checked(db, "restore_subscriptions", rows, lambda r: r["id"], "a subscription")


def write_alerts(db: Database, rows: Sequence[dict[str, Any]]) -> int:
    """``[{id, props}]``: alerts with exactly these properties (``props`` holds the id)."""
    return _write_checked(db, "restore_alerts", rows, lambda r: r["id"], "an alert")


def write_alert_heads(db: Database, rows: Sequence[dict[str, Any]]) -> int:
    """``[{id, props}]``: the alerts' counter (one already here keeps the higher seq)."""
    return _write_checked(db, "restore_alert_heads", rows, lambda r: r["id"], "the alerts' counter")
