"""A first load at bulk speed: Neo4j's own importer into an empty register (issue #23).

``graphsvc load --bulk`` gives the graph a transactional ``graphsvc load`` of the same input
gives (the same validation and rows, :mod:`graphsvc.repository.bulk`'s files), without the
transactions: records are validated and staged (:func:`prepare`), the import files written,
the database stopped, the importer run into its store and the database started again
(:func:`import_local`), then the schema applied and what the files could not say written
(:func:`finish`). Identity resolution and the pattern state follow as after any load (the CLI).
For a server the operator runs the importer there (docs/loading.md, "On a server").
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import shutil
import sys
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from graphsvc.config import Settings
from graphsvc.errors import Conflict
from graphsvc.graph import importer, localdb
from graphsvc.graph.db import Database
from graphsvc.repository import bulk as files_repo
from graphsvc.repository.bulk import ImportFiles, Staging, stage_rows
from graphsvc.repository.ingest import BatchRows, stamp_review
from graphsvc.services.ingest import DEFAULT_BATCH, report_reject
from loaders import times
from loaders.sources import RawRecord
from loaders.validate import Reject, validated_in_parallel

__all__ = ["Prepared", "check_empty", "finish", "import_arguments", "import_local", "prepare"]

_KIND_LABELS = (("person", "persons"), ("incident", "incidents"), ("order", "orders"),
                ("registration", "registrations"), ("notification", "notifications"))


def check_empty(db: Database) -> None:
    """Refuse (:class:`Conflict`) unless the database holds nothing a bulk import would destroy."""
    found = files_repo.blockers(db)
    held = [f"{n} {what}" for what, n in (("record node(s)", found["records"]), ("API key(s)", found["api_keys"]),
                                          ("audit entries", found["audit_entries"]),
                                          ("other node(s) (subscriptions, alerts, state)", found["other"])) if n]
    if held:
        raise Conflict(
            "graphsvc load --bulk needs an empty database, and this one holds " + ", ".join(held) + ". Neo4j's "
            "importer replaces the whole store, so it would destroy them. Bulk-load a new, empty database first "
            "and create API keys after; to add records to this one, use graphsvc load without --bulk.", found)


@dataclass
class Prepared:
    """What :func:`prepare` read, rejected and wrote."""

    files: ImportFiles
    read: int = 0
    rejected_records: int = 0
    rejects: list[Reject] = field(default_factory=list)
    staged: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return sum(self.staged.values())

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "written": self.written,
                **{plural: self.staged.get(kind, 0) for kind, plural in _KIND_LABELS},
                "rejected": self.rejected_records, "nodes": self.files.counts.get("nodes", 0),
                "relationships": self.files.counts.get("relationships", 0), "fixups": self.files.fixups}


def prepare(settings: Settings, open_raws: Callable[[], Iterable[RawRecord]], folder: Path, *,
            batch_size: int = DEFAULT_BATCH, rejects_out: IO[str] | None = None, progress: bool = False,
            keep_rejects: int = 10_000, workers: int | None = None) -> Prepared:
    """Validate and stage every record ``open_raws()`` reads, then write the import files into ``folder``.

    Validation is the transactional load's (:meth:`BatchRows.of` and :func:`stamp_review` on
    each batch) on ``workers`` processes (default ``settings.bulk_workers``), each reading the
    input afresh (:func:`loaders.validate.validated_in_parallel`: so ``open_raws`` must open it
    on each call, and an input that can be read only once, a pipe, needs ``workers=1``); the chunks are staged in input order, so the last copy of a record wins as in the
    transactional load, and each reject is reported as :func:`graphsvc.services.ingest.load`
    reports it."""
    _private_folder(folder)
    staging_path = folder / "staging.sqlite"
    staging_path.unlink(missing_ok=True)
    staging = Staging(staging_path)
    out = Prepared(ImportFiles(folder))
    schedule = settings.review_schedule

    def rows_of(records: list[Any]) -> list[tuple[str, str, str | None, bytes]]:
        rows = BatchRows.of(records)
        stamp_review(rows, schedule, times.today())
        return stage_rows(rows)

    bar = _bar(progress, "validating and staging", " records")
    started = time.perf_counter()
    try:
        for chunk in validated_in_parallel(open_raws, batch_size, rows_of, workers or settings.bulk_workers):
            out.read += chunk.read
            out.rejected_records += chunk.rejected
            for reject in chunk.rejects:
                report_reject(reject, rejects_out, out.rejects, keep_rejects)
            if chunk.rows is not None:
                staging.add(chunk.rows)
            if bar is not None:
                bar.update(chunk.read)
        if bar is not None:
            bar.close()
        out.staged = staging.counts()
        out.seconds["validate_and_stage"] = time.perf_counter() - started
        started = time.perf_counter()
        bar = _bar(progress, "writing import files", " records", total=out.written)
        tick = bar.update if bar is not None else lambda n: None
        staging.index()
        parts = _write_parts(staging_path, folder, workers or settings.bulk_workers, tick)
        out.files = files_repo.finish_import_files(
            staging, folder, parts, periods=settings.register_periods, now=dt.datetime.now(dt.timezone.utc), tick=tick)
        out.seconds["write_files"] = time.perf_counter() - started
    finally:
        if bar is not None:
            bar.close()
        staging.close()
        staging_path.unlink(missing_ok=True)
    return out


def _write_parts(staging_path: Path, folder: Path, workers: int, tick: Callable[[int], None]) -> list[files_repo.Part]:
    """The records' passes of the import files (:func:`graphsvc.repository.bulk.write_part`),
    split by position over ``workers`` forked processes (in this one without ``fork`` or with one
    worker); ``tick`` follows their shared count of rows written. A failure in any is raised here."""
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        return [files_repo.write_part(staging_path, folder, tick=tick)]
    ctx = mp.get_context("fork")
    written = ctx.Value("q", 0)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_counting, initargs=(written,)) as pool:
        futures = [pool.submit(_part, staging_path, folder, k, workers) for k in range(workers)]
        seen = 0
        while True:
            done, pending = wait(futures, timeout=0.5, return_when=FIRST_EXCEPTION)
            now = written.value
            tick(now - seen)
            seen = now
            if not pending or any(f.exception() is not None for f in done):
                break
        return [f.result() for f in futures]  # the first failure, raised


_WRITTEN: Any = None


def _counting(shared: Any) -> None:
    global _WRITTEN  # the worker's handle on the shared count (ProcessPoolExecutor's initializer)
    _WRITTEN = shared


def _part(staging_path: Path, folder: Path, part: int, parts: int) -> files_repo.Part:
    pending = 0

    def tick(n: int, at_least: int = 5000) -> None:
        nonlocal pending
        pending += n
        if pending >= at_least:
            with _WRITTEN.get_lock():
                _WRITTEN.value += pending
            pending = 0

    written = files_repo.write_part(staging_path, folder, part, parts, tick)
    tick(0, at_least=0)
    return written


def _private_folder(folder: Path) -> None:
    """Create ``folder`` (and any missing parent) readable by this user only: the staging
    database and the import files hold every record of the register in clear. An existing
    folder (``--csv-only DIR``) keeps its mode, and is refused if others may read or enter it."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        path.mkdir(mode=0o700)
        path.chmod(0o700)  # mkdir's mode is masked by the umask
    if folder.stat().st_mode & 0o077:
        raise Conflict(f"{folder} may be read by other users of this machine, and the bulk load writes every "
                       "record of the register there in clear: use a folder only its owner may read (chmod 700)",
                       {"folder": str(folder)})


