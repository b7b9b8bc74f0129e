"""``graphsvc load``, ``graphsvc generate``, ``graphsvc dump`` and ``graphsvc restore``: records in and out."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from graphsvc.cli.common import actor, echo_json, fail, open_db, progress_shown, read_settings
from graphsvc.config import Settings
from graphsvc.errors import Conflict, GraphsvcError
from graphsvc.graph import importer, localdb
from graphsvc.graph.db import Database
from graphsvc.repository.bulk import ImportFiles
from graphsvc.repository.dump import RECORD_KINDS
from graphsvc.repository.persons import count_persons
from graphsvc.services import backup, bulk
from graphsvc.services import state as pattern_state
from graphsvc.services.ingest import load, resolve_written
from graphsvc.services.resolution import load_model, resolve_all, resolve_path
from graphsvc.synthetic import generate_register
from loaders.sources import CsvLayoutError, RawRecord, read_path
from loaders.validate import validate_all

__all__ = ["COMMANDS"]

#: persons scored per incremental resolution call (and audit entry) after a load
LOAD_RESOLVE_CHUNK = 1000


def _resolve_loaded(database: Database, person_ids: list[str], show: bool) -> dict[str, Any]:
    """Incremental resolution of the persons a load wrote, in chunks; never raises."""

    def progress(done: int, total: int) -> None:
        click.echo(f"resolved {done}/{total} persons", err=True)

    out = resolve_written(database, person_ids, actor=actor(),
                          purpose="identity resolution of the records loaded by graphsvc load",
                          audit_query={"trigger": "load", "channel": "cli"}, chunk=LOAD_RESOLVE_CHUNK,
                          on_progress=progress if show else None)
    totals: dict[str, Any] = {"status": "done" if out.error is None else "failed", "persons": out.persons,
                              "missing": out.missing, "skipped": out.skipped, "candidates": out.candidates,
                              "links": out.links, "changed": out.changed, "deleted": out.deleted}
    if out.error is None:
        totals["model"] = out.model
    else:
        totals["error"] = f"{type(out.error).__name__}: {out.error}"
        click.echo(f"graphsvc: identity resolution after the load failed ({totals['error']}); the records "
                   "are written: run graphsvc resolve --incremental --from FILE, or graphsvc resolve", err=True)
    totals["seconds"] = round(out.seconds, 3)
    return totals


def _resolve_full(database: Database, settings: Settings, written: int) -> dict[str, Any]:
    """One full resolve of the register after a load (the cheaper path for many persons); never
    raises: the records are written."""
    try:
        out = resolve_all(database, load_model(settings), actor=actor(),
                          purpose="identity resolution of the records loaded by graphsvc load (full)",
                          memory_limit=settings.resolve_memory)
    except Exception as exc:  # noqa: BLE001 - reported, never raised: the load committed
        message = f"{type(exc).__name__}: {exc}"
        click.echo(f"graphsvc: the full identity resolution after the load failed ({message}); the records are "
                   "written: run graphsvc resolve (GRAPHSVC_RESOLVE_MEMORY if it ran out of memory)", err=True)
        return {"status": "failed", "path": "full", "written": written, "error": message}
    return {"status": "done", "path": "full", "written": written, "persons": out["persons"],
            "links": out["links"], "changed": out["changed"], "deleted": out["deleted"], "model": out["model"],
            "seconds": out["seconds"]}


def _describe_resolution(r: dict[str, Any]) -> str:
    if r["status"] == "done" and r.get("path") == "full":
        return (f"identity resolution: one full resolve of the register's {r['persons']} persons (cheaper than "
                f"scoring the {r['written']} written one by one), {r['links']} links proposed or refreshed "
                f"({r['changed']} new or changed, {r['deleted']} stale removed) in {r['seconds']} s")
    if r["status"] == "done":
        return (f"identity resolution: {r['persons']} persons scored against {r['candidates']} candidates, "
                f"{r['links']} links proposed or refreshed ({r['changed']} new or changed, {r['deleted']} stale removed) "
                f"in {r['seconds']} s")
    if r["status"] == "disabled":
        return "identity resolution: not run (--no-resolve); run graphsvc resolve"
    if r["status"] == "failed":
        return f"identity resolution: FAILED ({r['error']}); the records are written"
    return f"identity resolution: skipped: {r['message']}"


def _describe_state(r: dict[str, Any]) -> str:
    if r["status"] != "done":
        return (f"pattern state: NOT brought up to date ({r['error']}); the records are written and their changes "
                "wait in the outbox: run graphsvc state apply")
    how = "rebuilt" if r.get("rebuilt") else "applied"
    return (f"pattern state: {how}, {r['groups']} identity group(s) written, {r['pending']} change(s) left, "
            f"in {r['seconds']} s")


@contextmanager
def _rejects_file(path: Path | None) -> Iterator[IO[str] | None]:
    """The --rejects file of a load (closed after it), and the exit status 2 of a CSV file whose
    layout is wrong (found before anything is written)."""
    # backslashreplace: a lone surrogate echoed from a rejected record (its id, a field name) is
    # written as the JSON escape \udXXX it arrived as, instead of crashing the load.
    out = path.open("w", encoding="utf-8", errors="backslashreplace") if path else None
    try:
        yield out
    except CsvLayoutError as exc:
        click.echo(f"graphsvc: {exc}", err=True)
        sys.exit(2)
    finally:
        if out:
            out.close()


def _reader(paths: tuple[Path, ...]) -> Callable[[], Iterator[RawRecord]]:
    """The records of ``paths`` in order, read afresh on each call (a load reads them twice with
    --all-or-nothing; each of the bulk load's validating processes reads them itself)."""
    return lambda: itertools.chain.from_iterable(read_path(p) for p in paths)


@click.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every rejected record's fault here (JSON Lines).")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(1, 50_000))
@click.option("--all-or-nothing", is_flag=True, help="Validate everything first; write nothing if any record fails.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--resolve/--no-resolve", "resolve_flag", default=None,
              help="Score the loaded persons against the register afterwards (POSSIBLY_SAME_AS; the default): "
                   "one by one while they are few against the register, else one full resolve, whichever "
                   "the measured costs say is cheaper (at most $GRAPHSVC_LOAD_RESOLVE_MAX one by one).")
@click.option("--bulk", is_flag=True,
              help="A first load into an empty database with Neo4j's importer (stops and restarts the local Neo4j; "
                   "refused when the database holds any record, API key or audit entry): docs/loading.md.")
@click.option("--csv-only", "csv_only", type=click.Path(file_okay=False, path_type=Path),
              help="With --bulk: only write the import files into this folder and print the neo4j-admin command "
                   "to run on the database server (then graphsvc load --bulk-finish DIR).")
@click.option("--bulk-finish", "bulk_finish", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="After neo4j-admin imported a --csv-only folder on the server: apply the schema, the list "
                   "properties, identity resolution and the pattern state.")
def load_cmd(paths: tuple[Path, ...], rejects_path: Path | None, batch_size: int,
             all_or_nothing: bool, progress: bool | None, resolve_flag: bool | None, bulk: bool,
             csv_only: Path | None, bulk_finish: Path | None) -> None:
    """Load records (JSON Lines, or CSV per docs/loading.md); exit status 1 if any is rejected.

    Afterwards the loaded persons are resolved, incrementally or by one full resolve (see --resolve)."""

    if bulk_finish is not None:
        if paths or bulk or csv_only:
            raise click.UsageError("--bulk-finish DIR takes no PATH, --bulk or --csv-only")
        _bulk_finish_cmd(bulk_finish, progress, resolve_flag)
        return
    if not paths:
        raise click.UsageError("give at least one PATH")
    if csv_only is not None and not bulk:
        raise click.UsageError("--csv-only goes with --bulk")
    if bulk:
        if all_or_nothing:
            raise click.UsageError("--bulk validates everything before it writes anything already; "
                                   "--all-or-nothing does not apply")
        _bulk_cmd(paths, rejects_path, batch_size, progress, resolve_flag, csv_only)
        return

    raws = _reader(paths)

    # The settings are needed first for the limit; with --no-resolve, only once the records are to
    # be written (so --all-or-nothing finds faults before a bad setting).
    settings = read_settings() if resolve_flag is not False else None
    limit = settings.load_resolve_max if settings is not None else 0
    # Person ids as their batches commit (the loader's summary has counts, not ids). Past the
    # limit only the count is kept: so many are resolved by one full resolve.
    person_ids: dict[str, None] = {}
    persons_seen = 0

    def written(ids: list[str]) -> None:
        nonlocal persons_seen
        persons_seen += len(ids)
        for pid in ids:
            if len(person_ids) <= limit:
                person_ids[pid] = None

    show = progress_shown(progress)
    with _rejects_file(rejects_path) as rejects_out:
        try:
            if all_or_nothing:
                _, bad = validate_all(raws())
                if bad:
                    for reject in bad:
                        click.echo(reject.describe(), err=True)
                        if rejects_out:
                            rejects_out.write(json.dumps(reject.as_dict(), ensure_ascii=False) + "\n")
                    click.echo(f"nothing written: {len(bad)} fault(s) found", err=True)
                    sys.exit(1)
            with open_db(settings) as database:
                summary = load(database, raws(), batch_size=batch_size, rejects_out=rejects_out, progress=show,
                               on_written=written if resolve_flag is not False else None, maintain_state=False)
                resolution: dict[str, Any]
                if resolve_flag is False or settings is None:
                    resolution = {"status": "disabled"}
                elif not person_ids:
                    resolution = {"status": "skipped", "persons": 0, "message": "no person records loaded"}
                elif resolve_path(persons_seen, count_persons(database), limit) == "full":
                    resolution = _resolve_full(database, settings, persons_seen)
                else:
                    resolution = {**_resolve_loaded(database, list(person_ids), show), "path": "incremental"}
                # once, after the links: the pattern state of everything the load and its resolution changed
                started = time.perf_counter()
                state = pattern_state.settle(database)
                state["seconds"] = round(time.perf_counter() - started, 3)
        except GraphsvcError as exc:
            fail(exc)
    s = summary.as_dict()
    s["resolution"] = resolution
    click.echo(
        f"read {s['read']} records: wrote {s['written']} ({s['persons']} persons, {s['incidents']} incidents, "
        f"{s['orders']} orders, {s['registrations']} registrations, {s['notifications']} notifications), rejected {s['rejected']}, in {s['seconds']} s ({s['records_per_second']} records/s)",
        err=True,
    )
    click.echo(_describe_resolution(resolution), err=True)
    s["pattern_state"] = state
    click.echo(_describe_state(state), err=True)
    echo_json(s)
    if summary.rejected_records:
        sys.exit(1)


def _bulk_after_import(database: Database, settings: Settings, folder: Path, show: bool,
                       resolve_flag: bool | None) -> dict[str, Any]:
    """What follows the importer, locally or after the operator's import on a server: the schema
    and list properties, one full resolve (unless --no-resolve), the pattern state built."""
    out: dict[str, Any] = bulk.finish(database, folder, progress=show)
    persons = count_persons(database)
    if resolve_flag is False:
        out["resolution"] = {"status": "disabled"}
    elif not persons:
        out["resolution"] = {"status": "skipped", "persons": 0, "message": "no person records loaded"}
    else:
        started = time.perf_counter()
        out["resolution"] = _resolve_full(database, settings, persons)
        # with what the resolve's own seconds leave out: the model, the links' pattern state settled
        out["resolution"]["wall_seconds"] = round(time.perf_counter() - started, 3)
    # the state of the whole register: settle rebuilds it when there is none (a resolve above
    # has settled it already, as after the transactional load)
    started = time.perf_counter()
    state = pattern_state.settle(database)
    state["seconds"] = round(time.perf_counter() - started, 3)
    out["pattern_state"] = state
    return out


def _bulk_failed(exc: GraphsvcError) -> NoReturn:
    """A refusal (a database not empty, a folder not imported) is exit status 1; any other failure 2."""
    fail(exc, details=not isinstance(exc, Conflict), exit_codes={409: 1})


def _bulk_cmd(paths: tuple[Path, ...], rejects_path: Path | None, batch_size: int, progress: bool | None,
              resolve_flag: bool | None, csv_only: Path | None) -> None:
    settings = read_settings()
    show = progress_shown(progress)
    started = time.perf_counter()
    local = csv_only is None
    if local and not settings.uses_local_db:
        click.echo("graphsvc: load --bulk imports into the local Neo4j, and NEO4J_URI names a server. On a server: "
                   "graphsvc load --bulk --csv-only DIR PATH..., run the neo4j-admin command it prints there with "
                   "Neo4j stopped, start Neo4j, then graphsvc load --bulk-finish DIR (docs/loading.md)", err=True)
        sys.exit(2)
    folder = csv_only or settings.bulk_work_dir / time.strftime("load-%Y%m%d-%H%M%S")
    with _rejects_file(rejects_path) as rejects_out:
        try:
            if local:
                localdb.start(settings)
            with open_db(settings) as database:
                bulk.check_empty(database)
            # each validating process reads the input itself: a pipe (<(zcat ...), /dev/stdin) is read once
            workers = settings.bulk_workers if all(p.is_file() for p in paths) else 1
            prepared = bulk.prepare(settings, _reader(paths), folder,
                                    batch_size=batch_size, rejects_out=rejects_out, progress=show, workers=workers)
            s = prepared.as_dict()
            if not local:
                _print_server_steps(settings, prepared)
                s["folder"] = str(folder)
                echo_json(s)
                sys.exit(1 if prepared.rejected_records else 0)
            with open_db(settings) as database:
                bulk.check_empty(database)  # again: nothing written meanwhile (a key, another load)
            before_import = time.perf_counter()
            run = bulk.import_local(settings, prepared.files, echo=sys.stderr if show else None)
            loaded = time.perf_counter() - before_import
            with Database(settings) as database:  # bulk.finish applies the schema (timed there)
                after = _bulk_after_import(database, settings, folder, show, resolve_flag)
        except GraphsvcError as exc:
            _bulk_failed(exc)
    total = time.perf_counter() - started
    # without resolve: less the resolve's own seconds, not its wall time, which holds the model's
    # load and the pattern state's rebuild it settles (a load without resolve rebuilds it as well)
    resolve_s = float(after["resolution"].get("seconds") or 0.0)
    ready = total - resolve_s
    s.update(importer={"seconds": round(run.seconds, 3), "peak_rss_mib": round(run.peak_rss_mib, 1),
                       "summary": run.summary},
             phases={**{k: round(v, 3) for k, v in prepared.seconds.items()}, "import": round(run.seconds, 3),
                     "stop_import_start": round(loaded, 3),
                     "schema": after["schema_seconds"], "fixups": after["fixups_seconds"],
                     "pattern_state": after["pattern_state"]["seconds"], "resolve": resolve_s,
                     "resolve_wall": float(after["resolution"].get("wall_seconds") or 0.0)},
             seconds=round(total, 3), seconds_without_resolve=round(ready, 3),
             records_per_second=round(prepared.written / total, 1) if total else 0.0,
             records_per_second_without_resolve=round(prepared.written / ready, 1) if ready else 0.0,
             loader_peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
             resolution=after["resolution"], pattern_state=after["pattern_state"])
    click.echo(
        f"read {s['read']} records: bulk-imported {s['written']} ({s['persons']} persons, {s['incidents']} incidents, "
        f"{s['orders']} orders, {s['registrations']} registrations, {s['notifications']} notifications; "
        f"{s['nodes']} nodes, {s['relationships']} relationships), rejected {s['rejected']}, ready in "
        f"{s['seconds']} s ({s['records_per_second']} records/s; {s['seconds_without_resolve']} s and "
        f"{s['records_per_second_without_resolve']} records/s without identity resolution); importer "
        f"{s['importer']['seconds']} s, peak {s['importer']['peak_rss_mib']} MiB", err=True)
    click.echo(_describe_resolution(after["resolution"]), err=True)
    click.echo(_describe_state(after["pattern_state"]), err=True)
    echo_json(s)
    shutil.rmtree(folder, ignore_errors=True)
    if prepared.rejected_records:
        sys.exit(1)


def _print_server_steps(settings: Settings, prepared: bulk.Prepared) -> None:
    files = prepared.files
    command = importer.server_command(bulk.import_arguments(settings, files, report=False),
                                      heap_mib=settings.bulk_heap_mib)
    (files.folder / "import-command.sh").write_text("#!/bin/sh\nset -e\n" + command + "\n", encoding="utf-8")
    click.echo(
        f"wrote the import files of {prepared.written} records to {files.folder} ({files.counts.get('nodes', 0)} "
        f"nodes, {files.counts.get('relationships', 0)} relationships). On the database server, with the folder at "
        "the same path (or the paths below changed), the database empty and nothing in it you need (keys, audit):\n"
        f"  1. neo4j stop\n  2. {command}\n  3. neo4j start\n"
        f"  4. here: graphsvc load --bulk-finish {files.folder}\n"
        f"(the command is also in {files.folder / 'import-command.sh'})", err=True)


def _bulk_finish_cmd(folder: Path, progress: bool | None, resolve_flag: bool | None) -> None:
    settings = read_settings()
    show = progress_shown(progress)
    try:
        manifest = ImportFiles.load(folder)
        with open_db(settings) as database:
            persons = count_persons(database)
            expected = manifest.counts.get("Person", 0)
            if persons != expected:
                raise Conflict(f"the database holds {persons} persons and {folder} imports {expected}: run the "
                               "importer's command (import-command.sh) on the server first", {})
            after = _bulk_after_import(database, settings, folder, show, resolve_flag)
    except (OSError, ValueError, KeyError) as exc:
        click.echo(f"graphsvc: {folder} is not a folder written by graphsvc load --bulk --csv-only ({exc})", err=True)
        sys.exit(2)
    except GraphsvcError as exc:
        _bulk_failed(exc)
    click.echo(_describe_resolution(after["resolution"]), err=True)
    click.echo(_describe_state(after["pattern_state"]), err=True)
    echo_json(after)


@click.command("generate")
@click.option("--people", required=True, type=click.IntRange(1, 10_000_000))
@click.option("--seed", required=True, type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--progress/--no-progress", default=None)
def generate_cmd(people: int, seed: int, out: Path, progress: bool | None) -> None:
    """Write a synthetic register (records and, beside them, the ground truth)."""
    echo_json(generate_register(people=people, seed=seed, out=out, progress=progress_shown(progress)))


def _private(path: Path) -> Any:
    """``path`` opened for writing, readable by its owner only (it holds secrets)."""
    return open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8")


@click.command("dump")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.option("--secrets-out", "secrets_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the alert subscriptions' secrets here (mode 0600; keep it apart from the dump, "
                   "like a key). Without it they are written nowhere.")
def dump_cmd(out: Path | None, secrets_out: Path | None) -> None:
    """Write the whole register (docs/backup.md, format version 2); `graphsvc restore` loads it.

    Records in the contract format, then each record's state beyond it, identity links with their
    decisions, subscriptions (without secrets), alerts; online, page by page."""
    try:
        with open_db() as database, contextlib.ExitStack() as files:
            secrets = files.enter_context(_private(secrets_out)) if secrets_out is not None else None
            handle = sys.stdout if out is None else files.enter_context(out.open("w", encoding="utf-8"))
            summary = backup.dump(database, handle, secrets_out=secrets)
    except GraphsvcError as exc:
        fail(exc)
    counts = summary["counts"]
    records = sum(counts.get(k, 0) for k in RECORD_KINDS)
    click.echo(f"dumped {records} records, {counts.get('node_state', 0)} node states, "
               f"{counts.get('identity_link', 0)} identity links, {counts.get('subscription', 0)} subscriptions "
               f"and {counts.get('alert', 0)} alerts in {summary['seconds']} s"
               + (f"; {summary['secrets']} subscription secrets to {secrets_out}" if secrets_out is not None else
                  "; subscription secrets left out"), err=True)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--secrets", "secrets", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The subscriptions' secrets that graphsvc dump --secrets-out wrote with this dump.")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(1, 50_000))
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
def restore_cmd(path: Path, secrets: Path | None, batch_size: int, progress: bool | None) -> None:
    """Load a dump of graphsvc dump into an EMPTY register (docs/backup.md): the records, their
    state, identity links, subscriptions and alerts; then the pattern state is rebuilt.

    The whole file is checked first: a bad line is reported with its line, kind and field and
    nothing is written. Exit status 1 when the register is not empty or the dump is refused."""

    def say(message: str) -> None:
        click.echo(f"restore: {message}", err=True)

    try:
        with open_db() as database:
            out = backup.restore(database, path, secrets=secrets, batch_size=batch_size,
                                 progress=progress_shown(progress), say=say)
    except GraphsvcError as exc:
        fail(exc, details=isinstance(exc, backup.DumpRejected), exit_codes={409: 1, 422: 1})
    r = out["records"]
    click.echo(f"restored {r['written']} records ({r['records_per_second']} records/s), {out['node_state']} node "
               f"states, {out['identity_links']} identity links, {out['subscriptions']} subscriptions, "
               f"{out['alerts']} alerts from a version {out['version']} dump in {out['seconds']['total']} s", err=True)
    if out["subscriptions_without_secret"]:
        click.echo(f"restore: {len(out['subscriptions_without_secret'])} subscription(s) restored without their "
                   "secret: they deliver nothing until subscribed again (docs/backup.md, after a restore)", err=True)
    echo_json(out)


COMMANDS: tuple[click.Command, ...] = (load_cmd, generate_cmd, dump_cmd, restore_cmd)
