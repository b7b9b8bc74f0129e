"""The ``graphsvc`` command line (contract section 3)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from graphsvc.graph import localdb
from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError

__all__ = ["main"]


def _settings() -> Settings:
    """The settings, read from the environment (a bad value is a usage error, exit status 2)."""
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _fail(exc: GraphsvcError) -> None:
    click.echo(f"graphsvc: {exc.message}", err=True)
    sys.exit(2)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def open_db(settings: Settings | None = None) -> Any:
    """A :class:`graphsvc.graph.db.Database` with the schema applied; starts nothing."""
    from graphsvc.graph.db import Database

    db = Database(settings or _settings())
    db.apply_schema()
    return db


@click.group()
def main() -> None:
    """graphsvc: a register that joins stalking incidents, victims, offenders and orders."""


# -- db ------------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """The local Neo4j (the default when NEO4J_URI is not set)."""


@db.command("start")
def db_start() -> None:
    """Start the local Neo4j (fetching it from Maven Central the first time); print its URI."""
    settings = _settings()
    try:
        status = localdb.start(settings)
        with open_db(settings):
            pass
    except GraphsvcError as exc:
        _fail(exc)
    click.echo(status.uri)
    click.echo(status.describe(), err=True)


@db.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j cleanly."""
    settings = _settings()
    stopped = localdb.stop(settings)
    click.echo("stopped" if stopped else "not running")


@db.command("status")
def db_status() -> None:
    """Whether the local Neo4j runs (exit status 3 when it does not); prints its URI."""
    status = localdb.status(_settings())
    click.echo(status.uri)
    click.echo(status.describe(), err=True)
    if not status.running:
        sys.exit(3)


# -- load ----------------------------------------------------------------------------------
LOAD_RESOLVE_CHUNK = 1000


def _resolve_loaded(database: Any, person_ids: list[str], show: bool) -> dict[str, Any]:
    """Incremental resolution of the persons a load wrote, in chunks; never raises."""
    from graphsvc.services import resolution as resolve
    from graphsvc.security.audit import cli_actor

    totals: dict[str, Any] = {"status": "done", "persons": 0, "missing": 0, "skipped": 0, "candidates": 0,
                              "links": 0, "changed": 0, "deleted": 0}
    started = time.perf_counter()
    try:
        loaded = resolve.load_model(_settings())
        actor = cli_actor()
        for start in range(0, len(person_ids), LOAD_RESOLVE_CHUNK):
            out = resolve.resolve_persons(
                database, person_ids[start : start + LOAD_RESOLVE_CHUNK], loaded, actor=actor,
                purpose="identity resolution of the records loaded by graphsvc load",
                audit_query={"trigger": "load", "channel": "cli"},
            )
            for key in ("persons", "candidates", "links", "changed", "deleted"):
                totals[key] += out[key]
            totals["missing"] += len(out["missing"])
            totals["skipped"] += len(out["skipped"])
            if show:
                click.echo(f"resolved {min(start + LOAD_RESOLVE_CHUNK, len(person_ids))}/{len(person_ids)} persons",
                           err=True)
        totals["model"] = loaded.name
    except Exception as exc:  # noqa: BLE001 - the load is written; say so and how to finish
        totals["status"] = "failed"
        totals["error"] = f"{type(exc).__name__}: {exc}"
        click.echo(f"graphsvc: identity resolution after the load failed ({totals['error']}); the records "
                   "are written: run graphsvc resolve --incremental --from FILE, or graphsvc resolve", err=True)
    totals["seconds"] = round(time.perf_counter() - started, 3)
    return totals


@main.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every rejected record's fault here (JSON Lines).")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(1, 50_000))
@click.option("--all-or-nothing", is_flag=True, help="Validate everything first; write nothing if any record fails.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--resolve/--no-resolve", "resolve_flag", default=None,
              help="Score the loaded persons against the register afterwards (POSSIBLY_SAME_AS). Default: "
                   "yes up to $GRAPHSVC_LOAD_RESOLVE_MAX (default 50,000) persons; above it, run graphsvc resolve.")
