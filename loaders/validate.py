"""Validation of raw records, in batches, ahead of the writer.

Pure: nothing here touches the database. :func:`validate_all` checks a bounded input at once
(``POST /records``, ``graphsvc load --all-or-nothing``); :func:`validated_chunks` streams an
unbounded one in batches, each turned into what the writer takes by a ``prepare`` function the
caller passes, so that work too happens on the validating side; :func:`prefetch_in_thread` and
:func:`prefetch_in_child` run that stream beside the writer (``graphsvc.services.ingest``).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle  # nosec B403: only our own exceptions, between our own processes
import queue
import threading
import datetime as dt
import itertools
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from loaders.records import AnyRecord, PersonRecord, RecordError, parse_record
from loaders.sources import RawRecord

__all__ = [
    "AnyRecord",
    "Chunk",
    "Reject",
    "prefetch_in_child",
    "prefetch_in_thread",
    "validate_all",
    "validated_chunks",
    "validated_in_parallel",
]

Rows = TypeVar("Rows")
Item = TypeVar("Item")


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


def _validated(raw: RawRecord, now: dt.datetime | None = None) -> AnyRecord | list[Reject]:
    """The record ``raw`` holds, or every fault found in it (dates checked against ``now``,
    ``None`` for the real clock: :func:`loaders.records.parse_record`)."""
    if raw.problem is not None:
        return [Reject(raw.path, raw.line, None, None, raw.problem)]
    try:
        return parse_record(raw.data, now)
    except RecordError as exc:
        return [Reject(raw.path, raw.line, exc.record_id, e.field, e.message) for e in exc.errors]


def validate_all(raws: Iterable[RawRecord], now: dt.datetime | None = None) -> tuple[list[AnyRecord], list[Reject]]:
    """Validate everything, keep the valid records (bounded inputs only: the HTTP endpoint);
    ``now``: the clock no date may be past (plus the tolerance), ``None`` for the real one."""
    good: list[AnyRecord] = []
    bad: list[Reject] = []
    for raw in raws:
        result = _validated(raw, now)
        if isinstance(result, list):
            bad.extend(result)
        else:
            good.append(result)
    return good, bad


@dataclass
class Chunk(Generic[Rows]):
    """What the validating side hands the writer: one batch's rows and what it read on the way."""

    read: int
    rejected: int
    rejects: list[Reject]
    rows: Rows | None
    person_ids: list[str]


def validated_chunks(raws: Iterable[RawRecord], size: int,
                     prepare: Callable[[list[AnyRecord]], Rows],
                     now: dt.datetime | None = None) -> Iterator[Chunk[Rows]]:
    """Read and validate records; every ``size`` valid records make one chunk, with their rows
    as ``prepare`` makes them (``None`` for a chunk of rejects only); ``now`` as in
    :func:`validate_all`."""
    batch: list[AnyRecord] = []
    rejects: list[Reject] = []
    read = rejected = 0

    def chunk() -> Chunk[Rows]:
        rows = prepare(batch) if batch else None
        ids = [r.id for r in batch if isinstance(r, PersonRecord)]
        return Chunk(read, rejected, rejects, rows, ids)

    for raw in raws:
        read += 1
        result = _validated(raw, now)
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


def _blocks(raws: Iterable[RawRecord], size: int, part: int, parts: int) -> Iterator[list[RawRecord]]:
    """Every ``parts``-th block of ``size`` raw records, from the ``part``-th: the others are
    read (a line each) and passed over."""
    it = iter(raws)
    index = 0
    while True:
        if index % parts == part:
            block = list(itertools.islice(it, size))
            if not block:
                return
            yield block
        elif next(itertools.islice(it, size - 1, size), _SKIPPED) is _SKIPPED:
            return
        index += 1


