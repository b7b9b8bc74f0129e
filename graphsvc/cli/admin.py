"""``graphsvc keys ...`` and ``graphsvc audit ...``: API keys and the audit log from the shell.

Key management is itself audited (action ``administration``, actor ``cli:<os user>``).
"""

from __future__ import annotations

import json
import sys

import click

from graphsvc.cli.common import actor, fail, open_db
from graphsvc.errors import GraphsvcError
from graphsvc.security import audit

__all__ = ["COMMANDS"]

ROLES = ("case_system", "investigator", "offender_manager", "admin")


@click.group("keys")
def keys() -> None:
    """API keys for the HTTP service (stored only as Argon2id hashes)."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", required=True, help="Who or what uses the key (unique among active keys).")
@click.option("--agency", default=None, help="The agency the key acts for (its records' source code, e.g. MPS); "
              "without it the key is national.")
def keys_create(role: str, name: str, agency: str | None) -> None:
    """Create a key and print it once (it cannot be shown again)."""
    from graphsvc.security import keys as auth  # heavy: argon2 (the module hashes a dummy key as it loads)

    try:
        with open_db() as db:
            token, public = auth.create_key(db, role=role, name=name, agency=agency)
            audit.append_entry(
                db, actor=actor(), role="admin", action="administration", purpose=None,
                query={"op": "key_created", "key_id": public["key_id"], "key_role": role, "name": name,
                       "key_agency": agency},
                person_ids=[], status="ok",
            )
    except GraphsvcError as exc:
        fail(exc)
    click.echo(token)
    click.echo(
        f"key {public['key_id']} ({role}, {name!r}, {agency or 'national'}) created; "
        "store it now: it is shown only once",
        err=True,
    )


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def keys_list(as_json: bool) -> None:
    """Every key: id, role, name, created, revoked (never a secret or hash)."""
    from graphsvc.security import keys as auth  # heavy: argon2 (the module hashes a dummy key as it loads)

    try:
        with open_db() as db:
            rows = auth.list_keys(db)
    except GraphsvcError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row.get("revoked_at") else "active"
        click.echo(f"{row['key_id']}  {row['role']:<16}  {row.get('agency') or 'national':<8}  {row['name']:<30}  "
                   f"{row['created_at']}  {state}")


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke a key (effective in every running service within its cache period, 30 s)."""
    from graphsvc.security import keys as auth  # heavy: argon2 (the module hashes a dummy key as it loads)

    try:
        with open_db() as db:
            revoked = auth.revoke_key(db, key_id)
            if revoked is None:
                click.echo(f"graphsvc: no active key {key_id}", err=True)
                sys.exit(1)
            audit.append_entry(
                db, actor=actor(), role="admin", action="administration", purpose=None,
                query={"op": "key_revoked", "key_id": key_id}, person_ids=[], status="ok",
            )
    except GraphsvcError as exc:
        fail(exc)
    click.echo(f"revoked {key_id}")


@click.group("audit")
def audit_group() -> None:
    """The audit log (DPA 2018 s.62)."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit status 1 and the first bad entry when it does not hold."""
    try:
        with open_db() as db:
            result = audit.verify(db)
    except GraphsvcError as exc:
        fail(exc)
    click.echo(json.dumps(result.as_dict(), indent=2))
    if not result.ok:
        click.echo(f"graphsvc: audit chain broken at entry {result.bad_seq}: {result.problem}", err=True)
        sys.exit(1)
    click.echo(
        f"audit chain intact: {result.entries} entries; head {result.head_seq} {result.head_hash} "
        "(record this hash elsewhere to anchor the chain)",
        err=True,
    )


@audit_group.command("list")
@click.option("--actor", "actor_name")
@click.option("--action")
@click.option("--person-id")
@click.option("--since", help="ISO 8601, UTC")
@click.option("--until", help="ISO 8601, UTC")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def audit_list(actor_name: str | None, action: str | None, person_id: str | None,
               since: str | None, until: str | None, limit: int) -> None:
    """Entries newest first, one JSON object per line."""
    try:
        with open_db() as db:
            entries = audit.find_entries(
                db, actor=actor_name, action=action, person_id=person_id, since=since, until=until, limit=limit
            )
    except GraphsvcError as exc:
        fail(exc)
    for entry in entries:
        click.echo(json.dumps(entry, ensure_ascii=False, default=str))


@audit_group.command("anomalies")
@click.option("--since", help="ISO 8601 date or date-time, UTC (default: 7 days ago)")
@click.option("--agency", help="Only the keys of this agency.")
def audit_anomalies(since: str | None, agency: str | None) -> None:
    """Keys whose reads are unusual (quota refusals, volume, reads unlinked to their purpose, own
    victims found by name search), each with its audit entries: one JSON object per line."""
    import datetime as dt

    from graphsvc.config import Settings  # heavy: argon2, with the two below (quota imports security.keys)
    from graphsvc.security.anomalies import find_anomalies  # heavy: argon2 (via security.quota)
    from graphsvc.security.quota import parse_quotas  # heavy: argon2 (via security.keys)

    start = since or (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).isoformat(timespec="microseconds")
    try:
        with open_db() as db:
            found = find_anomalies(db, since=start, agency=agency, quotas=parse_quotas(Settings.from_env().read_quotas))
    except GraphsvcError as exc:
        fail(exc)
    for anomaly in found["anomalies"]:
        click.echo(json.dumps(anomaly, ensure_ascii=False))
    click.echo(f"{len(found['anomalies'])} anomalies since {start}", err=True)


COMMANDS: tuple[click.Command, ...] = (keys, audit_group)
