"""``graphsvc state``: the pattern state kept in the graph (docs/pattern-state.md): its status,
applying the outbox, verifying it against the raw records and rebuilding it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from graphsvc.cli.common import echo_json, fail, open_db
from graphsvc.errors import GraphsvcError
from graphsvc.graph.db import Database
from graphsvc.services import state as pattern_state
from graphsvc.services.state_verify import verify as verify_state

__all__ = ["COMMANDS"]


@click.group("state")
def state_group() -> None:
    """The pattern state: the serial ranking kept in the graph as records arrive."""


def _echo(work: Callable[[Database], Any]) -> None:
    """Print ``work(db)``'s answer as JSON; an error as every command reports one."""
    try:
        with open_db() as db:
            echo_json(work(db))
    except GraphsvcError as exc:
        fail(exc)


@state_group.command("status")
def status_cmd() -> None:
    """The state's settings, when it was built and last applied to, and the changes waiting."""
    _echo(pattern_state.status)


@state_group.command("apply")
def apply_cmd() -> None:
    """Apply the changes waiting in the outbox (those a writer that died left behind)."""
    _echo(lambda db: pattern_state.apply(db))


@state_group.command("verify")
def verify_cmd() -> None:
    """Recompute the ranking and the unidentified clusters from the raw records and report each
    difference from the state; exit status 1 if there is any."""
    try:
        with open_db() as db:
            out = verify_state(db)
    except GraphsvcError as exc:
        fail(exc)
    click.echo(f"pattern state: {out['states']} state(s) against {out['groups']} group(s) recomputed, "
               f"{out.get('cluster_states', 0)} cluster state(s) against {out.get('clusters')} cluster(s), "
               f"{len(out['differences'])} difference(s), {out['pending']} change(s) waiting", err=True)
    echo_json(out)
    if not out["clean"]:
        sys.exit(1)


@state_group.command("rebuild")
@click.option("--force", is_flag=True, help="Take over from a rebuild that seems to be under way (one that died).")
def rebuild_cmd(force: bool) -> None:
    """Replace the whole state by the register-wide computation from the raw records."""
    _echo(lambda db: pattern_state.rebuild(db, force=force))


COMMANDS = [state_group]