def _chunk_of(block: list[RawRecord], prepare: Callable[[list[AnyRecord]], Rows],
              now: dt.datetime | None) -> Chunk[Rows]:
    """One block of raw records validated: its valid records' rows and its rejects."""
    good: list[AnyRecord] = []
    rejects: list[Reject] = []
    rejected = 0
    for raw in block:
        result = _validated(raw, now)
        if isinstance(result, list):
            rejected += 1
            rejects.extend(result)
        else:
            good.append(result)
    return Chunk(len(block), rejected, rejects, prepare(good) if good else None,
                 [r.id for r in good if isinstance(r, PersonRecord)])


def validated_in_parallel(open_raws: Callable[[], Iterable[RawRecord]], size: int,
                          prepare: Callable[[list[AnyRecord]], Rows], workers: int,
                          now: dt.datetime | None = None) -> Iterator[Chunk[Rows]]:
    """:func:`validated_chunks` on ``workers`` processes, the chunks in input order.

    The input is cut into blocks of ``size`` raw records; each forked worker calls
    ``open_raws`` (so it reads the input itself: it must open it afresh on each call, as
    :func:`loaders.sources.read_path` does) and validates every ``workers``-th block
    (:func:`prefetch_in_child`, so a failure or an early stop ends them all). The caller takes
    the blocks round the workers in turn, so it sees every chunk, reject and "last copy wins"
    exactly in the order of the input. A block gives one chunk, of at most ``size`` records.
    Reading and parsing the input is repeated in each worker (a few percent of the validation's
    cost); without ``fork``, or with one worker, :func:`validated_chunks` in one process."""
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        prefetch = prefetch_in_child if "fork" in mp.get_all_start_methods() else prefetch_in_thread
        yield from prefetch(validated_chunks(open_raws(), size, prepare, now))
        return
    streams = [prefetch_in_child(_chunk_of(block, prepare, now) for block in _blocks(_opened(open_raws), size, k, workers))
               for k in range(workers)]
    try:
        for stream in itertools.cycle(streams):
            chunk = next(stream, None)
            if chunk is None:
                return  # block i is missing, so is every later one
            yield chunk
    finally:
        for stream in streams:
            stream.close()


def _opened(open_raws: Callable[[], Iterable[RawRecord]]) -> Iterator[RawRecord]:
    """``open_raws()`` called only once iterated: in the worker, after the fork."""
    yield from open_raws()


_DONE = "done"
_ERROR = "error"
_SKIPPED = object()


def prefetch_in_thread(items: Iterator[Item], depth: int = 2) -> Iterator[Item]:
    """Produce the next items (validated chunks) in a thread while the current one is written.

    The queue is bounded (``depth`` items), so memory stays flat; an error in the reader is
    re-raised here; when the consumer stops early (a write failed), the reader is told to stop.
    """
    out: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        out.put(item, timeout=0.2)
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
            got = out.get()
            if got is _DONE:
                return
            if isinstance(got, BaseException):
                raise got
            yield got  # type: ignore[misc]
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


def _produce_in_child(items: Iterator[Any], out: Any, parent: int) -> None:
    """The child's loop: put each item, giving up as soon as the parent is gone (killed)."""

    def put(item: object) -> bool:
        while True:
            try:
                out.put(item, timeout=0.5)
                return True
            except queue.Full:
                if os.getppid() != parent:
                    return False

    try:
        for item in items:
            if not put((None, item)):
                return
        put((_DONE, None))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent
        put((_ERROR, _portable(exc)))


def prefetch_in_child(items: Iterator[Item], depth: int = 2) -> Generator[Item, None, None]:
    """Produce the items (validated chunks) in a forked child process; they come back through a
    bounded queue.

    The child inherits the open input (``fork``), so nothing about the source has to be
    picklable; only the items (plain rows) and a final error travel back. An error in the child
    is re-raised here; when the consumer stops early, or the child dies, the child is stopped
    and the load fails rather than hangs; a child whose parent was killed exits on its own.
    """
    ctx = mp.get_context("fork")
    out = ctx.Queue(maxsize=depth)
    child = ctx.Process(target=_produce_in_child, args=(items, out, os.getpid()),
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
