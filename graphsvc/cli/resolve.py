"""``graphsvc resolve`` and ``graphsvc links``: identity resolution and the person in the loop.

``graphsvc resolve [--threshold P] [--model PATH] [--train]`` resolves the whole register;
``graphsvc resolve --incremental --person ID ... | --from FILE`` scores only those persons
against their candidates. ``graphsvc links confirm|reject|undo A B --reason TEXT --purpose TEXT``
records a decision; ``graphsvc links list [--status S] [--person ID] --purpose TEXT`` lists links.
Every command prints JSON and is audited (actor ``cli:<os user>``, role ``admin``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from graphsvc.cli.common import actor, echo_json, fail, open_db, read_settings, require_purpose
from graphsvc.errors import GraphsvcError
from graphsvc.security import audit
from graphsvc.services import resolution as resolve

__all__ = ["COMMANDS"]

#: exit statuses of the link commands by the error's HTTP status (else 2): no such person or
#: link, and a decision that conflicts with the link's state
EXIT_CODES = {404: 4, 409: 5}


def _out_of_memory(exc: BaseException | None) -> bool:
    """True if ``exc`` or what caused it is DuckDB running out of its memory limit."""
    import duckdb  # heavy: duckdb, only once a full resolve has failed

    while exc is not None:
        if isinstance(exc, (MemoryError, duckdb.OutOfMemoryException)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _ids_from(path: Path) -> list[str]:
    """Person ids in a JSON Lines file of records (what ``graphsvc load`` read)."""
    ids: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                raise click.BadParameter(f"line {n} is not JSON", param_hint="--from") from None
            if isinstance(rec, dict) and rec.get("kind") == "person" and isinstance(rec.get("id"), str):
                ids.append(rec["id"])
    return ids


@click.command("resolve")
@click.option("--threshold", "floor", default=0.5, show_default=True, type=click.FloatRange(0.0, 1.0),
              help="Write proposals that pass the link rule at or above this probability.")
@click.option("--model", "model_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A saved LinkageModel (default: the register's trained model, else the packaged one).")
@click.option("--train", is_flag=True, help="Train on the register first and save the model under GRAPHSVC_HOME.")
@click.option("--incremental", is_flag=True, help="Score only --person / --from persons against candidates.")
@click.option("--person", "person_ids", multiple=True, help="A person id to resolve (with --incremental).")
@click.option("--from", "from_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Resolve the persons of this JSON Lines file (with --incremental).")
@click.option("--purpose", default=None, help="Why (kept in the audit log).")
def resolve_cmd(floor: float, model_file: Path | None, train: bool, incremental: bool,
                person_ids: tuple[str, ...], from_file: Path | None, purpose: str | None) -> None:
    """Link records that are probably the same person (POSSIBLY_SAME_AS)."""
    if incremental and train:
        raise click.UsageError("--train needs a full run; drop --incremental")
    ids = [*person_ids, *(_ids_from(from_file) if from_file else [])]
    if incremental and not ids:
        raise click.UsageError("--incremental needs --person ID or --from FILE")
    if ids and not incremental:
        raise click.UsageError("--person and --from go with --incremental")
    settings = read_settings()
    try:
        with open_db(settings) as db:
            if train:
                from graphsvc.linkage import train_model  # heavy: splink and duckdb

                persons, _ = resolve._prepared(resolve.fetch_persons(db))
                if len(persons) < 10:
                    raise click.UsageError("too few persons on the register to train a model (need 10)")
                model = train_model(persons)
                path = resolve.model_path(settings)
                path.parent.mkdir(parents=True, exist_ok=True)
                model.save(path)
                loaded = resolve.LoadedModel.of(model, "register")
                click.echo(f"trained on {len(persons)} persons; saved {path}", err=True)
            else:
                loaded = resolve.load_model(settings, model_file)
            if incremental:
                out = resolve.resolve_persons(db, ids, loaded, floor=floor, actor=actor(),
                                              purpose=purpose or "identity resolution (incremental)")
            else:
                memory = settings.resolve_memory
                try:
                    out = resolve.resolve_all(db, loaded, floor=floor, actor=actor(),
                                              purpose=purpose or "identity resolution (full)",
                                              memory_limit=memory)
                except Exception as exc:
                    if not _out_of_memory(exc):
                        raise
                    raise click.ClickException(
                        f"resolve ran out of memory within its limit ({memory}): set GRAPHSVC_RESOLVE_MEMORY "
                        "higher (e.g. 6GB); nothing was written") from exc
    except GraphsvcError as exc:
        fail(exc, details=True, exit_codes=EXIT_CODES)
    echo_json(out)


@click.group("links")
def links() -> None:
    """Decide on identity links: confirm, reject, undo; list them."""


def _decide(decision: str, a: str, b: str, reason: str, purpose: str) -> None:
    require_purpose(purpose)
    try:
        with open_db() as db:
            out = resolve.decide(db, a, b, decision, actor=actor(), role="admin", reason=reason,
                                 purpose=purpose.strip())
    except GraphsvcError as exc:
        fail(exc, details=True, exit_codes=EXIT_CODES)
    echo_json(out)


_reason = click.option("--reason", required=True, help="Why (kept on the link and in the audit log).")
_purpose = click.option("--purpose", required=True, help="The justification, e.g. a case reference.")


def _decision(decision: str, help_text: str) -> click.Command:
    """``graphsvc links DECISION A B --reason TEXT --purpose TEXT``."""

    @click.command(decision, help=help_text)
    @click.argument("a")
    @click.argument("b")
    @_reason
    @_purpose
    def command(a: str, b: str, reason: str, purpose: str) -> None:
        _decide(decision, a, b, reason, purpose)

    return command


for _command in (
    _decision("confirm", "Confirm that A and B are the same person (counted as one perpetrator)."),
    _decision("reject", "Reject the link: A and B are different people (never counted together)."),
    _decision("undo", "Undo a decision: the link is a proposal again."),
):
    links.add_command(_command)


@links.command("list")
@click.option("--status", type=click.Choice(["proposed", "confirmed", "rejected"]), default=None)
@click.option("--person", "person_id", default=None, help="Only links of this person.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--cursor", default=None, help="next_cursor of the previous page.")
@_purpose
def list_cmd(status: str | None, person_id: str | None, limit: int, cursor: str | None, purpose: str) -> None:
    """Identity links with their status, probability and evidence."""
    require_purpose(purpose)
    after = tuple(cursor.split("|", 1)) if cursor and "|" in cursor else None
    try:
        with open_db() as db:
            out = resolve.list_links(db, status=status, person_id=person_id, limit=limit,
                                     after=after)  # type: ignore[arg-type]
            ids = sorted({p for link in out["links"] for p in (link["a"], link["b"])})
            audit.append_entry(db, actor=actor(), role="admin", action="consultation", purpose=purpose.strip(),
                               query={"op": "links_list", "status": status, "person_id": person_id,
                                      "channel": "cli"}, person_ids=ids, status=200)
    except GraphsvcError as exc:
        fail(exc, details=True, exit_codes=EXIT_CODES)
    echo_json(out)


COMMANDS: tuple[click.Command, ...] = (resolve_cmd, links)
