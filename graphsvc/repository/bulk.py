"""The bulk load's staging and import files (``graphsvc load --bulk``, docs/loading.md).

A first load into an empty database can skip the transactional writer: the validated rows (the
same :class:`~graphsvc.repository.ingest.BatchRows` the writer sends, stamped by the same
:func:`~graphsvc.repository.ingest.stamp_review`) are staged on disk in SQLite, one row per
``(kind, id)`` with the last copy winning (contract section 1), and turned into the node and
relationship CSV files of Neo4j's importer (``neo4j-admin database import full``). The files
say exactly what ``cypher/load_*.cypher`` would have written on an empty database: the same
labels (role labels ``Offender`` and ``Victim`` from the final records' links, ``Unidentified``
for an incident naming no offender), placeholders for ids named but never loaded, an
``Agency`` per source with ``REPORTED_BY``, every link with its ``source``, shared identifier
and address nodes (an address's text from the first person record, in input order, that gives
its key, as the first MERGE would), the registrations' due duties
(:func:`graphsvc.analysis.register.due_duty` over their final notifications), the review
dates, the data migrations as applied and the register's write counter.

Two things the CSV cannot say are kept apart as fix-ups and written after the import
(:func:`apply_fixups`): an empty list (an empty cell is no property) and a list of one empty
string. Memory stays bounded by the SQLite page cache: nothing is held per record in Python.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle  # nosec B403: our own staging file, written and read by this process
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from graphsvc.analysis.register import Periods, due_duty
from graphsvc.analysis.retention import add_years
from graphsvc.graph.db import MIGRATIONS, Database
from graphsvc.graph.importer import ARRAY_DELIMITER
from graphsvc.repository.ingest import BatchRows

__all__ = [
    "ImportFiles", "Staging", "apply_fixups", "blockers", "stage_rows", "write_import_files",
]

FIXUP_QUERIES = {"Person": "set_bulk_person_lists", "Notification": "set_bulk_notification_lists"}
FIXUP_BATCH = 10_000
_FLUSH = 20_000

# Each node file's columns: (property, importer type); the first is the node's key (its :ID).
_S, _D, _T, _B, _L, _N = "string", "date", "datetime", "boolean", "string[]", "long"
NODE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "Person": (("id", "ID"), ("source", _S), ("given_name", _S), ("family_name", _S), ("aliases", _L),
               ("aliases_text", _S), ("dob", _D), ("gender", _S), ("name_key", _S), ("family_key", _S),
               ("first_recorded_on", _D), ("review_scheduled", _D), ("review_on", _D), ("placeholder", _B)),
    "Incident": (("id", "ID"), ("source", _S), ("occurred_precision", _S), ("type", _S), ("outcome", _S),
                 ("description", _S), ("occurred_at", _T), ("reported_at", _T), ("review_scheduled", _D),
                 ("review_on", _D)),
    "Order": (("id", "ID"), ("source", _S), ("type", _S), ("issued_on", _D), ("expires_on", _D),
              ("conditions", _S), ("review_scheduled", _D), ("review_on", _D), ("placeholder", _B)),
    "Registration": (("id", "ID"), ("source", _S), ("basis", _S), ("start_on", _D), ("end_on", _D),
                     ("managing_agency", _S), ("manager", _S), ("review_scheduled", _D), ("review_on", _D),
                     ("managed_by", _S), ("due_duty", _S), ("due_on", _D), ("placeholder", _B)),
    "Notification": (("id", "ID"), ("source", _S), ("type", _S), ("notified_on", _D), ("changed_on", _D),
                     ("station", _S), ("reference", _S), ("given_names", _L), ("family_names", _L),
                     ("name_keys", _L), ("home_line1", _S), ("home_town", _S), ("home_postcode", _S),
                     ("home_key", _S), ("review_scheduled", _D), ("review_on", _D)),
    "Phone": (("value", "ID"),),
    "Email": (("value", "ID"),),
    "Vehicle": (("value", "ID"),),
    "Handle": (("value", "ID"), ("platform", _S), ("handle", _S)),
    "Address": (("key", "ID"), ("line1", _S), ("town", _S), ("postcode", _S)),
    "Agency": (("code", "ID"),),
    "SchemaMigration": (("id", _S), ("applied_at", _T)),
    "RegisterVersion": (("id", _S), ("n", _N)),
}
_IDENTIFIERS = (("phones", "Phone"), ("emails", "Email"), ("handles", "Handle"), ("vehicles", "Vehicle"))
_KINDS = ("person", "incident", "order", "registration", "notification")
_LABEL_OF = {"person": "Person", "incident": "Incident", "order": "Order", "registration": "Registration",
             "notification": "Notification"}
#: what a record of each kind names (load_*.cypher): (row key, kind named, relationship type,
#: from the record outward, whether it makes the named person an Offender, a Victim)
_NAMES: dict[str, tuple[tuple[str, str, str, bool, int, int], ...]] = {
    "incident": (("offender_ids", "person", "OFFENDER_IN", False, 1, 0),
                 ("victim_ids", "person", "VICTIM_IN", False, 0, 1),
                 ("breached_order_ids", "order", "BREACHED", True, 0, 0)),
    "order": (("respondent_id", "person", "RESTRAINS", True, 1, 0), ("protected_ids", "person", "PROTECTS", True, 0, 1)),
    "registration": (("person_id", "person", "REGISTERS", True, 0, 0), ("order_id", "order", "UNDER_ORDER", True, 0, 0)),
    "notification": (("registration_id", "registration", "NOTIFIES", True, 0, 0),
                     ("person_id", "person", "BY", True, 0, 0)),
}


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _cell(value: Any, kind: str) -> str:
    """One CSV cell as the importer reads it: an empty cell is no property, a quoted one a string."""
    if value is None:
        return ""
    if kind in ("string", "ID"):
        return _quoted(value)
    if kind in ("date", "datetime"):
        return value if isinstance(value, str) else value.isoformat()
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "long":
        return str(int(value))
    return _quoted(ARRAY_DELIMITER.join(value))


def _list_fits(items: Sequence[str]) -> bool:
    """Whether the importer reads this list back as it is (not empty, not one empty string, no
    item holding the delimiter)."""
    return bool(items) and items != [""] and not any(ARRAY_DELIMITER in item for item in items)


class _CsvFile:
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


class _NodeFile(_CsvFile):
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
            cells.append(_cell(value, kind))
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


class Staging:
    """The validated rows on disk (SQLite), one per ``(kind, id)``: the last copy wins and takes
    the position of that copy (``seq``), as a later batch's MERGE replaces an earlier one's."""

    def __init__(self, path: Path, cache_mib: int = 64) -> None:
        self.path = path
        self.con = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", f"cache_size=-{cache_mib * 1024}"):
            self.con.execute(f"PRAGMA {pragma}")
        self.con.executescript("""
            CREATE TABLE IF NOT EXISTS staged(kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
                                              ref TEXT, data BLOB NOT NULL, PRIMARY KEY (kind, id));
            CREATE TABLE IF NOT EXISTS refs(kind TEXT NOT NULL, id TEXT NOT NULL, offender INTEGER, victim INTEGER);
            CREATE TABLE IF NOT EXISTS vals(label TEXT NOT NULL, value TEXT NOT NULL, data TEXT,
                                            PRIMARY KEY (label, value)) WITHOUT ROWID;
        """)
        self.seq = 0

    def add(self, items: Sequence[tuple[str, str, str | None, bytes]]) -> None:
        """Stage ``(kind, id, ref, pickled row)`` items in input order."""
        start = self.seq
        self.seq += len(items)
        self.con.execute("BEGIN")
        self.con.executemany(
            "INSERT INTO staged(kind, id, seq, ref, data) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(kind, id) DO UPDATE SET seq = excluded.seq, ref = excluded.ref, data = excluded.data",
            ((k, i, start + n, ref, data) for n, (k, i, ref, data) in enumerate(items)))
        self.con.execute("COMMIT")

    def index(self) -> None:
        """The orders the passes read in: by arrival within a kind, notifications by registration."""
        self.con.executescript("""
            CREATE INDEX IF NOT EXISTS staged_seq ON staged(kind, seq);
            CREATE INDEX IF NOT EXISTS staged_ref ON staged(kind, ref);
        """)

    def counts(self) -> dict[str, int]:
        found = dict(self.con.execute("SELECT kind, count(*) FROM staged GROUP BY kind").fetchall())
        return {kind: int(found.get(kind, 0)) for kind in _KINDS}

    def rows(self, kind: str) -> Iterator[dict[str, Any]]:
        """The staged rows of one kind, in the order their last copies arrived."""
        for (data,) in self.con.execute("SELECT data FROM staged WHERE kind = ? ORDER BY seq", (kind,)):
            yield pickle.loads(data)  # nosec B301: our own staging file

    def close(self) -> None:
        self.con.close()


def stage_rows(rows: BatchRows) -> list[tuple[str, str, str | None, bytes]]:
    """A validated batch as staging items (run where the batch was validated: the pickling is
    the validator's work, not the writer's)."""
    dump = pickle.dumps
    out: list[tuple[str, str, str | None, bytes]] = []
    for kind, part in (("person", rows.persons), ("incident", rows.incidents), ("order", rows.orders),
                       ("registration", rows.registrations), ("notification", rows.notifications)):
        for row in part:
            ref = row["registration_id"] if kind == "notification" else None
            out.append((kind, row["id"], ref, dump(row, protocol=5)))
    return out


class _Writer:
    """The passes of :func:`write_import_files` over one staging database."""

    def __init__(self, staging: Staging, folder: Path, tick: Callable[[int], None]) -> None:
        self.staging = staging
        self.con = staging.con
        self.folder = folder
        self.tick = tick
        self.nodes: dict[str, _NodeFile] = {}
        self.rels: dict[tuple[str, str], _CsvFile] = {}
        self.refs: list[tuple[str, str, int, int]] = []
        self.vals: list[tuple[str, str, str | None]] = []
        self.fixups: list[tuple[str, str, str]] = []
        self.fixup_count = 0
        self.fixup_file = (folder / ImportFiles.FIXUPS).open("w", encoding="utf-8")

    def node_file(self, label: str, name: str | None = None) -> _NodeFile:
        key = name or label
        if key not in self.nodes:
            self.nodes[key] = _NodeFile(self.folder / f"nodes-{key.lower()}.csv", label)
        return self.nodes[key]

    def node(self, label: str, props: dict[str, Any], labels: Sequence[str], file: str | None = None) -> None:
        self.node_file(label, file).node(props, labels, self.fixups)

    def rel(self, start: str, start_id: str, rel_type: str, end: str, end_id: str, source: str | None) -> None:
        key = (start, end)
        if key not in self.rels:
            self.rels[key] = _CsvFile(self.folder / f"rels-{start.lower()}-{end.lower()}.csv",
                                      [f":START_ID({start})", f":END_ID({end})", ":TYPE", "source:string"])
        self.rels[key].write((_quoted(start_id), _quoted(end_id), rel_type, _cell(source, _S)))

    def ref(self, kind: str, rid: str, offender: int = 0, victim: int = 0) -> None:
        self.refs.append((kind, rid, offender, victim))

    def val(self, label: str, value: str, data: dict[str, Any] | None = None) -> None:
        self.vals.append((label, value, json.dumps(data, ensure_ascii=False) if data is not None else None))

    def flush(self, force: bool = False) -> None:
        if not force and len(self.refs) + len(self.vals) < _FLUSH:
            return
        self.con.execute("BEGIN")
        self.con.executemany("INSERT INTO refs VALUES (?, ?, ?, ?)", self.refs)
        self.con.executemany("INSERT OR IGNORE INTO vals VALUES (?, ?, ?)", self.vals)  # the first one wins
        self.con.execute("COMMIT")
        self.refs, self.vals = [], []
        for label, rid, props in self.fixups:
            self.fixup_file.write(json.dumps({"label": label, "id": rid, "props": json.loads(props)},
                                             ensure_ascii=False) + "\n")
        self.fixup_count += len(self.fixups)
        self.fixups = []

    def reported(self, start: str, rid: str, source: str) -> None:
        self.val("Agency", source)
        self.rel(start, rid, "REPORTED_BY", "Agency", source, None)

    def identifiers(self, start: str, rid: str, row: dict[str, Any], rel_type: str, source: str) -> None:
        for key, label in _IDENTIFIERS:
            for item in row[key]:
                if label == "Handle":
                    self.val(label, item["value"], {"platform": item["platform"], "handle": item["handle"]})
                    value = item["value"]
                else:
                    self.val(label, item)
                    value = item
                self.rel(start, rid, rel_type, label, value, source)

    def named(self, kind: str, ids: Iterable[str], rel_type: str, record: tuple[str, str], source: str, *,
              outward: bool, offender: int = 0, victim: int = 0) -> None:
        """Links between ``record`` (label, id) and the ``kind`` records ``ids`` it names (noted,
        for their placeholders and role labels)."""
        other = _LABEL_OF[kind]
        for rid in ids:
            self.ref(kind, rid, offender, victim)
            if outward:
                self.rel(record[0], record[1], rel_type, other, rid, source)
            else:
                self.rel(other, rid, rel_type, record[0], record[1], source)

    def each(self, kind: str) -> Iterator[tuple[dict[str, Any], str, str]]:
        """The staged rows of ``kind`` with their id and source, counted and flushed as they go."""
        for row in self.staging.rows(kind):
            yield row, row["id"], row["props"]["source"]
            self.tick(1)
            self.flush()

    # -- the passes, one per kind (load_*.cypher's links), then the nodes that depend on them ----
    def persons(self) -> None:
        for row, rid, source in self.each("person"):
            self.reported("Person", rid, source)
            for a in row["addresses"]:
                self.val("Address", a["key"], {"line1": a["line1"], "town": a["town"], "postcode": a["postcode"]})
                self.rel("Person", rid, "HAS_ADDRESS", "Address", a["key"], source)
            self.identifiers("Person", rid, row, "HAS_IDENTIFIER", source)

    def records(self, kind: str) -> None:
        """One kind's pass: its node (but a registration's, which waits for its notifications),
        its agency and the links to what it names."""
        label = _LABEL_OF[kind]
        for row, rid, source in self.each(kind):
            props = row["props"]
            if kind == "incident":
                node = {"id": rid, **props, "occurred_at": row["occurred_at"], "reported_at": row["reported_at"],
                        "review_on": props.get("review_scheduled")}
                self.node(label, node, ["Incident"] if row["offender_ids"] else ["Incident", "Unidentified"])
            elif kind != "registration":
                self.node(label, {"id": rid, **props, "review_on": props.get("review_scheduled")}, [label])
            self.reported(label, rid, source)
            for key, other, rel_type, outward, offender, victim in _NAMES[kind]:
                value = row[key]
                ids = value if isinstance(value, list) else [] if value is None else [value]
                self.named(other, ids, rel_type, (label, rid), source, outward=outward, offender=offender,
                           victim=victim)
            if kind == "incident":
                self.identifiers(label, rid, row, "USED", source)

    def roles(self) -> None:
        self.flush(force=True)
        self.con.executescript("""
            CREATE TABLE roles AS SELECT kind, id, max(offender) AS offender, max(victim) AS victim
              FROM refs GROUP BY kind, id;
            CREATE UNIQUE INDEX roles_key ON roles(kind, id);
        """)

    def placeholders(self, kind: str) -> Iterator[tuple[str, int, int]]:
        """Ids named by the final records of ``kind`` that no record of that kind gave."""
        yield from self.con.execute(
            "SELECT r.id, r.offender, r.victim FROM roles r WHERE r.kind = ? AND NOT EXISTS "
            "(SELECT 1 FROM staged s WHERE s.kind = r.kind AND s.id = r.id)", (kind,))

    def person_nodes(self, today: dt.date) -> None:
        query = ("SELECT s.data, r.offender, r.victim FROM staged s LEFT JOIN roles r "
                 "ON r.kind = 'person' AND r.id = s.id WHERE s.kind = 'person'")
        for data, offender, victim in self.con.execute(query):
            row = pickle.loads(data)  # nosec B301: our own staging file
            # load_persons: first_recorded_on is the day of the first write; the review follows it
            scheduled = add_years(row["recorded_on"], row["review_years"])
            props = {"id": row["id"], **row["props"], "first_recorded_on": row["recorded_on"],
                     "review_scheduled": scheduled, "review_on": scheduled}
            self.node("Person", props, _person_labels(offender, victim))
            self.tick(1)
            self.flush()
        for pid, offender, victim in self.placeholders("person"):
            self.node("Person", {"id": pid, "placeholder": True}, _person_labels(offender, victim))
            self.flush()

    def registration_nodes(self, periods: Periods) -> None:
        notes_of = "SELECT data FROM staged WHERE kind = 'notification' AND ref = ?"
        for (data,) in self.con.execute("SELECT data FROM staged WHERE kind = 'registration'"):
            row = pickle.loads(data)  # nosec B301: our own staging file
            props = row["props"]
            notes = []
            for (note,) in self.con.cursor().execute(notes_of, (row["id"],)):
                n = pickle.loads(note)  # nosec B301: our own staging file
                p = n["props"]
                notes.append({"id": n["id"], "type": p["type"], "notified_on": p["notified_on"],
                              "changed_on": p["changed_on"]})
            reg = {"id": row["id"], "basis": props["basis"], "start_on": props["start_on"], "end_on": props["end_on"]}
            due = due_duty(reg, notes, periods)
            self.node("Registration", {"id": row["id"], **props, "review_on": props.get("review_scheduled"),
                                       "managed_by": props.get("managing_agency"),
                                       "due_duty": due[0] if due else None, "due_on": due[1] if due else None},
                      ["Registration"])
            self.tick(1)
            self.flush()
        # a placeholder owes nothing yet (due_duty of no start_on): no due props
        for rid, _, _ in self.placeholders("registration"):
            self.node("Registration", {"id": rid, "placeholder": True}, ["Registration"])

    def other_nodes(self, now: dt.datetime) -> None:
        for oid, _, _ in self.placeholders("order"):
            self.node("Order", {"id": oid, "placeholder": True}, ["Order"], file="order-placeholders")
        for label, (key, _) in (("Phone", NODE_COLUMNS["Phone"][0]), ("Email", NODE_COLUMNS["Email"][0]),
                                ("Vehicle", NODE_COLUMNS["Vehicle"][0]), ("Handle", NODE_COLUMNS["Handle"][0]),
                                ("Address", NODE_COLUMNS["Address"][0]), ("Agency", NODE_COLUMNS["Agency"][0])):
            for value, data in self.con.execute("SELECT value, data FROM vals WHERE label = ?", (label,)):
                self.node(label, {key: value, **(json.loads(data) if data else {})}, [label])
        # the data migrations a fresh database records as applied (Database.apply_schema), and the
        # register's write counter (bump_register_version): one write so far
        for name in MIGRATIONS:
            self.node("SchemaMigration", {"id": name, "applied_at": now.isoformat()}, ["SchemaMigration"])
        self.node("RegisterVersion", {"id": "register", "n": 1}, ["RegisterVersion"])
        self.flush(force=True)

    def close(self) -> ImportFiles:
        for f in [*self.nodes.values(), *self.rels.values()]:
            f.close()
        self.fixup_file.close()
        files = ImportFiles(self.folder)
        files.nodes = [f.path for f in self.nodes.values()]
        files.relationships = [f.path for f in self.rels.values()]
        files.multiline = [f.path for f in [*self.nodes.values(), *self.rels.values()] if f.multiline]
        counts: dict[str, int] = {}
        for f in self.nodes.values():
            counts[f.label] = counts.get(f.label, 0) + f.rows
        files.counts = {"nodes": sum(f.rows for f in self.nodes.values()),
                        "relationships": sum(f.rows for f in self.rels.values()), **counts}
        files.fixups = self.fixup_count
        return files


def _person_labels(offender: int | None, victim: int | None) -> list[str]:
    return ["Person", *(["Offender"] if offender else []), *(["Victim"] if victim else [])]


def write_import_files(staging: Staging, folder: Path, *, periods: Periods, now: dt.datetime,
                       tick: Callable[[int], None] = lambda n: None) -> ImportFiles:
    """Write the importer's files for everything staged into ``folder`` (and its manifest and
    fix-ups); ``tick(n)`` as rows are written."""
    folder.mkdir(parents=True, exist_ok=True)
    staging.index()
    writer = _Writer(staging, folder, tick)
    writer.persons()
    for kind in _KINDS[1:]:
        writer.records(kind)
    writer.roles()
    writer.person_nodes(now.date())
    writer.registration_nodes(periods)
    writer.other_nodes(now)
    files = writer.close()
    files.save()
    return files


def blockers(db: Database) -> dict[str, int]:
    """What the database holds that a bulk import would destroy (``get_bulk_blockers``)."""
    row = db.read_one("get_bulk_blockers") or {}
    return {k: int(row.get(k) or 0) for k in ("records", "api_keys", "audit_entries", "other")}


def apply_fixups(db: Database, folder: Path, tick: Callable[[int], None] = lambda n: None) -> int:
    """Write the list properties the import files could not hold (``fixups.jsonl``), a batch of
    :data:`FIXUP_BATCH` per transaction; returns how many nodes were set."""
    path = folder / ImportFiles.FIXUPS
    if not path.exists():
        return 0
    done = 0
    batches: dict[str, list[dict[str, Any]]] = {label: [] for label in FIXUP_QUERIES}

    def send(label: str) -> None:
        nonlocal done
        rows = batches[label]
        if rows:
            db.write(FIXUP_QUERIES[label], rows=rows)
            done += len(rows)
            tick(len(rows))
            batches[label] = []

    with path.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            batches[item["label"]].append({"id": item["id"], "props": item["props"]})
            if len(batches[item["label"]]) >= FIXUP_BATCH:
                send(item["label"])
    for label in FIXUP_QUERIES:
        send(label)
    return done