def import_arguments(settings: Settings, files: ImportFiles, *, report: bool = True) -> list[str]:
    return importer.import_arguments(files.nodes, files.relationships, files.multiline,
                                     database=settings.neo4j_database, off_heap=settings.bulk_off_heap,
                                     report=files.folder / "import.report" if report else None)


def import_local(settings: Settings, files: ImportFiles, *, echo: IO[str] | None = None) -> importer.ImportRun:
    """Stop the local Neo4j, import ``files`` into its store and start it again.

    Run only after :func:`check_empty`: the importer replaces the database's store. When the
    importer fails, the store it left is removed (it held nothing) and the database started
    with an empty one, so the register is where it was."""
    if not settings.uses_local_db:
        raise Conflict("graphsvc load --bulk imports into the local Neo4j; NEO4J_URI names a server: use "
                       "graphsvc load --bulk --csv-only DIR and run the printed command there (docs/loading.md)")
    localdb.stop(settings)
    try:
        run = importer.run_local(settings, import_arguments(settings, files), files.folder, echo=echo)
    except BaseException:
        data = importer.local_data_dir(settings)
        for part in ("databases", "transactions"):
            shutil.rmtree(data / part / settings.neo4j_database, ignore_errors=True)
        localdb.start(settings)
        raise
    localdb.start(settings)
    return run


def finish(db: Database, folder: Path, *, progress: bool = False) -> dict[str, Any]:
    """After the import: the schema (constraints and indexes; the data migrations are recorded
    as applied by the import files) and the list properties the files could not hold."""
    files = ImportFiles.load(folder)
    started = time.perf_counter()
    db.apply_schema()
    schema_s = time.perf_counter() - started
    started = time.perf_counter()
    bar = _bar(progress, "list properties", " nodes", total=files.fixups)
    try:
        fixed = files_repo.apply_fixups(db, folder, tick=bar.update if bar is not None else lambda n: None)
    finally:
        if bar is not None:
            bar.close()
    return {"schema_seconds": round(schema_s, 3), "fixups": fixed,
            "fixups_seconds": round(time.perf_counter() - started, 3)}


def _bar(show: bool, desc: str, unit: str, total: int | None = None) -> Any:
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(desc=desc, unit=unit, total=total, file=sys.stderr, mininterval=0.5, disable=None)
