"""The importer's file format (``graphsvc load --bulk``): each node label's typed columns, a
CSV cell as ``neo4j-admin database import`` reads it, the files with their headers, and the
manifest of a folder of them (:class:`ImportFiles`). What goes into the files is
:mod:`graphsvc.repository.bulk`'s."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from graphsvc.graph.importer import ARRAY_DELIMITER

__all__ = ["NODE_COLUMNS", "S", "CsvFile", "ImportFiles", "NodeFile", "cell", "quoted"]


# Each node file's columns: (property, importer type); the first is the node's key (its :ID).
S, _D, _T, _B, _L, _N = "string", "date", "datetime", "boolean", "string[]", "long"
NODE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "Person": (("id", "ID"), ("source", S), ("given_name", S), ("family_name", S), ("aliases", _L),
               ("aliases_text", S), ("dob", _D), ("gender", S), ("name_key", S), ("family_key", S),
               ("first_recorded_on", _D), ("review_scheduled", _D), ("review_on", _D), ("placeholder", _B)),
    "Incident": (("id", "ID"), ("source", S), ("occurred_precision", S), ("type", S), ("outcome", S),
                 ("description", S), ("occurred_at", _T), ("reported_at", _T), ("review_scheduled", _D),
                 ("review_on", _D)),
    "Order": (("id", "ID"), ("source", S), ("type", S), ("issued_on", _D), ("expires_on", _D),
              ("conditions", S), ("review_scheduled", _D), ("review_on", _D), ("placeholder", _B)),
    "Registration": (("id", "ID"), ("source", S), ("basis", S), ("start_on", _D), ("end_on", _D),
                     ("managing_agency", S), ("manager", S), ("review_scheduled", _D), ("review_on", _D),
                     ("managed_by", S), ("due_duty", S), ("due_on", _D), ("placeholder", _B)),
    "Notification": (("id", "ID"), ("source", S), ("type", S), ("notified_on", _D), ("changed_on", _D),
                     ("station", S), ("reference", S), ("given_names", _L), ("family_names", _L),
                     ("name_keys", _L), ("home_line1", S), ("home_town", S), ("home_postcode", S),
                     ("home_key", S), ("review_scheduled", _D), ("review_on", _D)),
    "Phone": (("value", "ID"),),
    "Email": (("value", "ID"),),
    "Vehicle": (("value", "ID"),),
    "Handle": (("value", "ID"), ("platform", S), ("handle", S)),
    "Address": (("key", "ID"), ("line1", S), ("town", S), ("postcode", S)),
    "Agency": (("code", "ID"),),
    "SchemaMigration": (("id", S), ("applied_at", _T)),
    "RegisterVersion": (("id", S), ("n", _N)),
}

def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def cell(value: Any, kind: str) -> str:
    """One CSV cell as the importer reads it: an empty cell is no property, a quoted one a string."""
    if value is None:
        return ""
    if kind in ("string", "ID"):
        return quoted(value)
    if kind in ("date", "datetime"):
        return value if isinstance(value, str) else value.isoformat()
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "long":
        return str(int(value))
    return quoted(ARRAY_DELIMITER.join(value))


def _list_fits(items: Sequence[str]) -> bool:
    """Whether the importer reads this list back as it is (not empty, not one empty string, no
    item holding the delimiter)."""
    return bool(items) and items != [""] and not any(ARRAY_DELIMITER in item for item in items)


class CsvFile:
    """One importer input file with its header; remembers whether a value spans lines (such files
    are named to the importer's --multiline-fields, which parses them more slowly)."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self.handle: IO[str] = path.open("w", encoding="utf-8", newline="")
        self.handle.write(",".join(header) + "\n")
        self.rows = 0
        self.multiline = False

    def write(self, cells: Iterable[str]) -> None:
        line = ",".join(cells)
        if not self.multiline and ("\n" in line or "\r" in line):
            self.multiline = True
        self.handle.write(line + "\n")
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


class NodeFile(CsvFile):
    def __init__(self, path: Path, label: str) -> None:
        self.label = label
        self.columns = NODE_COLUMNS[label]
        self.known = {name for name, _ in self.columns}
        header = [f"{name}:ID({label})" if kind == "ID" else f"{name}:{kind}" for name, kind in self.columns]
        super().__init__(path, [*header, ":LABEL"])

    def node(self, props: dict[str, Any], labels: Sequence[str], fixups: list[tuple[str, str, str]]) -> None:
        unknown = set(props) - self.known
        if unknown:  # a property the load statements write and this layout does not: fail, never drop it
            raise ValueError(f"bulk import files: {self.label} has no column for {sorted(unknown)}")
        cells = []
        odd: dict[str, Any] = {}
        for name, kind in self.columns:
            value = props.get(name)
            if kind == _L and value is not None and not _list_fits(value):
                odd[name] = list(value)
                value = None
            cells.append(cell(value, kind))
        cells.append(ARRAY_DELIMITER.join(labels))
        if odd:
            fixups.append((self.label, props[self.columns[0][0]], json.dumps(odd, ensure_ascii=False)))
        self.write(cells)


@dataclass
class ImportFiles:
    """What :func:`write_import_files` wrote into ``folder``: the importer's ``--nodes`` and
    ``--relationships`` files, those with values spanning lines, and the counts."""

    folder: Path
    nodes: list[Path] = field(default_factory=list)
    relationships: list[Path] = field(default_factory=list)
    multiline: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    fixups: int = 0

    MANIFEST = "bulk-import.json"
    FIXUPS = "fixups.jsonl"

    def save(self) -> None:
        (self.folder / self.MANIFEST).write_text(json.dumps({
            "format": 1, "nodes": [p.name for p in self.nodes], "relationships": [p.name for p in self.relationships],
            "multiline": [p.name for p in self.multiline], "counts": self.counts, "fixups": self.fixups,
        }, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> ImportFiles:
        data = json.loads((folder / cls.MANIFEST).read_text(encoding="utf-8"))
        if data.get("format") != 1:
            raise ValueError(f"{folder / cls.MANIFEST}: not a bulk import folder of this version")
        return cls(folder, [folder / n for n in data["nodes"]], [folder / n for n in data["relationships"]],
                   [folder / n for n in data["multiline"]], data["counts"], data["fixups"])