def load_cmd(paths: tuple[Path, ...], rejects_path: Path | None, batch_size: int,
             all_or_nothing: bool, progress: bool | None, resolve_flag: bool | None) -> None:
    """Load records (JSON Lines, or CSV per docs/loading.md); exit status 1 if any is rejected.

    Afterwards the loaded persons are resolved incrementally (see --resolve)."""
    import itertools

    from graphsvc.services.ingest import load, validate_all
    from loaders.sources import CsvLayoutError, read_path

    def raws():  # type: ignore[no-untyped-def]
        return itertools.chain.from_iterable(read_path(p) for p in paths)

    limit = _settings().load_resolve_max if resolve_flag is None else 0
    # Person ids as their batches commit (the loader's summary has counts, not ids). Past the
    # limit only the count is kept, unless --resolve forces resolution of every one.
    person_ids: dict[str, None] = {}
    persons_seen = 0

    def written(ids: list[str]) -> None:
        nonlocal persons_seen
        persons_seen += len(ids)
        for pid in ids:
            if resolve_flag or len(person_ids) <= limit:
                person_ids[pid] = None

    show = sys.stderr.isatty() if progress is None else progress
    # backslashreplace: a lone surrogate echoed from a rejected record (its id, a field name) is
    # written as the JSON escape \udXXX it arrived as, instead of crashing the load.
    rejects_out = rejects_path.open("w", encoding="utf-8", errors="backslashreplace") if rejects_path else None
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
        with open_db() as database:
            summary = load(database, raws(), batch_size=batch_size, rejects_out=rejects_out, progress=show,
                           on_written=written if resolve_flag is not False else None)
            resolution: dict[str, Any]
            if resolve_flag is False:
                resolution = {"status": "disabled"}
            elif resolve_flag is None and len(person_ids) > limit:
                resolution = {"status": "skipped", "person_records": persons_seen, "limit": limit,
                              "message": "more persons than the limit: a full graphsvc resolve is the faster path "
                                         "(or load with --resolve)"}
            elif not person_ids:
                resolution = {"status": "skipped", "persons": 0, "message": "no person records loaded"}
            else:
                resolution = _resolve_loaded(database, list(person_ids), show)
    except CsvLayoutError as exc:
        click.echo(f"graphsvc: {exc}", err=True)
        sys.exit(2)
    except GraphsvcError as exc:
        _fail(exc)
    finally:
        if rejects_out:
            rejects_out.close()
    s = summary.as_dict()
    s["resolution"] = resolution
    click.echo(
        f"read {s['read']} records: wrote {s['written']} ({s['persons']} persons, {s['incidents']} incidents, "
        f"{s['orders']} orders), rejected {s['rejected']}, in {s['seconds']} s ({s['records_per_second']} records/s)",
        err=True,
    )
    click.echo(_describe_resolution(resolution), err=True)
    _echo_json(s)
    if summary.rejected_records:
        sys.exit(1)


def _describe_resolution(r: dict[str, Any]) -> str:
    if r["status"] == "done":
        return (f"identity resolution: {r['persons']} persons scored against {r['candidates']} candidates, "
                f"{r['links']} links proposed or refreshed ({r['changed']} new or changed, {r['deleted']} stale removed) "
                f"in {r['seconds']} s")
    if r["status"] == "disabled":
        return "identity resolution: not run (--no-resolve); run graphsvc resolve"
    if r["status"] == "failed":
        return f"identity resolution: FAILED ({r['error']}); the records are written"
    return f"identity resolution: skipped: {r['message']}"


# -- generate ------------------------------------------------------------------------------
@main.command("generate")
@click.option("--people", required=True, type=click.IntRange(1, 10_000_000))
@click.option("--seed", required=True, type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--progress/--no-progress", default=None)
def generate_cmd(people: int, seed: int, out: Path, progress: bool | None) -> None:
    """Write a synthetic register (records and, beside them, the ground truth)."""
    from graphsvc.synthetic import generate_register

    show = sys.stderr.isatty() if progress is None else progress
    _echo_json(generate_register(people=people, seed=seed, out=out, progress=show))


# -- dump ----------------------------------------------------------------------------------
@main.command("dump")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
def dump_cmd(out: Path | None) -> None:
    """Write the whole register as contract records (JSON Lines); `graphsvc load` restores it."""
    from graphsvc.repository.dump import write_dump

    try:
        with open_db() as database:
            if out is None:
                count = write_dump(database, sys.stdout)
            else:
                with out.open("w", encoding="utf-8") as handle:
                    count = write_dump(database, handle)
    except GraphsvcError as exc:
        _fail(exc)
    click.echo(f"dumped {count} records", err=True)


# -- serve ---------------------------------------------------------------------------------
@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
def serve_cmd(host: str, port: int) -> None:
    """The service for development (production: gunicorn, see docs/deployment.md)."""
    from graphsvc.app import create_app

    create_app().run(host=host, port=port, threaded=True)


# Commands of other modules (one line each).
from graphsvc.cli import ext as cli_ext  # noqa: E402

cli_ext.register(main)


if __name__ == "__main__":
    main()
