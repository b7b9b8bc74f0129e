"""The load pipeline: read, validate, report rejects, write in batches, summarise.

Used by ``graphsvc load`` and by ``POST /records`` (which always asks for all-or-nothing).
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from graphsvc.db import Database
from loaders.records import IncidentRecord, OrderRecord, PersonRecord, RecordError, parse_record
from loaders.sources import RawRecord
from loaders.writer import BatchWriter, WriteCounts

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


def _batches(
    raws: Iterable[RawRecord], size: int, summary: LoadSummary, on_reject: Any
) -> Iterator[list[AnyRecord]]:
    batch: list[AnyRecord] = []
    for raw in raws:
        summary.read += 1
        result = _validated(raw)
        if isinstance(result, list):
            summary.rejected_records += 1
            for reject in result:
                summary.rejects.append(reject)
                on_reject(reject)
            continue
        batch.append(result)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load(
    db: Database,
    raws: Iterable[RawRecord],
    *,
    batch_size: int = DEFAULT_BATCH,
    rejects_out: IO[str] | None = None,
    progress: bool = False,
    keep_rejects: int = 10_000,
) -> LoadSummary:
    """Stream records into the graph; every rejected record is reported and none written."""
    summary = LoadSummary()
    writer = BatchWriter(db)
    started = time.perf_counter()

    def on_reject(reject: Reject) -> None:
        print(reject.describe(), file=sys.stderr)
        if rejects_out is not None:
            rejects_out.write(json.dumps(reject.as_dict(), ensure_ascii=False) + "\n")
        if len(summary.rejects) > keep_rejects:
            summary.rejects.pop(0)

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" records", file=sys.stderr, mininterval=0.5, disable=None)
    try:
        for batch in _prefetched(_batches(raws, batch_size, summary, on_reject)):
            summary.written.add(writer.write(batch))
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
        summary.seconds = time.perf_counter() - started
    return summary


_DONE = object()


def _prefetched(batches: Iterator[list[AnyRecord]], depth: int = 2) -> Iterator[list[AnyRecord]]:
    """Read and validate the next batches in a thread while the current one is written.

    Validation is Python work and a write mostly waits on Neo4j, so the two overlap. The queue
    is bounded (``depth`` batches), so memory stays flat; an error in the reader is re-raised
    here; when the consumer stops early (a write failed), the reader is told to stop.
    """
    out: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        out.put(batch, timeout=0.2)
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
