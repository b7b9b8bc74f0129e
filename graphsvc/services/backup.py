"""The whole register out and back: ``graphsvc dump`` and ``graphsvc restore`` (issue #22; the
format, field by field, and the operator's steps: docs/backup.md).

A dump (version 2) is JSON Lines: a header, the records in the contract format (readable by
any tool, loadable by ``graphsvc load``), then what the records alone do not rebuild: each
record node's state beyond its record, the identity links with their decisions, the
subscriptions (without their secrets), the alerts with their delivery state and the alerts'
counter; a last line counts them all, so a cut-off dump is refused. Subscription secrets go,
only when asked, to a separate file kept like a key.

A restore goes into an empty register only. It reads the whole file first and refuses it, with
the line, the kind and the field, before writing anything when any line is bad. Then it loads
the records through the ordinary ingest path (as ``graphsvc load --no-resolve``), sets the node
state and the identity links, rebuilds the pattern state (before the subscriptions exist, so
the rebuild raises no alert) and writes the subscriptions, the alerts and their counter.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import itertools
import json
import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from graphsvc.errors import Conflict, InvalidInput
from graphsvc.graph.db import Database
from graphsvc.repository import dump as store
from graphsvc.repository import restore as writer
from graphsvc.services import state as pattern_state
from graphsvc.services.ingest import DEFAULT_BATCH, load
from loaders.records import RECORD_ID, RecordError, parse_record
from loaders.sources import RawRecord, read_jsonl

__all__ = ["VERSION", "DumpRejected", "dump", "restore", "check_dump"]

#: the format this graphsvc writes; it reads 1 (a plain record stream, the dump before issue #22) and 2
VERSION = 2
HEADER = "graphsvc_dump"
END = "graphsvc_dump_end"
SECRETS = "graphsvc_dump_secrets"
SECRET = "subscription_secret"  # nosec B105 - the name of a line kind, not a password
#: the line kinds after the records, in the order a dump holds them
EXTRA_KINDS = ("node_state", "identity_link", "subscription", "alert", "alert_head")
#: how many faults a refused dump lists
MAX_FAULTS = 20


def _line(out: IO[str], obj: dict[str, Any]) -> None:
    out.write(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n")


def _written_by() -> str:
    try:
        return f"graphsvc {importlib.metadata.version('graphsvc')}"
    except importlib.metadata.PackageNotFoundError:
        return "graphsvc"


# -- dump ---------------------------------------------------------------------------------------
def dump(db: Database, out: IO[str], *, secrets_out: IO[str] | None = None,
         now: Callable[[], str] | None = None) -> dict[str, Any]:
    """Write the whole register to ``out`` (format version 2); the subscriptions' secrets to
    ``secrets_out`` when given, else nowhere. Online: each page is its own read transaction.

    Returns ``{"dump_id", "lines", "counts" {line kind: n}, "secrets" (written, or None), "seconds"}``.

    Raises
    ------
    DumpIncomplete
        The register holds a kind of node, relationship or property the dump does not know.
    """
    started = time.perf_counter()
    store.check_kinds(db)
    dump_id = uuid.uuid4().hex
    taken = now() if now is not None else _utc_now()
    _line(out, {"kind": HEADER, "version": VERSION, "dump_id": dump_id, "created_at": taken,
                "written_by": _written_by(), "format": "docs/backup.md"})
    counts: Counter[str] = Counter()
    # The state and the links are read with their records (one pass over the register) and
    # written after all of them, from spool files: flat memory, records first.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as states, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as links:
        for kind in store.RECORD_KINDS:
            for row in store.record_pages(db, kind):
                _line(out, row.record)
                counts[kind] += 1
                _spool(states, links, counts, store.LABELS[kind], row.record["id"], row.state, row.links)
        for label, node_id, state, from_it in store.placeholders(db):
            _spool(states, links, counts, label, node_id, state, from_it)
        for spool in (states, links):
            spool.seek(0)
            shutil.copyfileobj(spool, out)
    secrets = 0
    if secrets_out is not None:
        _line(secrets_out, {"kind": SECRETS, "version": VERSION, "dump_id": dump_id, "created_at": taken})
    for sub_id, props in store.subscriptions(db):
        secret = props.pop("secret", None)
        if secrets_out is not None and secret is not None:
            _line(secrets_out, {"kind": SECRET, "id": sub_id, "secret": secret})
            secrets += 1
        _line(out, {"kind": "subscription", "id": sub_id, "props": props})
        counts["subscription"] += 1
    for kind, rows in (("alert", store.alerts(db)), ("alert_head", store.alert_heads(db))):
        for node_id, props in rows:
            _line(out, {"kind": kind, "id": node_id, "props": props})
            counts[kind] += 1
    lines = 1 + sum(counts.values())
    _line(out, {"kind": END, "dump_id": dump_id, "lines": lines, "counts": dict(sorted(counts.items()))})
    return {"dump_id": dump_id, "lines": lines + 1, "counts": dict(sorted(counts.items())),
            "secrets": secrets if secrets_out is not None else None,
            "seconds": round(time.perf_counter() - started, 3)}


def _spool(states: IO[str], links: IO[str], counts: Counter[str], label: str, node_id: str,
           state: dict[str, Any], from_it: list[dict[str, Any]]) -> None:
    if state:
        _line(states, {"kind": "node_state", "label": label, "id": node_id, "props": state})
        counts["node_state"] += 1
    for link in from_it:
        _line(links, {"kind": "identity_link", "a": node_id, "b": link["b"], "props": link["props"]})
        counts["identity_link"] += 1


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# -- reading a dump -----------------------------------------------------------------------------
class DumpRejected(InvalidInput):
    """A dump (or its secrets file) that will not be restored: every fault found (up to
    :data:`MAX_FAULTS`), each with its line, kind and field; nothing was written."""


@dataclass
class _Fault:
    path: str
    line: int
    kind: str | None
    field: str | None
    message: str

    def describe(self) -> str:
        return f"{self.path}:{self.line}: {self.kind or 'line'}: {self.field or 'line'}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "kind": self.kind, "field": self.field,
                "message": self.message}


@dataclass
class Plan:
    """What reading a dump through found: its version, where its records end, its counts and
    the subscriptions the secrets are for."""

    path: Path
    version: int
    header_line: int | None
    last_record_line: int
    counts: Counter[str] = field(default_factory=Counter)
    dump_id: str | None = None
    #: subscription id -> (its key id, whether it is live)
    subscriptions: dict[str, tuple[str | None, bool]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)


def _lines(path: Path, after: int = 0) -> Iterator[RawRecord]:
    """The lines of ``path`` after the first ``after`` (skipped unread), decoded as the loader
    decodes them, numbered as in the file."""
    with path.open("rb") as stream:
        for _ in itertools.islice(stream, after):
            pass
        for raw in read_jsonl(stream, str(path)):
            yield replace(raw, line=raw.line + after) if after else raw


def _check_props(raw: RawRecord, kind: str, props: Any, faults: list[_Fault], *, no_id: bool = True) -> None:
    if not isinstance(props, dict):
        faults.append(_Fault(raw.path, raw.line, kind, "props", "must be an object of stored properties"))
        return
    for key, value in props.items():
        if no_id and key == "id":
            faults.append(_Fault(raw.path, raw.line, kind, "props.id", "the id is the line's own field"))
            continue
        try:
            store.decode(value)
        except ValueError as exc:
            faults.append(_Fault(raw.path, raw.line, kind, f"props.{key}", str(exc)))


def _check_id(raw: RawRecord, kind: str, name: str, value: Any, faults: list[_Fault]) -> None:
    if not isinstance(value, str) or not value or len(value) > 256:
        faults.append(_Fault(raw.path, raw.line, kind, name, "must be an id (text)"))


def _check_extra(raw: RawRecord, plan: Plan, faults: list[_Fault]) -> None:
    data, kind = raw.data, raw.data["kind"]
    if kind == "node_state":
        if data.get("label") not in store.LABELS.values():
            faults.append(_Fault(raw.path, raw.line, kind, "label",
                                 f"must be one of {', '.join(sorted(store.LABELS.values()))}"))
        if not isinstance(data.get("id"), str) or not RECORD_ID.fullmatch(data["id"]):
            faults.append(_Fault(raw.path, raw.line, kind, "id", "must be a record id"))
    elif kind == "identity_link":
        for end in ("a", "b"):
            if not isinstance(data.get(end), str) or not RECORD_ID.fullmatch(data[end]):
                faults.append(_Fault(raw.path, raw.line, kind, end, "must be a person id"))
    else:
        _check_id(raw, kind, "id", data.get("id"), faults)
    _check_props(raw, kind, data.get("props"), faults)
    if kind == "subscription" and isinstance(data.get("props"), dict) and isinstance(data.get("id"), str):
        props = data["props"]
        plan.subscriptions[data["id"]] = (props.get("key_id"), props.get("deleted_at") is None)


def check_dump(path: Path, secrets: Path | None = None) -> Plan:
    """Read a dump through without writing anything: its header and version, every line (the
    records through the loader's own validation), its closing counts; the secrets file's match.

    Raises
    ------
    DumpRejected
        Any fault, each named by line, kind and field.
    """
    faults: list[_Fault] = []
    plan: Plan | None = None
    end: RawRecord | None = None
    extras_started = False
    for raw in _lines(path):
        if len(faults) >= MAX_FAULTS:
            break
        data = raw.data
        kind = data.get("kind") if isinstance(data, dict) else None
        if raw.problem is not None or not isinstance(data, dict):
            faults.append(_Fault(raw.path, raw.line, None, None, raw.problem or "a line must be a JSON object"))
            continue
        if plan is None:
            plan = _first(raw, faults)
            if plan is None:
                break
            if plan.version == 2:
                continue
        if end is not None:
            faults.append(_Fault(raw.path, raw.line, kind, None, f"a line after the {END} line"))
            continue
        if kind in store.RECORD_KINDS:
            if extras_started:
                faults.append(_Fault(raw.path, raw.line, kind, None, "a record after the node state, links and "
                                                                     "alerts (a dump holds its records first)"))
                continue
            try:
                parse_record(data)
            except RecordError as exc:
                faults += [_Fault(raw.path, raw.line, kind, e.field, f"id {exc.record_id}: {e.message}"
                                  if exc.record_id else e.message) for e in exc.errors]
            plan.last_record_line = raw.line
        elif plan.version == 2 and kind in EXTRA_KINDS:
            extras_started = True
            _check_extra(raw, plan, faults)
        elif plan.version == 2 and kind == END:
            end = raw
            continue
        else:
            allowed = store.RECORD_KINDS + ((*EXTRA_KINDS, END) if plan.version == 2 else ())
            faults.append(_Fault(raw.path, raw.line, kind if isinstance(kind, str) else None, "kind",
                                 f"not a line kind of a version {plan.version} dump ({', '.join(allowed)})"))
            continue
        plan.counts[kind] += 1
    if plan is None and not faults:
        faults.append(_Fault(str(path), 1, None, None, "the file is empty"))
    if plan is not None and plan.version == 2 and len(faults) < MAX_FAULTS:
        _check_end(plan, end, faults)
    if plan is not None and secrets is not None and not faults:
        plan.secrets = _read_secrets(secrets, plan, faults)
    if faults:
        raise DumpRejected(f"{faults[0].describe()}" + (f" (and {len(faults) - 1} more)" if len(faults) > 1 else "")
                           + "; nothing was written", {"faults": [f.as_dict() for f in faults]})
    if plan is None:  # no header is a fault, reported above; this cannot be reached
        raise DumpRejected("the dump has no header line; nothing was written", {})
    return plan


def _first(raw: RawRecord, faults: list[_Fault]) -> Plan | None:
    """The plan from a dump's first line: a version 2 header, or a record (version 1)."""
    data = raw.data
    path = Path(raw.path)
    if data.get("kind") == HEADER:
        version = data.get("version")
        if version != VERSION:
            faults.append(_Fault(raw.path, raw.line, HEADER, "version",
                                 f"version {version!r} is not one this graphsvc reads (1: records only, with no "
                                 f"header; {VERSION}); a newer graphsvc wrote it?"))
            return None
        return Plan(path, VERSION, raw.line, raw.line, dump_id=data.get("dump_id"))
    if data.get("kind") in store.RECORD_KINDS:
        return Plan(path, 1, None, 0)
    faults.append(_Fault(raw.path, raw.line, data.get("kind") if isinstance(data.get("kind"), str) else None,
                         "kind", f"the first line is neither a {HEADER} header nor a record"))
    return None


def _check_end(plan: Plan, end: RawRecord | None, faults: list[_Fault]) -> None:
    if end is None:
        faults.append(_Fault(str(plan.path), 0, END, None, f"no {END} line: the dump is cut off (an "
                                                           "interrupted dump or copy); take it again"))
        return
    want = end.data.get("counts")
    if end.data.get("dump_id") != plan.dump_id:
        faults.append(_Fault(end.path, end.line, END, "dump_id", "is not the header's"))
    if want != dict(sorted(plan.counts.items())):
        faults.append(_Fault(end.path, end.line, END, "counts",
                             f"the dump says {want}, the file holds {dict(sorted(plan.counts.items()))}"))


def _read_secrets(path: Path, plan: Plan, faults: list[_Fault]) -> dict[str, str]:
    found: dict[str, str] = {}
    header = False
    for raw in _lines(path):
        data = raw.data
        if raw.problem is not None or not isinstance(data, dict):
            faults.append(_Fault(raw.path, raw.line, None, None, raw.problem or "a line must be a JSON object"))
        elif not header:
            header = True
            if data.get("kind") != SECRETS or data.get("dump_id") != plan.dump_id:
                faults.append(_Fault(raw.path, raw.line, data.get("kind"), "dump_id",
                                     f"not the secrets of this dump (its header: kind {SECRETS}, dump_id "
                                     f"{plan.dump_id})"))
                break
        elif data.get("kind") != SECRET or not isinstance(data.get("id"), str) \
                or not isinstance(data.get("secret"), str):
            faults.append(_Fault(raw.path, raw.line, data.get("kind"), None,
                                 f"a line is {{\"kind\": \"{SECRET}\", \"id\", \"secret\"}}"))
        elif data["id"] not in plan.subscriptions:
            faults.append(_Fault(raw.path, raw.line, SECRET, "id", "no subscription of the dump has this id"))
        else:
            found[data["id"]] = data["secret"]
    return found


# -- restore ------------------------------------------------------------------------------------
def restore(db: Database, path: Path, *, secrets: Path | None = None, batch_size: int = DEFAULT_BATCH,
            progress: bool = False, say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Load the dump at ``path`` into an empty register; ``secrets``: the file ``graphsvc dump
    --secrets-out`` wrote beside it. ``say`` hears each step as it starts.

    Returns a summary: ``{"version", "records" (the load's summary), "node_state",
    "identity_links", "subscriptions", "subscriptions_without_secret" [ids], "alerts",
    "pattern_state", "seconds" {step: s}}``.

    Raises
    ------
    Conflict
        The register is not empty, or a subscription restored without its secret belongs to an
        API key of this database (it would be delivered unsigned).
    DumpRejected
        A bad line (nothing is written).
    """
    tell = say or (lambda _message: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    held = {label: n for label, n in writer.register_counts(db).items() if n}
    if held:
        raise Conflict("the register is not empty (" + ", ".join(f"{n} {label}" for label, n in sorted(held.items()))
                       + "): graphsvc restore loads into an empty register only (docs/backup.md)", {"holds": held})
    tell(f"checking {path}")
    plan = check_dump(path, secrets)
    secretless = sorted(s for s in plan.subscriptions if s not in plan.secrets)
    live_key_ids = [key for key, live in (plan.subscriptions[s] for s in secretless) if live and key]
    keyed = writer.live_keys(db, live_key_ids)
    if keyed:
        raise Conflict("subscriptions of API keys that this database holds would be restored without their "
                       "secret (their alerts would go unsigned): give --secrets FILE (graphsvc dump --secrets-out), "
                       "or revoke those keys first", {"key_ids": sorted(keyed)})
    seconds["check"] = round(time.perf_counter() - started, 3)

    step = time.perf_counter()
    tell(f"loading {sum(plan.counts[k] for k in store.RECORD_KINDS)} records")
    records = (r for r in itertools.takewhile(lambda r: r.line <= plan.last_record_line, _lines(path))
               if r.line != plan.header_line)
    summary = load(db, records, batch_size=batch_size, progress=progress, maintain_state=False)
    if summary.rejected_records:  # checked above: the clock moved past a date's tolerance?
        first = summary.rejects[0]
        raise DumpRejected(f"{first.describe()}; the records before it are written: empty the register and "
                           "restore again", {"faults": [r.as_dict() for r in summary.rejects[:MAX_FAULTS]]})
    seconds["records"] = round(time.perf_counter() - step, 3)

    step = time.perf_counter()
    tell(f"setting {plan.counts['node_state']} node states and {plan.counts['identity_link']} identity links")
    written = _write_extras(db, path, plan, ("node_state", "identity_link"), batch_size)
    seconds["state_and_links"] = round(time.perf_counter() - step, 3)

    step = time.perf_counter()
    tell("rebuilding the pattern state")
    state = pattern_state.rebuild(db)
    seconds["pattern_state"] = round(time.perf_counter() - step, 3)

    step = time.perf_counter()
    tell(f"writing {plan.counts['subscription']} subscriptions and {plan.counts['alert']} alerts")
    written.update(_write_extras(db, path, plan, ("subscription", "alert", "alert_head"), batch_size))
    seconds["alerts"] = round(time.perf_counter() - step, 3)
    seconds["total"] = round(time.perf_counter() - started, 3)
    return {"version": plan.version, "records": summary.as_dict(), "node_state": written.get("node_state", 0),
            "identity_links": written.get("identity_link", 0), "subscriptions": written.get("subscription", 0),
            "subscriptions_without_secret": secretless, "alerts": written.get("alert", 0),
            "pattern_state": state, "seconds": seconds}


def _row(plan: Plan, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The batch a line goes into and its row, values decoded."""
    kind = data["kind"]
    props = {k: store.decode(v) for k, v in data["props"].items()}
    if kind == "node_state":
        return f"node_state:{data['label']}", {"id": data["id"], "props": props}
    if kind == "identity_link":
        return kind, {"a": data["a"], "b": data["b"], "props": props}
    if kind == "subscription" and data["id"] in plan.secrets:
        props["secret"] = plan.secrets[data["id"]]
    return kind, {"id": data["id"], "props": {**props, "id": data["id"]}}


def _flush(db: Database, batch: str, rows: list[dict[str, Any]], lines: list[int], path: Path) -> int:
    kind, _, label = batch.partition(":")
    try:
        if kind == "node_state":
            return writer.write_state(db, label, rows)
        if kind == "identity_link":
            return writer.write_links(db, rows)
        if kind == "subscription":
            return writer.write_subscriptions(db, rows)
        if kind == "alert":
            return writer.write_alerts(db, rows)
        return writer.write_alert_heads(db, rows)
    except writer.NotWritten as exc:
        faults = [_Fault(str(path), lines[i], kind, "id" if kind != "identity_link" else "a, b",
                         f"{exc.message} ({rows[i].get('id') or (rows[i]['a'], rows[i]['b'])})") for i in exc.missing]
        raise DumpRejected(f"{faults[0].describe()}; this batch was not written, the records and the batches "
                           "before it are: empty the register and restore again after fixing the dump",
                           {"faults": [f.as_dict() for f in faults[:MAX_FAULTS]]}) from None


def _write_extras(db: Database, path: Path, plan: Plan, kinds: tuple[str, ...], batch_size: int) -> dict[str, int]:
    """Write the lines of ``kinds`` in batches (of one kind and label each), in file order."""
    written: Counter[str] = Counter()
    if not any(plan.counts[k] for k in kinds):
        return dict(written)
    batch = ""
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for raw in _lines(path, plan.last_record_line):
        if raw.data.get("kind") not in kinds:
            continue
        name, row = _row(plan, raw.data)
        if rows and (name != batch or len(rows) >= batch_size):
            written[batch.partition(":")[0]] += _flush(db, batch, rows, lines, path)
            rows, lines = [], []
        batch = name
        rows.append(row)
        lines.append(raw.line)
    if rows:
        written[batch.partition(":")[0]] += _flush(db, batch, rows, lines, path)
    return dict(written)
