"""``graphsvc export PERSON_ID --format FMT [--depth D] [-o FILE] --purpose TEXT`` and
``graphsvc export-cluster INCIDENT_ID... --format FMT [--depth D] [-o FILE] --purpose TEXT``.

A network export from the shell is a disclosure: it is written to the audit log (action
``disclosure``, actor ``cli:<os user>``, the purpose, the person ids it discloses) before a
byte of it is written out. An export whose audit entry cannot be written is not written.
``--for-agency CODE`` exports what a key of that agency would get (contract section 5).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from graphsvc.cli.common import actor, agency_option, fail, open_db, purpose_option, require_purpose
from graphsvc.errors import GraphsvcError
from graphsvc.export import FORMATS, MAX_DEPTH, render
from graphsvc.export.network import Network
from graphsvc.graph.db import Database
from graphsvc.security import audit
from graphsvc.services.exports import cluster_network, person_network

__all__ = ["COMMANDS"]

def _disclose(purpose: str, role: str, query: dict[str, Any], fmt: str, output: Path | None,
              network_of: Callable[[Database, str], Network],
              provenance: Callable[[dict[str, Any]], dict[str, Any]], agency: str | None) -> None:
    """Build the network (``network_of(db, actor)``) and render it, audit the disclosure (what
    ``provenance`` picks of the network's provenance joins ``query``), then write it out."""
    require_purpose(purpose)
    who = actor()
    try:
        with open_db() as db:
            try:
                network = network_of(db, who)
                content, _ = render(network, fmt)
            except GraphsvcError as exc:
                audit.append_entry(db, action="disclosure", actor=who, role=role, purpose=purpose, query=query,
                                   person_ids=[], status=exc.status, actor_agency=agency)
                raise
            audit.append_entry(db, action="disclosure", actor=who, role=role, purpose=purpose,
                               query={**query, **provenance(network.provenance)},
                               person_ids=list(network.provenance["person_ids"]), status=200,
                               actor_agency=agency)
    except GraphsvcError as exc:
        fail(exc)
    _emit(content, output, network.provenance)


@click.command("export")
@click.argument("person_id")
@click.option("--format", "fmt", required=True, type=click.Choice(list(FORMATS)),
              help="cytoscape, graphml, gexf, anx (i2), csv (zip), html, svg or png.")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(1, MAX_DEPTH),
              help="Steps between persons (each step: person -> incident/order/identifier -> person).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (default: standard output).")
@purpose_option
@click.option("--role", default="investigator", show_default=True,
              type=click.Choice(["investigator", "admin", "case_system"]),
              help="Whose view: redaction follows the role's permissions.")
@agency_option
def export_cmd(person_id: str, fmt: str, depth: int, output: Path | None, purpose: str, role: str,
               for_agency: str | None) -> None:
    """A person's network in a format investigators' tools read (audited disclosure)."""
    _disclose(purpose, role, {"op": "network_export", "person_id": person_id, "depth": depth, "format": fmt,
                              "channel": "cli"}, fmt, output,
              lambda db, who: person_network(db, person_id, depth, role, who, agency=for_agency),
              lambda prov: {"nodes": prov["node_count"], "truncated": prov["truncated"]}, for_agency)


@click.command("export-cluster")
@click.argument("incident_ids", nargs=-1, required=True)
@click.option("--format", "fmt", required=True, type=click.Choice(list(FORMATS)))
@click.option("--depth", default=1, show_default=True, type=click.IntRange(1, MAX_DEPTH))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path))
@purpose_option
@click.option("--role", default="investigator", show_default=True,
              type=click.Choice(["investigator", "admin", "case_system"]))
@agency_option
def export_cluster_cmd(incident_ids: tuple[str, ...], fmt: str, depth: int, output: Path | None,
                       purpose: str, role: str, for_agency: str | None) -> None:
    """An unidentified cluster (incident ids, e.g. from `graphsvc` pattern output or
    /patterns/unidentified) and its neighbourhood (audited disclosure)."""
    _disclose(purpose, role, {"op": "cluster_export", "incident_ids": sorted(incident_ids), "depth": depth,
                              "format": fmt, "channel": "cli"}, fmt, output,
              lambda db, who: cluster_network(db, list(incident_ids), depth, role, who, agency=for_agency),
              lambda prov: {"nodes": prov["node_count"]}, for_agency)


def _emit(content: bytes, output: Path | None, prov: dict[str, Any]) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(content)
        click.echo(f"wrote {output} ({len(content)} bytes, {prov['node_count']} nodes, "
                   f"{prov['edge_count']} edges{', truncated at the node cap' if prov['truncated'] else ''})",
                   err=True)


COMMANDS: tuple[click.Command, ...] = (export_cmd, export_cluster_cmd)
