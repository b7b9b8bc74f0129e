"""A content fingerprint of the register graph: counts and a SHA-256 over a canonical form.

Two graphs with the same fingerprint hold the same nodes (labels and properties) and the same
relationships (type, properties and the keys of their ends). Used to prove that an interrupted
and re-run load, or a dump loaded into an empty database, gives exactly the same graph.
Reads the whole graph: for tests, audits and admin checks, not for request paths.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from graphsvc.graph.db import Database

__all__ = ["Fingerprint", "fingerprint"]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


@dataclass(frozen=True)
class Fingerprint:
    nodes: int
    relationships: int
    labels: dict[str, int]
    types: dict[str, int]
    sha256: str


def fingerprint(db: Database) -> Fingerprint:
    nodes = sorted(
        json.dumps([sorted(row["labels"]), _plain(row["props"])], sort_keys=True)
        for row in db.read("list_graph_nodes")
    )
    rels = sorted(
        json.dumps(
            [row["type"], _plain(row["props"]), sorted(row["from_labels"]), row["from_key"],
             sorted(row["to_labels"]), row["to_key"]],
            sort_keys=True,
        )
        for row in db.read("list_graph_relationships")
    )
    digest = hashlib.sha256()
    for line in nodes + ["--"] + rels:
        digest.update(line.encode())
        digest.update(b"\n")
    labels: dict[str, int] = {}
    for line in nodes:
        for label in json.loads(line)[0]:
            labels[label] = labels.get(label, 0) + 1
    types: dict[str, int] = {}
    for line in rels:
        kind = json.loads(line)[0]
        types[kind] = types.get(kind, 0) + 1
    return Fingerprint(len(nodes), len(rels), dict(sorted(labels.items())), dict(sorted(types.items())), digest.hexdigest())
