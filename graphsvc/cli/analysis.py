"""Analysis commands of ``graphsvc`` (JSON on standard output), each audited as a consultation.

``graphsvc check --subject JSON [--complainant ID]``, ``graphsvc fixation ID``,
``graphsvc linked-victims ID``, ``graphsvc serial [--min-victims N]``, ``graphsvc unidentified``,
``graphsvc search Q``; every one needs ``--purpose TEXT`` (kept in the audit log with actor
``cli:<os user>``, role ``admin`` and the person ids the answer names).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from graphsvc.errors import GraphsvcError

__all__ = ["register"]


def _actor() -> str:
    from graphsvc.security.audit import cli_actor

    return cli_actor()


def _person_ids(payload: Any) -> list[str]:
    from graphsvc.security.redaction import person_ids_in

    return person_ids_in(payload)


def _run(purpose: str, query: dict[str, Any], work: Callable[[Any], dict[str, Any]]) -> None:
    """Open the database, run ``work(db)``, audit the consultation, print the JSON answer."""
    from graphsvc.cli import open_db

    if not purpose.strip():
        raise click.BadParameter("a purpose is required", param_hint="--purpose")
    from graphsvc.security import audit

    actor = _actor()
    query = {**query, "channel": "cli"}
    try:
        with open_db() as db:
            try:
                result = work(db)
            except GraphsvcError as exc:
                audit.append_entry(db, actor=actor, role="admin", action="consultation", purpose=purpose,
                                   query=query, person_ids=[], status=exc.status)
                raise
            audit.append_entry(db, actor=actor, role="admin", action="consultation", purpose=purpose,
                               query=query, person_ids=_person_ids(result), status=200)
    except GraphsvcError as exc:
        click.echo(f"graphsvc: {exc.message}", err=True)
        if exc.details:
            click.echo(json.dumps(exc.details, default=str), err=True)
        sys.exit(2)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))


_purpose = click.option("--purpose", required=True, help="Why (e.g. a case reference): kept in the audit log.")


def register(main: click.Group) -> None:
    """Attach the analysis commands to ``main``."""
    from graphsvc import services

    @main.command("check")
    @click.option("--subject", "subject_json", required=True,
                  help='The subject as JSON, e.g. \'{"given_name": "Dan", "phones": ["07700 900123"]}\'.')
    @click.option("--complainant", default=None, help="The complainant's person id, if on the register.")
    @click.option("--limit", default=10, show_default=True, type=click.IntRange(1, services.CHECK_LIMIT_CAP))
    @_purpose
    def check_cmd(subject_json: str, complainant: str | None, limit: int, purpose: str) -> None:
        """Is this subject on the register? Matches best first, with orders and flags."""
        try:
            subject = json.loads(subject_json)
        except ValueError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--subject") from None
        if not isinstance(subject, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--subject")
        fields = sorted(k for k, v in subject.items() if v)
        _run(purpose, {"op": "check", "subject_fields": fields, "complainant_id": complainant},
             lambda db: services.check(db, subject, complainant_id=complainant, limit=limit))

    @main.command("fixation")
    @click.argument("person_id")
    @_purpose
    def fixation_cmd(person_id: str, purpose: str) -> None:
        """Per-victim fixation and the cross-victim pattern of a person."""
        _run(purpose, {"op": "fixation", "person_id": person_id}, lambda db: services.fixation(db, person_id))

    @main.command("linked-victims")
    @click.argument("person_id")
    @_purpose
    def linked_cmd(person_id: str, purpose: str) -> None:
        """Victims linked to this person's victimisation, and how."""
        _run(purpose, {"op": "linked_victims", "person_id": person_id},
             lambda db: services.linked_victims(db, person_id))

    @main.command("serial")
    @click.option("--min-victims", default=2, show_default=True, type=click.IntRange(1, 1000))
    @click.option("--agency", default=None, help="Only incidents this agency reported.")
    @click.option("--since", default=None, type=click.DateTime(["%Y-%m-%d"]), help="Incidents on or after (YYYY-MM-DD).")
    @click.option("--until", default=None, type=click.DateTime(["%Y-%m-%d"]), help="Incidents before (YYYY-MM-DD).")
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, services.LIMIT_CAP))
    @click.option("--cursor", default=None, help="next_cursor of the previous page.")
    @_purpose
    def serial_cmd(min_victims: int, agency: str | None, since: dt.datetime | None, until: dt.datetime | None,
                   limit: int, cursor: str | None, purpose: str) -> None:
        """Persons with at least N distinct victims, highest risk first."""
        s, u = (since.date() if since else None), (until.date() if until else None)
        _run(purpose, {"op": "serial", "min_victims": min_victims, "agency": agency, "since": str(s) if s else None,
                       "until": str(u) if u else None, "limit": limit},
             lambda db: services.serial(db, min_victims=min_victims, agency=agency, since=s, until=u, limit=limit,
                                        cursor=cursor))

    @main.command("unidentified")
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, services.LIMIT_CAP))
    @click.option("--cursor", default=None, help="next_cursor of the previous page.")
    @_purpose
    def unidentified_cmd(limit: int, cursor: str | None, purpose: str) -> None:
        """Clusters of incidents with no identified perpetrator, joined by shared identifiers."""
        _run(purpose, {"op": "unidentified", "limit": limit},
             lambda db: services.unidentified(db, limit=limit, cursor=cursor))

    @main.command("search")
    @click.argument("q")
    @click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
    @_purpose
    def search_cmd(q: str, limit: int, purpose: str) -> None:
        """Persons by name (fuzzy) or identifier (exact, normalised)."""
        _run(purpose, {"op": "search", "q": q, "limit": limit}, lambda db: services.search(db, q, limit=limit))
