"""``graphsvc review due`` and ``graphsvc review decide`` (contract section 8, docs/retention.md):
the records due for retention review, and the decision on one, as the API's ``/review`` does.
``due`` is audited as a consultation with ``--purpose``; ``decide`` as an alteration (retain) or
an erasure (dispose: the kind, id, source and reason, never the content), refused or not.
``--for-agency CODE`` acts as an admin of that agency: its own records only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from graphsvc.analysis.retention import KINDS
from graphsvc.cli.common import actor, agency_option, consult, echo_json, fail, open_db, purpose_option, require_purpose
from graphsvc.errors import Forbidden, GraphsvcError
from graphsvc.security import audit
from graphsvc.services import LIMIT_CAP
from graphsvc.services import review as review_service

__all__ = ["COMMANDS"]


@click.group("review")
def review_group() -> None:
    """Retention review: what is due, and retain or dispose."""


@review_group.command("due")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Records due on or before this day (default today).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, LIMIT_CAP))
@click.option("--cursor", default=None, help="The next_cursor of the previous page.")
@purpose_option
@agency_option
def review_due(before: dt.datetime | None, limit: int, cursor: str | None, purpose: str,
               for_agency: str | None) -> None:
    """Records due for review, earliest first, each with what holds it."""
    day = before.date() if before else None
    consult(purpose, {"op": "review_due", "before": day.isoformat() if day else None, "agency": for_agency,
                      "limit": limit},
            lambda db: review_service.due(db, day, for_agency, cursor=cursor, limit=limit), for_agency)


@review_group.command("decide")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("record_id")
@click.argument("decision", type=click.Choice(review_service.DECISIONS))
@click.option("--reason", required=True, help="Why (kept with the record, or in the erasure's audit entry).")
@click.option("--next-review-on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="With retain: the next review.")
@purpose_option
@agency_option
def review_decide(kind: str, record_id: str, decision: str, reason: str, next_review_on: dt.datetime | None,
                  purpose: str, for_agency: str | None) -> None:
    """Retain or dispose of one record."""
    require_purpose(purpose)
    who = actor()
    action = "erasure" if decision == "dispose" else "alteration"
    query = {"op": "review", "channel": "cli", "kind": kind, "id": record_id, "decision": decision,
             "reason": reason}
    try:
        with open_db() as db:
            try:
                held = review_service.subject(db, kind, record_id)
                query["source"] = held["source"]
                if for_agency is not None and held["source"] != for_agency:
                    raise Forbidden(f"a key of {for_agency} may not act on {kind} {record_id} of {held['source']}")
                ids = [record_id] if kind == "person" else []

                def entry(effect: Any = None) -> None:
                    audit.append_entry(db, actor=who, role="admin", action=action, purpose=purpose, query=query,
                                       person_ids=ids, status=200, actor_agency=for_agency, effect=effect)

                # a disposal and its erasure entry in one transaction; a retain is audited after it
                out = review_service.decide(db, kind, record_id, decision, reason, who,
                                            next_review_on=next_review_on.date() if next_review_on else None,
                                            held=held, log=entry if decision == "dispose" else None)
            except GraphsvcError as exc:
                audit.append_entry(db, actor=who, role="admin", action=action, purpose=purpose, query=query,
                                   person_ids=[], status=exc.status, actor_agency=for_agency)
                raise
            if decision == "retain":
                entry()
    except GraphsvcError as exc:
        fail(exc, details=True)
    echo_json(out)


@review_group.command("reschedule")
def review_reschedule() -> None:
    """Work every record's scheduled review out again with the configured schedule (after
    changing GRAPHSVC_REVIEW_SCHEDULE, and once on a register written before reviews were kept)."""
    try:
        with open_db() as db:
            out = review_service.reschedule(db)
            audit.append_entry(db, actor=actor(), role="admin", action="administration", purpose=None,
                               query={"op": "review_reschedule", "channel": "cli", **out["records"]},
                               person_ids=[], status=200)
    except GraphsvcError as exc:
        fail(exc)
    echo_json(out)


COMMANDS: tuple[click.Command, ...] = (review_group,)
