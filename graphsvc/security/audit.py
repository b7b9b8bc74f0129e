"""The audit log: append-only and tamper-evident (Data Protection Act 2018 s.62).

Every collection, alteration, consultation, disclosure, combination and erasure of person data
is written here with who (``actor``, ``role``), when (``at``, UTC), the justification
(``purpose``, the ``X-Purpose`` header), what was asked (``query``) and which person ids were
returned (``person_ids``), and the outcome (``status``).

Every entry also holds the actor's agency (``actor_agency``; absent for a national key or the
command line) and the owning agencies of the person records it disclosed
(``disclosed_agencies``, read in the append's own transaction), contract section 5. Both are
hashed when present, so entries written before they existed still verify.

Storage: one ``(:AuditEntry {seq, at, actor, actor_agency, role, action, purpose, query,
person_ids, disclosed_agencies, status, prev_hash, hash})`` node per entry and one ``(:AuditHead {id: 'audit', seq, hash})`` node.
``hash`` is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of every other
field of the entry, ``prev_hash`` included, so each entry seals the one before it. An append
locks the head in the same write transaction that creates the entry (``lock_audit_head`` then
``create_audit_entries``, :func:`graphsvc.repository.audit.append_chained_batch`), so concurrent
writers, in any number of processes, queue on that one lock and the chain never forks; the unique
constraint on ``AuditEntry.seq`` is the backstop. Within a process the entries waiting are
appended together by one writer (:class:`GroupCommit`, ``GRAPHSVC_AUDIT_GROUP_COMMIT``, on by
default): one lock and one commit for a whole batch, each caller answered after the commit.

:func:`verify` walks the chain and names the first entry whose hash, link or sequence number
does not hold (an edit, an insertion or a deletion), and checks that the head matches the last
entry (a deleted tail). Someone with write access to the database could rebuild the whole
chain; record the head hash :func:`verify` prints somewhere else (a ticket, a signed e-mail) to
anchor it, as docs/api.md describes.

Examples
--------
>>> append_entry(db, actor="console#k1", role="investigator", action="consultation",
...              purpose="OP-1234", query={"path": "/persons/P1"}, person_ids=["P1"], status=200)
{'seq': 1, 'at': '...', ...}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import queue
import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import Conflict, DatabaseUnavailable
from graphsvc.graph.db import Database
from graphsvc.repository import audit as store
from graphsvc.repository.audit import find_entries  # the log's listing, here with the rest of the log
from graphsvc.repository.quota import Charge, Charged

__all__ = [
    "ACTIONS",
    "ChargeRefused",
    "GroupCommit",
    "append_entry",
    "cli_actor",
    "entry_hash",
    "iter_entries",
    "find_entries",
    "verify",
    "VerifyResult",
]

#: The s.62 categories, plus ``access_denied`` (refused attempts) and ``administration``
#: (API keys created or revoked).
ACTIONS = (
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
    "access_denied",
    "administration",
)

_HASHED_FIELDS = (
    "seq", "at", "actor", "role", "action", "purpose", "query", "person_ids", "status", "prev_hash",
)
#: Hashed only when present (not null, not empty): entries from before they existed lack them.
_AGENCY_FIELDS = ("actor_agency", "disclosed_agencies")
_RETRIES = 5


def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 (hex) over the canonical JSON of the entry's fields, ``prev_hash`` included."""
    sealed = {k: entry.get(k) for k in _HASHED_FIELDS}
    sealed.update({k: entry[k] for k in _AGENCY_FIELDS if entry.get(k) not in (None, [])})
    return hashlib.sha256(_canonical(sealed)).hexdigest()


def _now() -> str:
    # Fixed width (always microseconds, always +00:00), so text order is time order.
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


class ChargeRefused(Exception):
    """The answer's read quota charge was refused: ``entry``, the refusal, was written instead
    of the entry asked for, and ``would_be`` is the distinct count the charge would have made."""

    def __init__(self, entry: dict[str, Any], would_be: int) -> None:
        super().__init__(f"read charge refused (audit entry {entry['seq']})")
        self.entry = entry
        self.would_be = would_be


