"""What every ``graphsvc`` command module shares: the settings, the database, the actor, errors
and JSON on standard output, each written once."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from typing import Any, Literal, NoReturn

import click

from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError
from graphsvc.graph.db import Database
from graphsvc.security import audit
from graphsvc.security.audit import cli_actor
from graphsvc.security.redaction import person_ids_in
from graphsvc.security.visibility import withhold
from graphsvc.security.keys import check_agency

__all__ = ["actor", "agency_option", "consult", "echo_json", "fail", "open_db", "progress_shown", "purpose_option",
           "read_settings", "require_purpose"]


def read_settings() -> Settings:
    """The settings, read from the environment (a bad value is a usage error, exit status 2)."""
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def open_db(settings: Settings | None = None) -> Database:
    """A :class:`~graphsvc.graph.db.Database` with the schema applied; starts nothing."""
    db = Database(settings or read_settings())
    db.apply_schema()
    return db


def actor() -> str:
    """Who the audit log names for a command: ``cli:<os user>``."""
    return cli_actor()


def fail(exc: GraphsvcError, *, details: bool = False, exit_codes: Mapping[int, int] | None = None) -> NoReturn:
    """Say what went wrong on standard error (its ``details`` as JSON too, when asked) and exit:
    status 2, or what ``exit_codes`` gives for the error's HTTP status."""
    click.echo(f"graphsvc: {exc.message}", err=True)
    if details and exc.details:
        click.echo(json.dumps(exc.details, default=str), err=True)
    sys.exit((exit_codes or {}).get(exc.status, 2))


def echo_json(data: Any) -> None:
    """``data`` as indented JSON on standard output (non-ASCII as is, other types as text)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def require_purpose(purpose: str) -> None:
    """A usage error when ``purpose`` is blank."""
    if not purpose.strip():
        raise click.BadParameter("a purpose is required", param_hint="--purpose")


def progress_shown(progress: bool | None) -> bool:
    """``--progress/--no-progress``, or when neither was given, whether stderr is a terminal."""
    return sys.stderr.isatty() if progress is None else progress


#: ``--purpose`` of the audited consultations and disclosures
purpose_option = click.option("--purpose", required=True, help="Why (e.g. a case reference): kept in the audit log.")


def _agency_code(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        return check_agency(value)
    except GraphsvcError as exc:
        raise click.BadParameter(exc.message) from None


agency_option = click.option(
    "--for-agency", "for_agency", default=None, callback=_agency_code, metavar="CODE",
    help="Answer as a key of this agency reads it (contract section 5): other agencies' victims' "
         "details, descriptions and conditions read [withheld: CODE]. Default: national, everything.")


def consult(purpose: str, query: dict[str, Any], work: Callable[[Database], dict[str, Any]],
         agency: str | None = None, hits: Literal["stub", "drop"] = "stub") -> None:
    """Open the database, run ``work(db)``, withhold what ``agency`` may not read (``None``:
    national, the whole answer), audit the consultation, print the JSON answer."""
    require_purpose(purpose)
    who = actor()
    query = {**query, "channel": "cli"}
    try:
        with open_db() as db:
            try:
                result = withhold(db, work(db), agency, hits=hits)
            except GraphsvcError as exc:
                audit.append_entry(db, actor=who, role="admin", action="consultation", purpose=purpose,
                                   query=query, person_ids=[], status=exc.status, actor_agency=agency)
                raise
            audit.append_entry(db, actor=who, role="admin", action="consultation", purpose=purpose,
                               query=query, person_ids=person_ids_in(result), status=200, actor_agency=agency)
    except GraphsvcError as exc:
        fail(exc, details=True)
    echo_json(result)
