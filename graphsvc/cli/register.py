"""``graphsvc register show ID``, ``graphsvc register overdue`` and ``graphsvc register refresh`` (contract section 7,
docs/register.md): one person's registrations, notifications and duties, and the overdue
worklist, longest overdue first. Each is audited as a consultation with ``--purpose``;
``--for-agency CODE`` answers as a key of that agency reads it (a notification's home address,
station and reference withheld unless that agency manages the registration), and ``overdue``
then lists that agency's registrations unless ``--agency`` names another.
"""

from __future__ import annotations

import click

from graphsvc.cli.common import actor, agency_option, consult, echo_json, fail, open_db, purpose_option
from graphsvc.errors import GraphsvcError
from graphsvc.security import audit
from graphsvc.services import LIMIT_CAP
from graphsvc.services import register as register_service

__all__ = ["COMMANDS"]


@click.group("register")
def register_group() -> None:
    """The register: registered persons, their duties, the overdue worklist."""


@register_group.command("show")
@click.argument("person_id")
@purpose_option
@agency_option
def register_show(person_id: str, purpose: str, for_agency: str | None) -> None:
    """A person's registrations, notifications, duties and flags."""
    consult(purpose, {"op": "register_show", "person_id": person_id},
            lambda db: register_service.register_person(db, person_id), for_agency)


@register_group.command("overdue")
@click.option("--agency", default=None, metavar="CODE", help="The managing agency (default: --for-agency's, "
                                                               "else the nation's).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, LIMIT_CAP))
@click.option("--cursor", default=None, help="The next_cursor of the previous page.")
@purpose_option
@agency_option
def register_overdue(agency: str | None, limit: int, cursor: str | None, purpose: str, for_agency: str | None) -> None:
    """Registrations whose due notification's last day has passed, longest overdue first."""
    consult(purpose, {"op": "register_overdue", "agency": agency or for_agency, "limit": limit},
            lambda db: register_service.overdue(db, agency or for_agency, cursor=cursor, limit=limit), for_agency)


@register_group.command("refresh")
def register_refresh() -> None:
    """Work every registration's due duty out again with the configured periods (after changing
    GRAPHSVC_REGISTER_NOTIFY_DAYS or GRAPHSVC_REGISTER_ANNUAL_MONTHS)."""
    try:
        with open_db() as db:
            out = register_service.refresh(db)
            audit.append_entry(db, actor=actor(), role="admin", action="administration", purpose=None,
                               query={"op": "register_refresh", "channel": "cli", **out}, person_ids=[], status=200)
    except GraphsvcError as exc:
        fail(exc)
    echo_json(out)


COMMANDS: tuple[click.Command, ...] = (register_group,)
