"""The load pipeline: read, validate, report rejects, write in batches, summarise.

Used by ``graphsvc load`` and by ``POST /records`` (which always asks for all-or-nothing).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import pickle  # nosec B403: only our own exceptions, between our own processes
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from graphsvc.graph.db import Database
from loaders.records import IncidentRecord, OrderRecord, PersonRecord, RecordError, parse_record
from loaders.sources import RawRecord
from graphsvc.repository.ingest import BatchRows, BatchWriter, WriteCounts

__all__ = ["Reject", "LoadSummary", "load", "validate_all"]

DEFAULT_BATCH = 2000


@dataclass(frozen=True)
class Reject:
    """One fault in one input record: where, which record, which field, why."""

    path: str
    line: int
    id: str | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "id": self.id, "field": self.field, "message": self.message}

    def describe(self) -> str:
        what = f"id {self.id}" if self.id else "no id"
        return f"{self.path}:{self.line}: {what}: {self.field or 'record'}: {self.message}"


@dataclass
class LoadSummary:
    read: int = 0
    rejected_records: int = 0
    rejects: list[Reject] = field(default_factory=list)
    written: WriteCounts = field(default_factory=WriteCounts)
    seconds: float = 0.0

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
            "rejected": self.rejected_records,
            "seconds": round(self.seconds, 3),
            "records_per_second": round(self.rate, 1),
        }


AnyRecord = PersonRecord | IncidentRecord | OrderRecord


def _validated(raw: RawRecord) -> AnyRecord | list[Reject]:
    if raw.problem is not None:
        return [Reject(raw.path, raw.line, None, None, raw.problem)]
    try:
        return parse_record(raw.data)
    except RecordError as exc:
        return [Reject(raw.path, raw.line, exc.record_id, e.field, e.message) for e in exc.errors]


def validate_all(raws: Iterable[RawRecord]) -> tuple[list[AnyRecord], list[Reject]]:
    """Validate everything, keep the valid records (bounded inputs only: the HTTP endpoint)."""
    good: list[AnyRecord] = []
    bad: list[Reject] = []
    for raw in raws:
        result = _validated(raw)
        if isinstance(result, list):
            bad.extend(result)
        else:
            good.append(result)
    return good, bad


@dataclass
class _Chunk:
    """What the validating side hands the writer: one batch's rows and what it read on the way."""

    read: int
    rejected: int
    rejects: list[Reject]
    rows: BatchRows | None
    person_ids: list[str]


def _chunks(raws: Iterable[RawRecord], size: int) -> Iterator[_Chunk]:
    """Read and validate records; every ``size`` valid records make one chunk with their rows."""
    batch: list[AnyRecord] = []
    rejects: list[Reject] = []
    read = rejected = 0

    def chunk() -> _Chunk:
        rows = BatchRows.of(batch) if batch else None
        ids = [r.id for r in batch if isinstance(r, PersonRecord)]
        return _Chunk(read, rejected, rejects, rows, ids)

    for raw in raws:
        read += 1
        result = _validated(raw)
        if isinstance(result, list):
            rejected += 1
            rejects.extend(result)
            continue
        batch.append(result)
        if len(batch) >= size:
            yield chunk()
            batch, rejects, read, rejected = [], [], 0, 0
    if batch or read:
        yield chunk()


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
) -> LoadSummary:
    """Stream records into the graph; every rejected record is reported and none written.

    ``validate_in``: ``"process"`` reads and validates in a child process (where ``fork`` is
    available), so validation never holds the writer's GIL and the next batch is ready the moment
    a commit returns; ``"thread"`` does it in a thread of this process. ``on_written`` is called
    with the person ids of each batch once it has committed."""
    summary = LoadSummary()
    writer = BatchWriter(db)
    started = time.perf_counter()

    def on_reject(reject: Reject) -> None:
        print(reject.describe(), file=sys.stderr)
        if rejects_out is not None:
            rejects_out.write(json.dumps(reject.as_dict(), ensure_ascii=False) + "\n")
        summary.rejects.append(reject)
        if len(summary.rejects) > keep_rejects:
            summary.rejects.pop(0)

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" records", file=sys.stderr, mininterval=0.5, disable=None)
    use_process = validate_in == "process" and "fork" in mp.get_all_start_methods()
    prefetch = _in_child_process if use_process else _in_thread
    try:
        for chunk in prefetch(_chunks(raws, batch_size)):
            summary.read += chunk.read
            summary.rejected_records += chunk.rejected
            for reject in chunk.rejects:
                on_reject(reject)
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
    return summary


_DONE = "done"
_ERROR = "error"


def _in_thread(chunks: Iterator[_Chunk], depth: int = 2) -> Iterator[_Chunk]:
    """Read and validate the next batches in a thread while the current one is written.

    The queue is bounded (``depth`` batches), so memory stays flat; an error in the reader is
    re-raised here; when the consumer stops early (a write failed), the reader is told to stop.
    """
    out: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        out.put(chunk, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            out.put(exc)

    reader = threading.Thread(target=produce, name="graphsvc-load-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        reader.join(timeout=5)


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))  # nosec B301: our own object, pickled just above
        return exc
    except Exception:  # noqa: BLE001 - any pickling failure
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _produce_in_child(chunks: Iterator[_Chunk], out: Any, parent: int) -> None:
    """The child's loop: put each chunk, giving up as soon as the parent is gone (killed)."""

    def put(item: object) -> bool:
        while True:
            try:
                out.put(item, timeout=0.5)
                return True
            except queue.Full:
                if os.getppid() != parent:
                    return False

    try:
        for chunk in chunks:
            if not put((None, chunk)):
                return
        put((_DONE, None))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent
        put((_ERROR, _portable(exc)))


def _in_child_process(chunks: Iterator[_Chunk], depth: int = 2) -> Iterator[_Chunk]:
    """Read and validate in a forked child process; chunks come back through a bounded queue.

    The child inherits the open input (``fork``), so nothing about the source has to be
    picklable; only chunks (plain rows) and a final error travel back. An error in the child is
    re-raised here; when the consumer stops early, or the child dies, the child is stopped and
    the load fails rather than hangs; a child whose parent was killed exits on its own.
    """
    ctx = mp.get_context("fork")
    out = ctx.Queue(maxsize=depth)
    child = ctx.Process(target=_produce_in_child, args=(chunks, out, os.getpid()),
                        name="graphsvc-load-validator", daemon=True)
    child.start()
    try:
        while True:
            try:
                tag, item = out.get(timeout=1.0)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"the validating process ended unexpectedly (exit code {child.exitcode})") from None
                continue
            if tag == _DONE:
                return
            if tag == _ERROR:
                raise item
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)
        out.close()
