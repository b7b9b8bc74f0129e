"""Reading records from files: JSON Lines (contract section 1) and CSV (docs/loading.md).

Both stream: one record at a time with its line number, never the whole file in memory. A line
that cannot be decoded becomes a :class:`RawRecord` carrying the problem, so the loader reports
it like any other rejected record. The CSV layout is declarative (:data:`CSV_COLUMNS`): each
column names the record field it fills and how a cell is split; a file whose header names a
column that is not in the layout fails before anything is written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from loaders.errors import CsvLayoutError

__all__ = ["RawRecord", "read_jsonl", "read_csv", "read_path", "CsvLayoutError", "CSV_COLUMNS"]

MAX_LINE_BYTES = 1_000_000


@dataclass(frozen=True)
class RawRecord:
    """One decoded input record, or the reason it could not be decoded."""

    path: str
    line: int
    data: Any = None
    problem: str | None = None


def read_jsonl(stream: BinaryIO, path: str = "<stdin>") -> Iterator[RawRecord]:
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            yield RawRecord(path, number, problem=f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield RawRecord(path, number, problem=f"not UTF-8 (byte {exc.start})")
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield RawRecord(path, number, problem=f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield RawRecord(path, number, problem="invalid JSON: nested too deeply")
            continue
        yield RawRecord(path, number, data=data)


# -- CSV ------------------------------------------------------------------------------------

def _text(cell: str) -> str | None:
    return cell.strip() or None


def _list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _handles(cell: str) -> list[dict[str, str]]:
    out = []
    for part in _list(cell):
        platform, sep, handle = part.partition(":")
        out.append({"platform": platform, "handle": handle} if sep else {"platform": "", "handle": part})
    return out


def _addresses(cell: str) -> list[dict[str, str | None]]:
    return [_address(part) for part in _list(cell)]


def _names(cell: str) -> list[dict[str, str | None]]:
    """``given|family`` names separated by ``;`` (a name without ``|`` is a family name)."""
    out = []
    for part in _list(cell):
        given, sep, family = part.rpartition("|") if "|" in part else ("", "", part)
        out.append({"given_name": given.strip() or None, "family_name": family.strip() or None})
    return out


def _address(cell: str) -> dict[str, str | None]:
    """One ``line1|town|postcode`` address."""
    pieces = [p.strip() or None for p in cell.split("|")]
    pieces += [None] * (3 - len(pieces))
    return {"line1": pieces[0], "town": pieces[1], "postcode": pieces[2]}


Cell = Callable[[str], Any]
# column -> (path of the record field it fills, how a cell is read)
CSV_COLUMNS: dict[str, tuple[tuple[str, ...], Cell]] = {
    "kind": (("kind",), _text),
    "id": (("id",), _text),
    "source": (("source",), _text),
    # person
    "given_name": (("given_name",), _text),
    "family_name": (("family_name",), _text),
    "aliases": (("aliases",), _list),
    "dob": (("dob",), _text),
    "gender": (("gender",), _text),
    "phones": (("phones",), _list),
    "emails": (("emails",), _list),
    "handles": (("handles",), _handles),
    "vehicles": (("vehicles",), _list),
    "addresses": (("addresses",), _addresses),
    # incident
    "occurred_at": (("occurred_at",), _text),
    "reported_at": (("reported_at",), _text),
    "type": (("type",), _text),
    "offender_ids": (("offender_ids",), _list),
    "victim_ids": (("victim_ids",), _list),
    "used_phones": (("identifiers_used", "phones"), _list),
    "used_emails": (("identifiers_used", "emails"), _list),
    "used_handles": (("identifiers_used", "handles"), _handles),
    "used_vehicles": (("identifiers_used", "vehicles"), _list),
    "breached_order_ids": (("breached_order_ids",), _list),
    "outcome": (("outcome",), _text),
    "description": (("description",), _text),
    # order
    "issued_on": (("issued_on",), _text),
    "expires_on": (("expires_on",), _text),
    "respondent_id": (("respondent_id",), _text),
    "protected_ids": (("protected_ids",), _list),
    "conditions": (("conditions",), _text),
    # registration (contract section 7)
    "person_id": (("person_id",), _text),
    "basis": (("basis",), _text),
    "order_id": (("order_id",), _text),
    "start_on": (("start_on",), _text),
    "end_on": (("end_on",), _text),
    "managing_agency": (("managing_agency",), _text),
    "manager": (("manager",), _text),
    # notification (its type in the "type" column)
    "registration_id": (("registration_id",), _text),
    "notified_on": (("notified_on",), _text),
    "changed_on": (("changed_on",), _text),
    "names": (("names",), _names),
    "home_address": (("home_address",), _address),
    "station": (("station",), _text),
    "reference": (("reference",), _text),
}


def read_csv(stream: BinaryIO, path: str = "<stdin>") -> Iterator[RawRecord]:
    """Rows of a CSV file with a header; empty cells are absent fields."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="strict", newline="")
    try:
        reader = csv.DictReader(text)
        header = reader.fieldnames or []
    except UnicodeDecodeError as exc:
        raise CsvLayoutError(f"{path}: the header is not UTF-8 ({exc.reason})") from None
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise CsvLayoutError(f"{path}: unknown column(s) {', '.join(unknown)}; see docs/loading.md")
    for required in ("kind", "id", "source"):
        if required not in header:
            raise CsvLayoutError(f"{path}: the header needs a {required!r} column")
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            yield RawRecord(path, reader.line_num + 1, problem=f"not UTF-8 ({exc.reason})")
            return
        except csv.Error as exc:
            yield RawRecord(path, reader.line_num, problem=f"malformed CSV: {exc}")
            continue
        if None in row:
            yield RawRecord(path, reader.line_num, problem="more cells than the header has columns")
            continue
        record: dict[str, Any] = {}
        for column, cell in row.items():
            if cell is None or not cell.strip():
                continue
            target, read = CSV_COLUMNS[column]
            holder = record
            for key in target[:-1]:
                holder = holder.setdefault(key, {})
            holder[target[-1]] = read(cell)
        yield RawRecord(path, reader.line_num, data=record)


def read_path(path: Path) -> Iterator[RawRecord]:
    """Records of one file, by its ending: ``.csv`` or JSON Lines (``.jsonl``, ``.ndjson``, ...)."""
    with path.open("rb") as stream:
        if path.suffix.lower() == ".csv":
            yield from read_csv(stream, str(path))
        else:
            yield from read_jsonl(stream, str(path))
