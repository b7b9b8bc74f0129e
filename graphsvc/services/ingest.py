"""Ingest: write validated records in batches, then resolve the persons just written.

:func:`load` streams records into the graph (``graphsvc load``, the benchmarks, the tests): the
validation and batching are :mod:`loaders.validate`'s, run ahead of the writer in a child
process or a thread; the writes go through the repository's :class:`BatchWriter`.
:func:`resolve_written` is what ``graphsvc load`` and ``POST /records`` both do once their
records are committed: score the persons they wrote against the register.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from graphsvc.graph.db import Database
from graphsvc.repository.ingest import BatchRows, BatchWriter, WriteCounts
from graphsvc.services import resolution as resolve
from graphsvc.services import state as pattern_state
from loaders.sources import RawRecord
from loaders.validate import Reject, prefetch_in_child, prefetch_in_thread, validated_chunks

__all__ = ["DEFAULT_BATCH", "LoadSummary", "Resolved", "load", "report_reject", "resolve_written"]

DEFAULT_BATCH = 2000


@dataclass
class LoadSummary:
    read: int = 0
    rejected_records: int = 0
    rejects: list[Reject] = field(default_factory=list)
    written: WriteCounts = field(default_factory=WriteCounts)
    seconds: float = 0.0
    #: what bringing the pattern state up to date did (:func:`graphsvc.services.state.settle`)
    state: dict[str, Any] | None = None

    @property
    def rate(self) -> float:
        return self.written.total / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "written": self.written.total,
            "persons": self.written.persons,
            "incidents": self.written.incidents,
            "orders": self.written.orders,
            "registrations": self.written.registrations,
            "notifications": self.written.notifications,
            "rejected": self.rejected_records,
            "seconds": round(self.seconds, 3),
            "records_per_second": round(self.rate, 1),
        }


def report_reject(reject: Reject, rejects_out: IO[str] | None, kept: list[Reject], keep: int) -> None:
    """Report one rejected record (stderr as ``PATH:LINE: id ID: FIELD: reason``, and a JSON line
    in ``rejects_out``) and keep the last ``keep`` of them in ``kept``."""
    print(reject.describe(), file=sys.stderr)
    if rejects_out is not None:
        rejects_out.write(json.dumps(reject.as_dict(), ensure_ascii=False) + "\n")
    kept.append(reject)
    if len(kept) > keep:
        kept.pop(0)


def load(
    db: Database,
    raws: Iterable[RawRecord],
    *,
    batch_size: int = DEFAULT_BATCH,
    rejects_out: IO[str] | None = None,
    progress: bool = False,
    keep_rejects: int = 10_000,
    validate_in: Literal["process", "thread"] = "process",
    on_written: Callable[[list[str]], None] | None = None,
    maintain_state: bool = True,
) -> LoadSummary:
    """Stream records into the graph; every rejected record is reported and none written.

    ``validate_in``: ``"process"`` reads and validates in a child process (where ``fork`` is
    available), so validation never holds the writer's GIL and the next batch is ready the moment
    a commit returns; ``"thread"`` does it in a thread of this process. ``on_written`` is called
    with the person ids of each batch once it has committed. ``maintain_state``: bring the
    pattern state up to date at the end (:func:`graphsvc.services.state.settle`; its outcome in
    :attr:`LoadSummary.state`); ``False`` leaves the batches' outbox entries for the caller's
    next step (``graphsvc load`` settles once, after resolving)."""
    summary = LoadSummary()
    writer = BatchWriter(db)
    started = time.perf_counter()

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" records", file=sys.stderr, mininterval=0.5, disable=None)
    use_process = validate_in == "process" and "fork" in mp.get_all_start_methods()
    prefetch = prefetch_in_child if use_process else prefetch_in_thread
    try:
        for chunk in prefetch(validated_chunks(raws, batch_size, BatchRows.of)):
            summary.read += chunk.read
            summary.rejected_records += chunk.rejected
            for reject in chunk.rejects:
                report_reject(reject, rejects_out, summary.rejects, keep_rejects)
            if chunk.rows is not None:
                summary.written.add(writer.write_rows(chunk.rows))
                if on_written is not None:
                    on_written(chunk.person_ids)
            if bar is not None:
                bar.update(chunk.read)
    finally:
        if bar is not None:
            bar.close()
        summary.seconds = time.perf_counter() - started
    if maintain_state:
        summary.state = pattern_state.settle(db)
        summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class Resolved:
    """What :func:`resolve_written` did, summed over its chunks (so far, when it failed)."""

    persons: int = 0
    missing: int = 0
    skipped: int = 0
    candidates: int = 0
    links: int = 0
    changed: int = 0
    deleted: int = 0
    decided: dict[str, int] = field(default_factory=dict)
    #: the model's name, once every chunk is resolved
    model: str | None = None
    #: what made it fail (``None``: done)
    error: Exception | None = None
    seconds: float = 0.0

    def add(self, out: Mapping[str, Any]) -> None:
        """Count one :func:`graphsvc.services.resolution.resolve_persons` answer in."""
        for key in ("persons", "candidates", "links", "changed", "deleted"):
            setattr(self, key, getattr(self, key) + out[key])
        self.missing += len(out["missing"])
        self.skipped += len(out["skipped"])
        for status, n in out["decided"].items():
            self.decided[status] = self.decided.get(status, 0) + n


def resolve_written(
    db: Database,
    person_ids: Sequence[str],
    *,
    actor: str,
    role: str = "admin",
    purpose: str,
    audit_query: Mapping[str, Any],
    chunk: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Resolved:
    """Score the persons a write just committed against the register (``POSSIBLY_SAME_AS``).

    The model is the register's (:func:`graphsvc.services.resolution.load_model` with
    ``db.settings``). ``chunk`` persons at a time (all at once when ``None``), each chunk one
    :func:`~graphsvc.services.resolution.resolve_persons` call with its own audit entry;
    ``on_progress(done, total)`` after each. Never raises an :class:`Exception`: the records are
    written whatever happens here, so a failure is returned in :attr:`Resolved.error` for the
    caller to report.
    """
    result = Resolved()
    started = time.perf_counter()
    try:
        loaded = resolve.load_model(db.settings)
        step = chunk or max(1, len(person_ids))
        for start in range(0, len(person_ids), step):
            result.add(resolve.resolve_persons(db, person_ids[start : start + step], loaded, actor=actor,
                                               role=role, purpose=purpose, audit_query=audit_query))
            if on_progress is not None:
                on_progress(min(start + step, len(person_ids)), len(person_ids))
        result.model = loaded.name
    except Exception as exc:  # noqa: BLE001 - the write is committed; the caller reports this
        result.error = exc
    result.seconds = time.perf_counter() - started
    return result
