"""``graphsvc subscriptions`` and ``graphsvc alerts`` (contract section 6, docs/alerts.md).

A subscription belongs to an API key and acts with its role and agency, so the commands that
make or read them name the key (``--key-id``). The secret is read from an environment variable
(``--secret-env``), never from the command line, where it would stay in the shell's history.
"""

from __future__ import annotations

import os
import sys
import time

from typing import TYPE_CHECKING

import click

from graphsvc.cli.common import actor, echo_json, fail, open_db, purpose_option, read_settings, require_purpose
from graphsvc.errors import GraphsvcError, NotFound
from graphsvc.graph.db import Database
from graphsvc.security import audit
from graphsvc.security.redaction import person_ids_in
from graphsvc.security.visibility import shown_to
from graphsvc.services import alerts as alert_service
from graphsvc.services.dispatch import Dispatcher

if TYPE_CHECKING:
    # heavy: argon2 (the module hashes a dummy key as it loads)
    from graphsvc.security.keys import Principal

__all__ = ["COMMANDS"]


def _principal(db: Database, key_id: str) -> Principal:
    from graphsvc.security.keys import principal_of  # heavy: argon2 (the module hashes a dummy key as it loads)

    who = principal_of(db, key_id)
    if who is None:
        raise NotFound(f"no active key {key_id}", {"field": "key_id"})
    return who


key_option = click.option("--key-id", required=True, help="The API key (its public id) the subscription acts for.")


@click.group("subscriptions")
def subscriptions_group() -> None:
    """Alert subscriptions: who is told what, where."""


@subscriptions_group.command("create")
@key_option
@click.option("--url", required=True, help="Where alerts are POSTed (http or https; loopback unless GRAPHSVC_ALERT_HOSTS).")
@click.option("--secret-env", required=True, metavar="VAR", help="The environment variable holding the HMAC secret.")
@click.option("--rule", "rules", multiple=True, required=True, type=click.Choice(alert_service.RULES))
@click.option("--person-id", "person_ids", multiple=True, help="A person to watch (watched_person) or to narrow to.")
@click.option("--min-victims", type=int, default=None, help="serial: the distinct victims that raise it (3).")
def subscriptions_create(key_id: str, url: str, secret_env: str, rules: tuple[str, ...], person_ids: tuple[str, ...],
                         min_victims: int | None) -> None:
    """Subscribe a key to alerts."""
    secret = os.environ.get(secret_env)
    if not secret:
        raise click.BadParameter(f"the environment variable {secret_env} is not set", param_hint="--secret-env")
    try:
        with open_db() as db:
            who = _principal(db, key_id)
            out = alert_service.subscribe(db, who, url=url, secret=secret, rules=rules, person_ids=person_ids,
                                          min_victims=min_victims, allowed_hosts=read_settings().alert_hosts)
            audit.append_entry(db, actor=actor(), role="admin", action="administration", purpose=None,
                               query={"op": "subscription_created", "subscription_id": out["id"], "key_id": key_id,
                                      "rules": list(rules), "person_ids": list(person_ids)},
                               person_ids=[], status="ok")
    except GraphsvcError as exc:
        fail(exc, details=True)
    echo_json(out)


@subscriptions_group.command("list")
@key_option
def subscriptions_list(key_id: str) -> None:
    """The key's subscriptions (an admin key's: its agency's)."""
    try:
        with open_db() as db:
            echo_json(alert_service.subscriptions(db, _principal(db, key_id)))
    except GraphsvcError as exc:
        fail(exc)


@subscriptions_group.command("delete")
@key_option
@click.argument("subscription_id")
def subscriptions_delete(key_id: str, subscription_id: str) -> None:
    """End a subscription: its alerts stop."""
    try:
        with open_db() as db:
            out = alert_service.unsubscribe(db, _principal(db, key_id), subscription_id)
            audit.append_entry(db, actor=actor(), role="admin", action="administration", purpose=None,
                               query={"op": "subscription_deleted", "subscription_id": subscription_id},
                               person_ids=[], status="ok")
    except GraphsvcError as exc:
        fail(exc)
    echo_json(out)


@click.group("alerts")
def alerts_group() -> None:
    """Alerts: read them, acknowledge them, deliver them."""


@alerts_group.command("list")
@key_option
@click.option("--subscription-id", default=None)
@click.option("--cursor", type=int, default=None)
@click.option("--limit", type=click.IntRange(1, 500), default=50)
@purpose_option
def alerts_list(key_id: str, subscription_id: str | None, cursor: int | None, limit: int, purpose: str) -> None:
    """The key's alerts, oldest first, as the key may read them (audited as a consultation)."""
    require_purpose(purpose)
    try:
        with open_db() as db:
            who = _principal(db, key_id)
            page = alert_service.alerts_page(db, who, subscription_id=subscription_id, cursor=cursor, limit=limit)
            shown = shown_to(db, page, who.role.value, who.agency)
            audit.append_entry(db, actor=actor(), role=who.role.value, action="consultation", purpose=purpose,
                               query={"op": "alerts_list", "key_id": key_id, "subscription_id": subscription_id},
                               person_ids=person_ids_in(shown), status="ok", actor_agency=who.agency)
    except GraphsvcError as exc:
        fail(exc)
    echo_json(shown)


@alerts_group.command("ack")
@key_option
@click.argument("alert_id")
@click.option("--note", required=True, help="What was done about it.")
def alerts_ack(key_id: str, alert_id: str, note: str) -> None:
    """Acknowledge an alert with a note."""
    try:
        with open_db() as db:
            who = _principal(db, key_id)
            out = alert_service.ack(db, who, alert_id, note)
            audit.append_entry(db, actor=actor(), role=who.role.value, action="alteration", purpose=None,
                               query={"op": "alert_ack", "alert_id": alert_id, "note": note},
                               person_ids=out["person_ids"], status="ok", actor_agency=who.agency)
    except GraphsvcError as exc:
        fail(exc)
    click.echo(f"acknowledged {alert_id}")


@alerts_group.command("dispatch")
@click.option("--once", is_flag=True, help="One round: send what is due now, wait for it, and stop.")
def alerts_dispatch(once: bool) -> None:
    """Deliver alerts in the foreground (a deployment without gunicorn's workers; several may
    run: they share one lease, and one delivers)."""
    settings = read_settings()
    try:
        with open_db(settings) as db:
            dispatcher = Dispatcher(db, settings)
            try:
                if once:
                    sent = dispatcher.poll()
                    while not dispatcher.idle():
                        time.sleep(0.05)
                    click.echo(f"sent {sent} alert(s)", err=True)
                    return
                click.echo("dispatching alerts; Ctrl-C stops", err=True)
                while True:
                    try:
                        dispatcher.poll()
                    except GraphsvcError as exc:
                        click.echo(f"graphsvc: {exc.message}", err=True)
                    time.sleep(max(0.05, settings.alert_poll_s))
            finally:
                dispatcher.stop()
    except KeyboardInterrupt:
        sys.exit(0)
    except GraphsvcError as exc:
        fail(exc)


COMMANDS = [subscriptions_group, alerts_group]