def append_entry(
    db: Database,
    *,
    actor: str,
    role: str,
    action: str,
    purpose: str | None,
    query: dict[str, Any],
    person_ids: list[str],
    status: int | str,
    actor_agency: str | None = None,
    charge: Charge | None = None,
    refusal_query: Callable[[int], dict[str, Any]] | None = None,
    effect: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Append one entry to the chain and return it (with ``seq``, ``at`` and ``hash``).
    ``actor_agency`` is the agency the actor's key acts for (``None``: national); the owning
    agencies of ``person_ids`` are added as ``disclosed_agencies``.

    With ``charge`` (the answer's read quota charge, :mod:`graphsvc.security.quota`), the charge
    is made in the entry's own transaction: accepted, the entry is written and the charge counted
    together; refused, an ``access_denied`` entry (status 429, no person ids, the query
    ``refusal_query(would_be)``) is written instead, nothing is counted, and
    :class:`ChargeRefused` is raised with it.

    With ``effect`` (a function of the transaction), that work is done in the entry's own
    transaction before the entry is made: the entry is written only if the work succeeds and the
    work is kept only if the entry is written (an erasure and its log entry, DPA 2018 s.62). An
    error the work raises is raised as it was, with nothing written. Such an entry is appended on
    its own, never in a group commit with other requests' entries (they would fail with it).

    Raises :class:`~graphsvc.errors.DatabaseUnavailable` when Neo4j cannot be reached: callers
    must not disclose anything whose consultation could not be logged.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(ACTIONS)}")
    if charge is not None and refusal_query is None:
        raise ValueError("a charge needs the refusal's query")
    ids = [str(i) for i in dict.fromkeys(person_ids)]
    query_text = _query_text(query)

    def entry(head: dict[str, Any], what: str, asked: str, named: list[str], outcome: int | str,
              disclosed: list[str]) -> dict[str, Any]:
        made: dict[str, Any] = {
            "seq": int(head["seq"]) + 1,
            "at": _now(),
            "actor": actor,
            "role": str(role),
            "action": what,
            "purpose": purpose,
            "query": asked,
            "person_ids": named,
            "status": str(outcome),
            "prev_hash": head["hash"],
        }
        if actor_agency is not None:
            made["actor_agency"] = actor_agency
        if disclosed:
            made["disclosed_agencies"] = sorted(disclosed)
        made["hash"] = entry_hash(made)
        return made

    append = store.Append(
        lambda head, disclosed: entry(head, action, query_text, ids, status, disclosed),
        ids,
        charge,
        None if refusal_query is None
        else (lambda head, would_be: entry(head, "access_denied", _query_text(refusal_query(would_be)), [], 429, [])),
        None if effect is None else _guarded(effect),
    )
    if effect is not None:
        try:
            return _settled(*_append_batch(db, [append])[0])
        except _EffectFailed as failed:
            raise failed.error from None
    if db.settings.audit_group_commit:
        return _group_commit(db).append(append)
    return _settled(*_append_batch(db, [append])[0])


class _EffectFailed(Exception):
    """An append's effect failed: carries its error out of the transaction (which rolls back)
    past the chain's retry on :class:`Conflict`, so a refusal is not retried as a race."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _guarded(effect: Callable[[Any], None]) -> Callable[[Any], None]:
    def run(tx: Any) -> None:
        try:
            effect(tx)
        except Exception as exc:
            raise _EffectFailed(exc) from exc
    return run


def _query_text(query: dict[str, Any]) -> str:
    return json.dumps(query, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _settled(entry: dict[str, Any], outcome: Charged | None) -> dict[str, Any]:
    """The entry asked for, or :class:`ChargeRefused` with the refusal written instead."""
    if outcome is not None and not outcome.accepted:
        raise ChargeRefused(entry, outcome.count)
    return entry


def _append_batch(db: Database, appends: list[store.Append]) -> list[tuple[dict[str, Any], Charged | None]]:
    for attempt in range(_RETRIES):
        try:
            return store.append_chained_batch(db, appends)
        except Conflict:
            # Only possible if the head were bypassed; the constraint kept the chain whole.
            if attempt == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")


class GroupCommit:
    """A process's audit writer (group commit). A request hands its entry over and waits; one
    thread takes every entry waiting (up to ``max_batch``) and appends them in one write
    transaction, in the order they were handed over, so N concurrent requests cost one head
    lock and one commit instead of N (their read quota charges are made in that transaction
    too). Each caller gets its own entry back only after that transaction has committed: no
    answer leaves before its entry is durable, and a failed append fails every request of the
    batch (none of them discloses anything).

    The thread starts on the first append in a process (a worker forked by gunicorn makes its
    own) and is a daemon: nothing is ever left queued when a process exits, since every caller
    is still waiting for its entry."""

    def __init__(self, db: Database, max_batch: int) -> None:
        self._db, self._max_batch = db, max_batch
        self._queue: queue.Queue[tuple[store.Append, Future[dict[str, Any]]]] = queue.Queue()
        self._lock = threading.Lock()
        self._pid: int | None = None
        #: how many transactions and entries it has written (the benchmark and tests read them)
        self.batches = 0
        self.entries = 0

    def append(self, append: store.Append) -> dict[str, Any]:
        """Hand ``append`` over and wait for its entry (or :class:`ChargeRefused`)."""
        self._start()
        done: Future[dict[str, Any]] = Future()
        self._queue.put((append, done))
        wait = self._db.settings.write_timeout_s + self._db.settings.tx_retry_s
        try:
            return done.result(timeout=wait)
        except FutureTimeout:
            raise DatabaseUnavailable(f"the audit entry was not written within {wait:.0f} s") from None

    def _start(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first use, or a forked child: the thread did not come along
                self._queue = queue.Queue()
                threading.Thread(target=self._run, name="graphsvc-audit-writer", daemon=True).start()
                self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except BaseException as exc:  # noqa: BLE001 - every waiting request must hear of it
                if len(batch) == 1 or isinstance(exc, DatabaseUnavailable):
                    # Neo4j is away (the driver has already retried for tx_retry_s): every entry
                    # would fail the same way, so they fail now rather than one by one
                    for _, done in batch:
                        done.set_exception(exc)
                    continue
                for one in batch:  # one entry's fault must not fail the others: each alone
                    try:
                        self._write([one])
                    except BaseException as single:  # noqa: BLE001
                        one[1].set_exception(single)

    def _write(self, batch: list[tuple[store.Append, Future[dict[str, Any]]]]) -> None:
        written = _append_batch(self._db, [append for append, _ in batch])
        self.batches += 1
        self.entries += len(written)
        for (_, done), (entry, outcome) in zip(batch, written, strict=True):
            try:
                done.set_result(_settled(entry, outcome))
            except ChargeRefused as refused:
                done.set_exception(refused)


_WRITERS: weakref.WeakKeyDictionary[Database, GroupCommit] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def _group_commit(db: Database) -> GroupCommit:
    """The group-commit writer of ``db`` (one per :class:`Database`, so per process)."""
    with _WRITERS_LOCK:
        writer = _WRITERS.get(db)
        if writer is None:
            writer = _WRITERS[db] = GroupCommit(db, db.settings.audit_batch_max)
        return writer


def iter_entries(db: Database, page: int = 5000) -> Iterator[dict[str, Any]]:
    """Every entry in sequence order, read in pages."""
    after = -1
    while True:
        entries = store.entries_after(db, after, page)
        yield from entries
        if len(entries) < page:
            return
        after = entries[-1]["seq"]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problem: str | None = None
    bad_seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "problem": self.problem,
            "bad_seq": self.bad_seq,
        }


def verify(db: Database) -> VerifyResult:
    """Check the whole chain; the first fault found is named with its ``seq``."""
    head = store.head(db)
    head_seq = int(head["seq"]) if head else 0
    head_hash = str(head["hash"]) if head else ""
    expected_seq = 1
    prev_hash = ""
    count = 0

    def bad(seq: int | None, problem: str) -> VerifyResult:
        return VerifyResult(False, count, head_seq, head_hash, problem, seq)

    for entry in iter_entries(db):
        seq = entry.get("seq")
        if seq != expected_seq:
            if isinstance(seq, int) and seq > expected_seq:
                return bad(expected_seq, f"entry {expected_seq} is missing (next present is {seq})")
            return bad(seq if isinstance(seq, int) else None, f"entry has an unexpected seq {seq!r}")
        if entry.get("prev_hash") != prev_hash:
            return bad(seq, f"entry {seq} does not link to entry {seq - 1} (prev_hash differs)")
        if entry.get("hash") != entry_hash(entry):
            return bad(seq, f"entry {seq} was altered (its hash does not match its content)")
        extra = set(entry) - set(_HASHED_FIELDS) - set(_AGENCY_FIELDS) - {"hash"}
        if extra:
            return bad(seq, f"entry {seq} has fields added after it was written: {sorted(extra)}")
        prev_hash = entry["hash"]
        expected_seq += 1
        count += 1
    if head is None and count == 0:
        return VerifyResult(True, 0, 0, "")
    if head_seq != count or head_hash != prev_hash:
        if head_seq > count:
            return bad(
                count + 1,
                f"entries {count + 1} to {head_seq} are missing: the head says {head_seq} entries "
                f"but {count} are chained (deleted from the end)",
            )
        return bad(head_seq, f"the head (entry {head_seq}) does not match the last entry ({count})")
    return VerifyResult(True, count, head_seq, head_hash)


def cli_actor() -> str:
    """Who a command-line action is attributed to in the log: ``cli:`` and the OS user."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name is not a reason to refuse
        return "cli:unknown"
