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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphsvc.analysis.register import Periods, due_duty
from graphsvc.analysis.retention import add_years
from graphsvc.graph.db import MIGRATIONS, Database
from graphsvc.repository.bulk_csv import NODE_COLUMNS, S, CsvFile, ImportFiles, NodeFile, cell, quoted
from graphsvc.repository.ingest import BatchRows

__all__ = [
    "ImportFiles", "Part", "Staging", "apply_fixups", "blockers", "finish_import_files", "stage_rows",
    "write_import_files", "write_part",
]

FIXUP_QUERIES = {"Person": "set_bulk_person_lists", "Notification": "set_bulk_notification_lists"}
FIXUP_BATCH = 10_000
_FLUSH = 20_000

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


#: what the passes note (the named ids, for placeholders and role labels; the shared nodes with
#: the position ``ord`` of the copy that gives their text: the first in input order wins)
_NOTED = """
    CREATE TABLE IF NOT EXISTS refs(kind TEXT NOT NULL, id TEXT NOT NULL, offender INTEGER, victim INTEGER);
    CREATE TABLE IF NOT EXISTS vals(label TEXT NOT NULL, value TEXT NOT NULL, data TEXT, ord INTEGER NOT NULL,
                                    PRIMARY KEY (label, value)) WITHOUT ROWID;
"""
#: a shared node noted, or a part's notes merged: the first copy (the lowest ``ord``) wins, as
#: the first MERGE's text would
_NOTE_VAL = ("INSERT INTO vals VALUES (?, ?, ?, ?) ON CONFLICT(label, value) "
             "DO UPDATE SET data = excluded.data, ord = excluded.ord WHERE excluded.ord < ord")
_MERGE_VALS = ("INSERT INTO vals SELECT * FROM part.vals WHERE true ON CONFLICT(label, value) "
               "DO UPDATE SET data = excluded.data, ord = excluded.ord WHERE excluded.ord < ord")


def _connect(path: Path, cache_mib: int) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", f"cache_size=-{cache_mib * 1024}"):
        con.execute(f"PRAGMA {pragma}")
    return con


class Staging:
    """The validated rows on disk (SQLite), one per ``(kind, id)``: the last copy wins and takes
    the position of that copy (``seq``), as a later batch's MERGE replaces an earlier one's."""

    def __init__(self, path: Path, cache_mib: int = 64, *, create: bool = True) -> None:
        self.path = path
        self.con = _connect(path, cache_mib)
        if create:
            self.con.executescript("""
                CREATE TABLE IF NOT EXISTS staged(kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
                                                  ref TEXT, data BLOB NOT NULL, PRIMARY KEY (kind, id));
            """ + _NOTED)
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

    def rows(self, kind: str, part: int = 0, parts: int = 1) -> Iterator[tuple[int, dict[str, Any]]]:
        """The staged rows of one kind with their positions, in the order their last copies
        arrived; of those, the ones of ``part`` out of ``parts`` (by position)."""
        query = "SELECT seq, data FROM staged WHERE kind = ? AND seq % ? = ? ORDER BY seq"
        for seq, data in self.con.execute(query, (kind, parts, part)):
            yield seq, pickle.loads(data)  # nosec B301: our own staging file

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


@dataclass
class Part:
    """What one :func:`write_part` wrote: its files (names in the folder), rows per node label,
    relationships, fix-ups, and the SQLite file of what its passes noted (``refs``, ``vals``)."""

    nodes: list[str]
    relationships: list[str]
    multiline: list[str]
    counts: dict[str, int]
    relationship_rows: int
    fixups: int
    fixups_file: str
    noted: str | None


