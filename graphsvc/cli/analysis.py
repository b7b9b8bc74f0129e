"""Analysis commands of ``graphsvc`` (JSON on standard output), each audited as a consultation.

``graphsvc check --subject JSON [--complainant ID]``, ``graphsvc fixation ID``,
``graphsvc linked-victims ID``, ``graphsvc serial [--min-victims N]``, ``graphsvc unidentified``,
``graphsvc search Q``; every one needs ``--purpose TEXT`` (kept in the audit log with actor
``cli:<os user>``, role ``admin`` and the person ids the answer names). ``--for-agency CODE``
answers as a key of that agency reads it (contract section 5, the API's own
:func:`~graphsvc.security.visibility.withhold`), and the audit entry names the agency.
"""

from __future__ import annotations

import datetime as dt
import json

import click

from graphsvc import services
from graphsvc.cli.common import agency_option, consult, purpose_option
from graphsvc.graph.db import Database

__all__ = ["COMMANDS"]


def _jobs(db: Database) -> services.JobCache:
    """The register-wide answers' cache of one command (it waits for the answer)."""
    return services.JobCache(ttl_s=db.settings.pattern_cache_s, wait_s=None)


@click.command("check")
@click.option("--subject", "subject_json", required=True,
              help='The subject as JSON, e.g. \'{"given_name": "Dan", "phones": ["07700 900123"]}\'.')
@click.option("--complainant", default=None, help="The complainant's person id, if on the register.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, services.CHECK_LIMIT_CAP))
@purpose_option
@agency_option
def check_cmd(subject_json: str, complainant: str | None, limit: int, purpose: str, for_agency: str | None) -> None:
    """Is this subject on the register? Matches best first, with orders and flags."""
    try:
        subject = json.loads(subject_json)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--subject") from None
    if not isinstance(subject, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--subject")
    fields = sorted(k for k, v in subject.items() if v)
    consult(purpose, {"op": "check", "subject_fields": fields, "complainant_id": complainant},
         lambda db: services.check(db, subject, complainant_id=complainant, limit=limit), for_agency)


@click.command("fixation")
@click.argument("person_id")
@purpose_option
@agency_option
def fixation_cmd(person_id: str, purpose: str, for_agency: str | None) -> None:
    """Per-victim fixation and the cross-victim pattern of a person."""
    consult(purpose, {"op": "fixation", "person_id": person_id}, lambda db: services.fixation(db, person_id),
         for_agency)


@click.command("linked-victims")
@click.argument("person_id")
@purpose_option
@agency_option
def linked_cmd(person_id: str, purpose: str, for_agency: str | None) -> None:
    """Victims linked to this person's victimisation, and how."""
    consult(purpose, {"op": "linked_victims", "person_id": person_id},
         lambda db: services.linked_victims(db, person_id), for_agency)


@click.command("serial")
@click.option("--min-victims", default=2, show_default=True, type=click.IntRange(1, 1000))
@click.option("--agency", default=None, help="Only incidents this agency reported.")
@click.option("--since", default=None, type=click.DateTime(["%Y-%m-%d"]), help="Incidents on or after (YYYY-MM-DD).")
@click.option("--until", default=None, type=click.DateTime(["%Y-%m-%d"]), help="Incidents before (YYYY-MM-DD).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, services.LIMIT_CAP))
@click.option("--cursor", default=None, help="next_cursor of the previous page.")
@purpose_option
@agency_option
def serial_cmd(min_victims: int, agency: str | None, since: dt.datetime | None, until: dt.datetime | None,
               limit: int, cursor: str | None, purpose: str, for_agency: str | None) -> None:
    """Persons with at least N distinct victims, highest risk first."""
    s, u = (since.date() if since else None), (until.date() if until else None)
    consult(purpose, {"op": "serial", "min_victims": min_victims, "agency": agency, "since": str(s) if s else None,
                   "until": str(u) if u else None, "limit": limit},
         lambda db: services.serial(db, min_victims=min_victims, agency=agency, since=s, until=u, limit=limit,
                                    cursor=cursor, jobs=_jobs(db)), for_agency)


@click.command("unidentified")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, services.LIMIT_CAP))
@click.option("--cursor", default=None, help="next_cursor of the previous page.")
@purpose_option
@agency_option
def unidentified_cmd(limit: int, cursor: str | None, purpose: str, for_agency: str | None) -> None:
    """Clusters of incidents with no identified perpetrator, joined by shared identifiers."""
    consult(purpose, {"op": "unidentified", "limit": limit},
         lambda db: services.unidentified(db, limit=limit, cursor=cursor, jobs=_jobs(db)), for_agency)


@click.command("search")
@click.argument("q")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
@purpose_option
@agency_option
def search_cmd(q: str, limit: int, purpose: str, for_agency: str | None) -> None:
    """Persons by name (fuzzy) or identifier (exact, normalised)."""
    consult(purpose, {"op": "search", "q": q, "limit": limit}, lambda db: services.search(db, q, limit=limit),
         for_agency, hits="drop")


COMMANDS: tuple[click.Command, ...] = (check_cmd, fixation_cmd, linked_cmd, serial_cmd, unidentified_cmd,
                                       search_cmd)
