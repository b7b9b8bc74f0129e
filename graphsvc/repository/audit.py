"""The audit log's storage: the chained append transaction and the reads of the chain.

The chain's rules (which fields are hashed, how an entry seals the one before it, what
verification checks) are :mod:`graphsvc.security.audit`'s; here are only the queries. An append
is one write transaction: ``lock_audit_head`` takes the chain's lock and reads the head, the
caller's ``make_entry`` builds the next entry from it (and each further entry of a batch from the
one before), ``create_audit_entries`` stores them and moves the head. An append may carry the answer's read
quota charge (:mod:`graphsvc.repository.quota`), made under the same lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from neo4j import ManagedTransaction

from graphsvc.graph.db import Database
from graphsvc.repository.quota import Charge, Charged, charge_in

__all__ = ["Append", "MakeEntry", "append_chained_batch", "entries_after", "find_entries", "head", "linked_reads", "reads_since"]


#: ``make_entry(head, disclosed_agencies) -> entry``: the next entry of the chain after ``head``.
MakeEntry = Callable[[dict[str, Any], list[str]], dict[str, Any]]


class Append(NamedTuple):
    """What an append asks: ``make_entry`` and the person ids whose owning agencies the entry
    names; with ``charge``, the read quota's charge of the answer, made in the same transaction
    (:func:`graphsvc.repository.quota.charge_in`), and ``refusal(head, would_be)``, the entry
    written instead when the charge is refused (it names no person); with ``effect``, work done
    in the same transaction before the entry is made (an erasure with its log entry: both or
    neither)."""

    make_entry: MakeEntry
    person_ids: list[str]
    charge: Charge | None = None
    refusal: Callable[[dict[str, Any], int], dict[str, Any]] | None = None
    effect: Callable[[ManagedTransaction], None] | None = None


def append_chained_batch(db: Database, appends: list[Append]) -> list[tuple[dict[str, Any], Charged | None]]:
    """In one write transaction, lock the head (``{seq, hash}``), make the appends' read
    charges in order, read the owning agencies of every person id named, make each entry from
    the one before it (the first from the head; a refused charge's ``refusal`` instead of its
    entry) and store them all; returns the entries in chain order, each with its charge's
    outcome. The driver may retry the transaction, calling each ``make_entry`` again with the
    head as it then is."""

    def work(tx: ManagedTransaction) -> list[tuple[dict[str, Any], Charged | None]]:
        head = db.run_in(tx, "lock_audit_head")[0]
        for a in appends:
            if a.effect is not None:
                a.effect(tx)
        charged = charge_in(db, tx, [a.charge for a in appends])
        named = sorted({i for a in appends for i in a.person_ids})
        source = {r["id"]: r["source"] for r in db.run_in(tx, "get_person_sources", ids=named)} if named else {}
        out: list[tuple[dict[str, Any], Charged | None]] = []
        for a, outcome in zip(appends, charged, strict=True):
            if outcome is not None and not outcome.accepted:
                if a.refusal is None:
                    raise ValueError("a charge needs the entry to write when it is refused")
                entry = a.refusal(head, outcome.count)
            else:
                entry = a.make_entry(head, sorted({str(source[i]) for i in a.person_ids if i in source}))
            out.append((entry, outcome))
            head = {"seq": entry["seq"], "hash": entry["hash"]}
        db.run_in(tx, "create_audit_entries", entries=[e for e, _ in out], last_hash=head["hash"])
        return out

    return db.write_tx(work)


def entries_after(db: Database, after_seq: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` entries with ``seq`` above ``after_seq``, in sequence order, as stored."""
    return [row["entry"] for row in db.read("list_audit_entries", after_seq=after_seq, limit=limit)]


def find_entries(
    db: Database,
    *,
    actor: str | None = None,
    action: str | None = None,
    person_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 50,
    before_seq: int | None = None,
    actor_agency: str | None = None,
    disclosed_agency: str | None = None,
    scope_agency: str | None = None,
) -> list[dict[str, Any]]:
    """Entries newest first, filtered (``None``: any), with the stored ``query`` decoded.
    ``scope_agency`` keeps the entries an admin of that agency may read: its actors' and those
    that disclosed its records."""
    rows = db.read(
        "find_audit_entries",
        actor_agency=actor_agency,
        disclosed_agency=disclosed_agency,
        scope_agency=scope_agency,
        actor=actor,
        action=action,
        person_id=person_id,
        since=since,
        until=until,
        limit=limit,
        before_seq=before_seq,
    )
    out = []
    for row in rows:
        entry = dict(row["entry"])
        try:
            entry["query"] = json.loads(entry.get("query") or "{}")
        except ValueError:
            pass  # shown as stored; verify reports the tampering
        out.append(entry)
    return out


def head(db: Database) -> dict[str, Any] | None:
    """The chain's head ``{seq, hash}``, or ``None`` before the first entry."""
    return db.read_one("get_audit_head")


def reads_since(db: Database, since: str, agency: str | None = None, limit: int = 100_000) -> list[dict[str, Any]]:
    """The entries that read person data (consultation, disclosure) or were refused
    (access_denied) at or after ``since``, oldest first, ``query`` decoded; ``agency`` keeps its
    actors' entries."""
    out = []
    for row in db.read("find_audit_reads", since=since, agency=agency, limit=limit):
        entry = dict(row["entry"])
        try:
            entry["query"] = json.loads(entry.get("query") or "{}")
        except ValueError:
            entry["query"] = {}
        out.append(entry)
    return out


def linked_reads(db: Database, a: list[str], b: list[str]) -> bool:
    """Whether a person of ``a`` is within two person-steps of a person of ``b``."""
    if set(a) & set(b):
        return True
    row = db.read_one("find_linked_reads", a=a, b=b)
    return bool(row and row["linked"])
