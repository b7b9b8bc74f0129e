"""``graphsvc db start|stop|status``: the local Neo4j."""

from __future__ import annotations

import sys

import click

from graphsvc.cli.common import fail, open_db, read_settings
from graphsvc.errors import GraphsvcError
from graphsvc.graph import localdb

__all__ = ["COMMANDS"]


@click.group()
def db() -> None:
    """The local Neo4j (the default when NEO4J_URI is not set)."""


@db.command("start")
def db_start() -> None:
    """Start the local Neo4j (fetching it from Maven Central the first time); print its URI."""
    settings = read_settings()
    try:
        status = localdb.start(settings)
        with open_db(settings):
            pass
    except GraphsvcError as exc:
        fail(exc)
    click.echo(status.uri)
    click.echo(status.describe(), err=True)


@db.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j cleanly."""
    settings = read_settings()
    stopped = localdb.stop(settings)
    click.echo("stopped" if stopped else "not running")


@db.command("status")
def db_status() -> None:
    """Whether the local Neo4j runs (exit status 3 when it does not); prints its URI."""
    status = localdb.status(read_settings())
    click.echo(status.uri)
    click.echo(status.describe(), err=True)
    if not status.running:
        sys.exit(3)


COMMANDS: tuple[click.Command, ...] = (db,)