class _Writer:
    """The passes of :func:`write_import_files` over one staging database: the records' passes
    for the ``part``-th of ``parts`` of each kind (:func:`write_part`), or the nodes that depend
    on them all (the files then named without a suffix)."""

    def __init__(self, staging: Staging, folder: Path, tick: Callable[[int], None], *, part: int = 0, parts: int = 1,
                 suffix: str = "", noted: sqlite3.Connection | None = None) -> None:
        self.staging = staging
        self.con = staging.con
        self.noted = noted or staging.con
        self.folder = folder
        self.tick = tick
        self.part, self.parts, self.suffix = part, parts, suffix
        self.nodes: dict[str, NodeFile] = {}
        self.rels: dict[tuple[str, str], CsvFile] = {}
        self.refs: list[tuple[str, str, int, int]] = []
        self.vals: list[tuple[str, str, str | None, int]] = []
        self.ord = 0
        self.fixups: list[tuple[str, str, str]] = []
        self.fixup_count = 0
        self.fixups_name = f"fixups{suffix}.jsonl"
        self.fixup_file = (folder / self.fixups_name).open("w", encoding="utf-8")

    def node_file(self, label: str, name: str | None = None) -> NodeFile:
        key = name or label
        if key not in self.nodes:
            self.nodes[key] = NodeFile(self.folder / f"nodes-{key.lower()}{self.suffix}.csv", label)
        return self.nodes[key]

    def node(self, label: str, props: dict[str, Any], labels: Sequence[str], file: str | None = None) -> None:
        self.node_file(label, file).node(props, labels, self.fixups)

    def rel(self, start: str, start_id: str, rel_type: str, end: str, end_id: str, source: str | None) -> None:
        key = (start, end)
        if key not in self.rels:
            self.rels[key] = CsvFile(self.folder / f"rels-{start.lower()}-{end.lower()}{self.suffix}.csv",
                                      [f":START_ID({start})", f":END_ID({end})", ":TYPE", "source:string"])
        self.rels[key].write((quoted(start_id), quoted(end_id), rel_type, cell(source, S)))

    def ref(self, kind: str, rid: str, offender: int = 0, victim: int = 0) -> None:
        self.refs.append((kind, rid, offender, victim))

    def val(self, label: str, value: str, data: dict[str, Any] | None = None) -> None:
        self.vals.append((label, value, json.dumps(data, ensure_ascii=False) if data is not None else None, self.ord))
        self.ord += 1

    def flush(self, force: bool = False) -> None:
        if not force and len(self.refs) + len(self.vals) < _FLUSH:
            return
        self.noted.execute("BEGIN")
        self.noted.executemany("INSERT INTO refs VALUES (?, ?, ?, ?)", self.refs)
        self.noted.executemany(_NOTE_VAL, self.vals)
        self.noted.execute("COMMIT")
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
        """The staged rows of ``kind`` (of this part) with their id and source, counted and flushed
        as they go; what each row notes is ordered by (pass, position, order within the row), the
        order one writer going through them all would note it in."""
        rank = _KINDS.index(kind)
        for seq, row in self.staging.rows(kind, self.part, self.parts):
            self.ord = (rank << 52) | (seq << 12)  # at most 4,096 notes a row (5 lists of 500 and the agency)
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

    def merge(self, noted: Iterable[Path]) -> None:
        """What the parts noted, into the staging database (the first copy of a shared node winning)."""
        self.flush(force=True)
        for path in noted:
            self.con.execute("ATTACH DATABASE ? AS part", (str(path),))
            self.con.execute("BEGIN")
            self.con.execute("INSERT INTO refs SELECT * FROM part.refs")
            self.con.execute(_MERGE_VALS)
            self.con.execute("COMMIT")
            self.con.execute("DETACH DATABASE part")

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

    def close(self, noted: str | None = None) -> Part:
        self.flush(force=True)
        for f in [*self.nodes.values(), *self.rels.values()]:
            f.close()
        self.fixup_file.close()
        counts: dict[str, int] = {}
        for f in self.nodes.values():
            counts[f.label] = counts.get(f.label, 0) + f.rows
        return Part([f.path.name for f in self.nodes.values()], [f.path.name for f in self.rels.values()],
                    [f.path.name for f in [*self.nodes.values(), *self.rels.values()] if f.multiline], counts,
                    sum(f.rows for f in self.rels.values()), self.fixup_count, self.fixups_name, noted)


def _person_labels(offender: int | None, victim: int | None) -> list[str]:
    return ["Person", *(["Offender"] if offender else []), *(["Victim"] if victim else [])]


def write_part(staging_path: Path, folder: Path, part: int = 0, parts: int = 1,
               tick: Callable[[int], None] = lambda n: None) -> Part:
    """The records' passes (their nodes, links and agencies) for the ``part``-th of ``parts`` of
    each kind's staged rows, into files of their own in ``folder``; what they note goes into a
    SQLite file of the part's (several parts may run at once, each in its own process, on a
    staging database :meth:`Staging.index` has indexed). ``tick(n)`` as rows are written."""
    staging = Staging(staging_path, create=False)
    noted_path = folder / f"noted-{part}.sqlite"
    noted_path.unlink(missing_ok=True)
    noted = _connect(noted_path, 32)
    noted.executescript(_NOTED)
    try:
        writer = _Writer(staging, folder, tick, part=part, parts=parts, suffix=f"-{part}", noted=noted)
        writer.persons()
        for kind in _KINDS[1:]:
            writer.records(kind)
        return writer.close(noted_path.name)
    finally:
        noted.close()
        staging.close()


def finish_import_files(staging: Staging, folder: Path, parts: Sequence[Part], *, periods: Periods,
                        now: dt.datetime, tick: Callable[[int], None] = lambda n: None) -> ImportFiles:
    """After the parts (:func:`write_part`): what they noted merged, the nodes that depend on
    every record (persons with their role labels, registrations with their due duties,
    placeholders, shared identifiers and addresses, agencies, the migrations and the write
    counter), one fix-up file, and the manifest."""
    writer = _Writer(staging, folder, tick)
    writer.merge(folder / p.noted for p in parts if p.noted)
    writer.roles()
    writer.person_nodes(now.date())
    writer.registration_nodes(periods)
    writer.other_nodes(now)
    last = writer.close()
    every = [*parts, last]
    with (folder / ImportFiles.FIXUPS).open("a", encoding="utf-8") as out:
        for p in parts:
            path = folder / p.fixups_file
            with path.open(encoding="utf-8") as handle:
                out.writelines(handle)
            path.unlink()
    for p in parts:
        if p.noted:
            (folder / p.noted).unlink(missing_ok=True)
    counts: dict[str, int] = {}
    for p in every:
        for label, n in p.counts.items():
            counts[label] = counts.get(label, 0) + n
    files = ImportFiles(folder, [folder / n for p in every for n in p.nodes],
                        [folder / n for p in every for n in p.relationships],
                        [folder / n for p in every for n in p.multiline],
                        {"nodes": sum(counts.values()), "relationships": sum(p.relationship_rows for p in every), **counts},
                        sum(p.fixups for p in every))
    files.save()
    return files


def write_import_files(staging: Staging, folder: Path, *, periods: Periods, now: dt.datetime,
                       tick: Callable[[int], None] = lambda n: None) -> ImportFiles:
    """Write the importer's files for everything staged into ``folder`` (and its manifest and
    fix-ups), in this process; ``tick(n)`` as rows are written."""
    folder.mkdir(parents=True, exist_ok=True)
    staging.index()
    return finish_import_files(staging, folder, [write_part(staging.path, folder, tick=tick)], periods=periods,
                               now=now, tick=tick)


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
