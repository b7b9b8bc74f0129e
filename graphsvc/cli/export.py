"""``graphsvc export PERSON_ID --format FMT [--depth D] [-o FILE] --purpose TEXT`` and
``graphsvc export-cluster INCIDENT_ID... --format FMT [--depth D] [-o FILE] --purpose TEXT``.

A network export from the shell is a disclosure: it is written to the audit log (action
``disclosure``, actor ``cli:<os user>``, the purpose, the person ids it discloses) before a
byte of it is written out. An export whose audit entry cannot be written is not written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from graphsvc.errors import GraphsvcError

__all__ = ["register"]


def _actor() -> str:
    from graphsvc.security.audit import cli_actor

    return cli_actor()


def _audit(db: Any, **fields: Any) -> None:
    from graphsvc.security import audit

    audit.append_entry(db, action="disclosure", **fields)


def register(main: click.Group) -> None:
    """Attach ``export`` to ``main``."""
    from graphsvc.export import FORMATS, MAX_DEPTH

    @main.command("export")
    @click.argument("person_id")
    @click.option("--format", "fmt", required=True, type=click.Choice(list(FORMATS)),
                  help="cytoscape, graphml, gexf, anx (i2), csv (zip), html, svg or png.")
    @click.option("--depth", default=1, show_default=True, type=click.IntRange(1, MAX_DEPTH),
                  help="Steps between persons (each step: person -> incident/order/identifier -> person).")
    @click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write here (default: standard output).")
    @click.option("--purpose", required=True, help="Why (e.g. a case reference): kept in the audit log.")
    @click.option("--role", default="investigator", show_default=True,
                  type=click.Choice(["investigator", "admin", "case_system"]),
                  help="Whose view: redaction follows the role's permissions.")
    def export_cmd(person_id: str, fmt: str, depth: int, output: Path | None, purpose: str,
                   role: str) -> None:
        """A person's network in a format investigators' tools read (audited disclosure)."""
        from graphsvc.cli import open_db
        from graphsvc.export import render
        from graphsvc.services.exports import person_network

        if not purpose.strip():
            raise click.BadParameter("a purpose is required", param_hint="--purpose")
        actor = _actor()
        query = {"op": "network_export", "person_id": person_id, "depth": depth, "format": fmt,
                 "channel": "cli"}
        try:
            with open_db() as db:
                try:
                    network = person_network(db, person_id, depth, role, actor)
                    content, _ = render(network, fmt)
                except GraphsvcError as exc:
                    _audit(db, actor=actor, role=role, purpose=purpose, query=query, person_ids=[],
                           status=exc.status)
                    raise
                ids = list(network.provenance["person_ids"])
                _audit(db, actor=actor, role=role, purpose=purpose,
                       query={**query, "nodes": network.provenance["node_count"],
                              "truncated": network.provenance["truncated"]},
                       person_ids=ids, status=200)
        except GraphsvcError as exc:
            click.echo(f"graphsvc: {exc.message}", err=True)
            sys.exit(2)
        _emit(content, output, network.provenance)

    @main.command("export-cluster")
    @click.argument("incident_ids", nargs=-1, required=True)
    @click.option("--format", "fmt", required=True, type=click.Choice(list(FORMATS)))
    @click.option("--depth", default=1, show_default=True, type=click.IntRange(1, MAX_DEPTH))
    @click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--purpose", required=True, help="Why (e.g. a case reference): kept in the audit log.")
    @click.option("--role", default="investigator", show_default=True,
                  type=click.Choice(["investigator", "admin", "case_system"]))
    def export_cluster_cmd(incident_ids: tuple[str, ...], fmt: str, depth: int, output: Path | None,
                           purpose: str, role: str) -> None:
        """An unidentified cluster (incident ids, e.g. from `graphsvc` pattern output or
        /patterns/unidentified) and its neighbourhood (audited disclosure)."""
        from graphsvc.cli import open_db
        from graphsvc.export import render
        from graphsvc.services.exports import cluster_network

        if not purpose.strip():
            raise click.BadParameter("a purpose is required", param_hint="--purpose")
        actor = _actor()
        query = {"op": "cluster_export", "incident_ids": sorted(incident_ids), "depth": depth,
                 "format": fmt, "channel": "cli"}
        try:
            with open_db() as db:
                try:
                    network = cluster_network(db, list(incident_ids), depth, role, actor)
                    content, _ = render(network, fmt)
                except GraphsvcError as exc:
                    _audit(db, actor=actor, role=role, purpose=purpose, query=query, person_ids=[],
                           status=exc.status)
                    raise
                _audit(db, actor=actor, role=role, purpose=purpose,
                       query={**query, "nodes": network.provenance["node_count"]},
                       person_ids=list(network.provenance["person_ids"]), status=200)
        except GraphsvcError as exc:
            click.echo(f"graphsvc: {exc.message}", err=True)
            sys.exit(2)
        _emit(content, output, network.provenance)


def _emit(content: bytes, output: Path | None, prov: dict[str, Any]) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(content)
        click.echo(f"wrote {output} ({len(content)} bytes, {prov['node_count']} nodes, "
                   f"{prov['edge_count']} edges{', truncated at the node cap' if prov['truncated'] else ''})",
                   err=True)
