"""The register read out for ``graphsvc dump`` (format: docs/backup.md), and the one place that
says what a record's load writes and how a stored value is written as JSON.

Each record kind is read in pages by id (keyset pagination on the unique constraint's index),
so memory stays flat whatever the register's size. A page row gives the record in the contract
format (:func:`record_of`) and the node's **state**: every stored property a load of the record
would not write (:data:`RECORD_KEYS` is the complement), which is how transfers, review
decisions and any later bookkeeping survive a restore without the dump knowing their names.
Stored values outside JSON's own types are written with a type tag (:func:`encode`) and read
back to the same Neo4j value (:func:`decode`): dates, date-times with their offset (and zone
id), local date-times and times, durations, byte arrays, lists of them.

:func:`check_kinds` refuses a register holding a label, relationship type or property that the
dump would silently leave out (a new kind of node needs adding here first).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import neo4j.time
import pytz  # type: ignore[import-untyped]  # the driver's dependency, for its zones

from graphsvc.errors import GraphsvcError
from graphsvc.graph.db import Database
from loaders.records import iso
from loaders.times import local_day

__all__ = [
    "PAGE", "RECORD_KINDS", "LABELS", "RECORD_KEYS", "DumpIncomplete", "Row", "check_kinds", "decode", "encode",
    "encode_props", "record_pages", "placeholders", "subscriptions", "alerts", "alert_heads",
]

PAGE = 5000

#: the record kinds in the order a dump holds them (orders before the incidents that breach them
#: is not needed: loading keeps forward references), and the label of each
RECORD_KINDS = ("person", "order", "incident", "registration", "notification")
LABELS: dict[str, str] = {"person": "Person", "order": "Order", "incident": "Incident",
                          "registration": "Registration", "notification": "Notification"}

#: Per label, the stored properties that a load of the record writes: its fields and what the
#: load works out from them alone. Every other stored property is the node's state, dumped as is.
#: A key missing here that the load does write is only dumped twice (harmless); a key here that
#: the load does not write would be lost, which tests/unit/test_dump_format.py guards.
RECORD_KEYS: dict[str, frozenset[str]] = {
    "Person": frozenset({"id", "source", "given_name", "family_name", "aliases", "dob", "gender",
                         "aliases_text", "name_key", "family_key"}),
    "Order": frozenset({"id", "source", "type", "issued_on", "expires_on", "conditions"}),
    "Incident": frozenset({"id", "source", "type", "outcome", "description", "occurred_at", "reported_at",
                           "occurred_precision"}),
    "Registration": frozenset({"id", "source", "basis", "start_on", "end_on", "managing_agency", "manager",
                               "due_duty", "due_on"}),
    "Notification": frozenset({"id", "source", "type", "notified_on", "changed_on", "station", "reference",
                               "given_names", "family_names", "name_keys", "home_line1", "home_town",
                               "home_postcode", "home_key"}),
}
#: Properties the load writes from a record field unless something moved them since (a transfer
#: moves ``managed_by``): state only when they differ from that field.
MOVED: dict[str, dict[str, str]] = {"Registration": {"managed_by": "managing_agency"}}

# -- what the dump knows (check_kinds) ----------------------------------------------------------
#: labels a record's load sets beside its kind's (roles; an incident with no identified offender)
ROLE_LABELS = frozenset({"Offender", "Victim", "Unidentified"})
#: nodes the records make, with every property they hold (a dump's records make them again)
MADE_BY_RECORDS: dict[str, frozenset[str]] = {
    "Phone": frozenset({"value"}), "Email": frozenset({"value"}), "Vehicle": frozenset({"value"}),
    "Handle": frozenset({"value", "platform", "handle"}), "Address": frozenset({"key", "line1", "town", "postcode"}),
    "Agency": frozenset({"code"}),
}
#: nodes dumped whole, every property (the alerts: contract section 6)
DUMPED_WHOLE = frozenset({"Subscription", "Alert", "AlertHead"})
#: nodes a dump leaves out on purpose: API keys, the audit log and their bookkeeping (Neo4j's own
#: backup keeps them: docs/backup.md), the pattern state (derived from the records: a restore
#: rebuilds it), the alert dispatcher's lease (a process of the old deployment)
LEFT_OUT = frozenset({"ApiKey", "AuditEntry", "AuditHead", "KeyDay", "KeyRead", "SchemaMigration",
                      "RegisterVersion", "SerialState", "ClusterState", "PatternState", "StateChange", "Dispatcher"})
#: relationships the records make (each holds the record's source only)
RECORD_RELATIONSHIPS = frozenset({"REPORTED_BY", "HAS_IDENTIFIER", "HAS_ADDRESS", "OFFENDER_IN", "VICTIM_IN",
                                  "BREACHED", "USED", "RESTRAINS", "PROTECTS", "REGISTERS", "UNDER_ORDER",
                                  "NOTIFIES", "BY"})
#: relationships dumped whole, and those of the pattern state (rebuilt)
DUMPED_RELATIONSHIPS = frozenset({"POSSIBLY_SAME_AS"})
DERIVED_RELATIONSHIPS = frozenset({"STATE_OF", "CLUSTER_OF"})


class DumpIncomplete(GraphsvcError):
    """The register holds something a dump would leave out unnoticed."""

    status = 500


def check_kinds(db: Database) -> None:
    """Raise :class:`DumpIncomplete` when the register holds a label, a relationship type or a
    property on a record-made node or relationship that the dump does not know."""
    known = set(LABELS.values()) | ROLE_LABELS | set(MADE_BY_RECORDS) | DUMPED_WHOLE | LEFT_OUT
    problems: list[str] = []
    for row in db.read_job("dump_node_kinds"):
        labels = set(row["labels"])
        unknown = labels - known
        if unknown:
            problems.append(f"label {', '.join(sorted(unknown))}")
        for label in labels & set(MADE_BY_RECORDS):
            extra = {k for k in row["keys"] if k is not None} - MADE_BY_RECORDS[label]
            if extra:
                problems.append(f"{label} property {', '.join(sorted(extra))}")
    for row in db.read_job("dump_relationship_kinds"):
        kind = row["type"].strip(":`")
        if kind in RECORD_RELATIONSHIPS:
            extra = {k for k in row["keys"] if k is not None} - {"source"}
            if extra:
                problems.append(f"{kind} property {', '.join(sorted(extra))}")
        elif kind not in DUMPED_RELATIONSHIPS | DERIVED_RELATIONSHIPS:
            problems.append(f"relationship type {kind}")
    if problems:
        raise DumpIncomplete("the register holds what graphsvc dump does not know, and a restore would lose: "
                             + "; ".join(sorted(set(problems)))
                             + " (add it to graphsvc/repository/dump.py and docs/backup.md first)",
                             {"unknown": sorted(set(problems))})


# -- typed values -------------------------------------------------------------------------------
_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$")


def _zoned(text: str) -> neo4j.time.DateTime:
    """A zoned date-time from Neo4j's text of it (``toString``): ``...+01:00``, ``...Z`` or
    ``...+01:00[Europe/London]``; an offset stays an offset, a zone id a zone id."""
    zone = None
    if text.endswith("]") and "[" in text:
        text, zone = text[:-1].split("[", 1)
    found = _OFFSET.search(text)
    if found is None:
        raise ValueError(f"no offset in {text!r}")
    local, offset = text[: found.start()], found.group(1)
    if offset == "Z":
        tz = dt.timezone.utc
    else:
        sign = -1 if offset[0] == "-" else 1
        parts = [int(p) for p in offset[1:].split(":")] + [0]
        tz = dt.timezone(sign * dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2]))
    naive = neo4j.time.DateTime.from_iso_format(local)
    aware = neo4j.time.DateTime(naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second,
                                naive.nanosecond, tzinfo=tz)
    if zone is None:
        return aware
    # A zone id becomes a pytz zone, the driver's own (sent back as the id). Not zoneinfo: its C
    # code reads the driver's DateTime as the datetime it is not (a wrong offset, and a
    # segmentation fault under pytest). The instant is moved with Python's datetime, nanoseconds kept.
    named = pytz.timezone(zone)
    moved = aware.to_native().astimezone(named)
    return neo4j.time.DateTime(moved.year, moved.month, moved.day, moved.hour, moved.minute, moved.second,
                               naive.nanosecond, tzinfo=moved.tzinfo)


def encode(value: Any, zoned: Sequence[str] | None = None) -> Any:
    """A stored value as JSON: JSON's own types as they are, others as ``{"$type": text}``.

    ``zoned``: Neo4j's text of a zoned date-time (a list's, one per item), which keeps a zone
    id the driver's value does not tell from an offset. Raises :class:`ValueError` on a value
    the format has no tag for (a point).
    """
    if isinstance(value, bool) or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, list):
        texts = list(zoned) if zoned is not None else [None] * len(value)
        return [_encode_one(v, t) for v, t in zip(value, texts)]
    return _encode_one(value, zoned[0] if zoned else None)


def _encode_one(value: Any, text: str | None) -> Any:
    if isinstance(value, (bool, str, int, float)):
        return encode(value)
    if isinstance(value, neo4j.time.DateTime):
        if value.tzinfo is None:
            return {"$localdatetime": value.iso_format()}
        return {"$datetime": text or value.iso_format()}
    if isinstance(value, neo4j.time.Date):
        return {"$date": value.iso_format()}
    if isinstance(value, neo4j.time.Time):
        return {"$localtime" if value.tzinfo is None else "$time": value.iso_format()}
    if isinstance(value, neo4j.time.Duration):
        return {"$duration": value.iso_format()}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    raise ValueError(f"a stored value of type {type(value).__name__} has no place in the dump format")


_DECODERS: dict[str, Any] = {
    "$date": neo4j.time.Date.from_iso_format,
    "$datetime": _zoned,
    "$localdatetime": neo4j.time.DateTime.from_iso_format,
    "$time": neo4j.time.Time.from_iso_format,
    "$localtime": neo4j.time.Time.from_iso_format,
    "$duration": neo4j.time.Duration.from_iso_format,
    "$bytes": lambda text: bytearray(base64.b64decode(text, validate=True)),
    "$float": float,
}


def decode(value: Any) -> Any:
    """The Neo4j value :func:`encode` wrote (driver types, ready to be a parameter). Raises
    :class:`ValueError` saying what is wrong."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) != 1:
            raise ValueError("a typed value is an object with one key, such as {\"$date\": \"2024-05-01\"}")
        (tag, text), = value.items()
        if tag not in _DECODERS or not isinstance(text, str):
            raise ValueError(f"unknown typed value {tag!r} (one of {', '.join(sorted(_DECODERS))}, with text)")
        try:
            return _DECODERS[tag](text)
        except (ValueError, TypeError, KeyError, pytz.UnknownTimeZoneError) as exc:
            raise ValueError(f"{tag} {text!r} does not read: {exc}") from None
    if value is None:
        raise ValueError("a stored property is never null")
    return value


def encode_props(props: Mapping[str, Any], zoned: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Every property of ``props`` encoded, in key order; ``zoned``: ``[[key, [text...]]]``."""
    texts = {k: t for k, t in zoned}
    return {k: encode(props[k], texts.get(k)) for k in sorted(props)}


# -- records ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One record read from a page: the record (contract format), the node's state beyond it
    (encoded; empty when there is none) and, for a person, the identity links from him."""

    kind: str
    record: dict[str, Any]
    state: dict[str, Any]
    links: list[dict[str, Any]]


def _occurred(value: Any, precision: str | None) -> str:
    """A stored incident time as the record had it: the date for a time known only to the day
    (its London day), else the date-time with the offset it was recorded with, which loading
    the dump stores again unchanged (contract section 9; the fingerprints compare offsets too)."""
    at = value.to_native() if hasattr(value, "to_native") else value
    if precision == "date":
        return local_day(at).isoformat()
    return str(at.isoformat())


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, [], {})}


def _state(label: str, props: Mapping[str, Any], zoned: Sequence[Sequence[Any]]) -> dict[str, Any]:
    keys = RECORD_KEYS[label]
    moved = MOVED.get(label, {})
    beyond = {k: v for k, v in props.items()
              if k not in keys and not (k in moved and v == props.get(moved[k]))}
    return encode_props(beyond, zoned)


def _links(links: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"b": link["b"], "props": encode_props(link["props"], link["zoned"])}
            for link in sorted(links, key=lambda x: x["b"])]


def _pick(props: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: props.get(k) for k in keys}


def _person(row: Mapping[str, Any]) -> dict[str, Any]:
    p = row["props"]
    return _clean({
        "kind": "person", **_pick(p, "id", "source", "given_name", "family_name", "aliases", "gender"),
        "dob": iso(p.get("dob")),
        "phones": sorted(row["phones"]), "emails": sorted(row["emails"]),
        "handles": sorted(row["handles"], key=lambda h: (h["platform"], h["handle"])),
        "vehicles": sorted(row["vehicles"]),
        "addresses": [_clean(a) for a in sorted(row["addresses"], key=lambda a: json.dumps(a, sort_keys=True))],
    })


def _order(row: Mapping[str, Any]) -> dict[str, Any]:
    o = row["props"]
    return _clean({
        "kind": "order", **_pick(o, "id", "source", "type", "conditions"),
        "issued_on": iso(o["issued_on"]), "expires_on": iso(o.get("expires_on")),
        "respondent_id": row["respondent_id"], "protected_ids": sorted(row["protected_ids"]),
    })


def _incident(row: Mapping[str, Any]) -> dict[str, Any]:
    n = row["props"]
    used = _clean({
        "phones": sorted(row["phones"]), "emails": sorted(row["emails"]),
        "handles": sorted(row["handles"], key=lambda h: (h["platform"], h["handle"])),
        "vehicles": sorted(row["vehicles"]),
    })
    return _clean({
        "kind": "incident", **_pick(n, "id", "source", "type", "outcome", "description"),
        "occurred_at": _occurred(n["occurred_at"], n.get("occurred_precision")),
        "reported_at": _occurred(n["reported_at"], "datetime") if n.get("reported_at") is not None else None,
        "offender_ids": sorted(row["offender_ids"]), "victim_ids": sorted(row["victim_ids"]),
        "breached_order_ids": sorted(row["breached_order_ids"]), "identifiers_used": used,
    })


def _registration(row: Mapping[str, Any]) -> dict[str, Any]:
    r = row["props"]
    return _clean({
        "kind": "registration", **_pick(r, "id", "source", "basis", "managing_agency", "manager"),
        "start_on": iso(r["start_on"]), "end_on": iso(r.get("end_on")),
        "person_id": row["person_id"], "order_id": row["order_id"],
    })


def _notification(row: Mapping[str, Any]) -> dict[str, Any]:
    n = row["props"]
    given, family = n.get("given_names") or [], n.get("family_names") or []
    home = _clean({"line1": n.get("home_line1"), "town": n.get("home_town"), "postcode": n.get("home_postcode")})
    return _clean({
        "kind": "notification", **_pick(n, "id", "source", "type", "station", "reference"),
        "notified_on": iso(n["notified_on"]), "changed_on": iso(n.get("changed_on")), "home_address": home,
        "names": [_clean({"given_name": g or None, "family_name": f or None}) for g, f in zip(given, family)],
        "person_id": row["person_id"], "registration_id": row["registration_id"],
    })


_RECORD_OF = {"person": _person, "order": _order, "incident": _incident, "registration": _registration,
              "notification": _notification}


def _pages(db: Database, name: str, **params: Any) -> Iterator[dict[str, Any]]:
    after = ""
    while True:
        rows = db.read(name, after=after, limit=PAGE, **params)
        yield from rows
        if len(rows) < PAGE:
            return
        after = rows[-1]["props"]["id"]


def record_pages(db: Database, kind: str) -> Iterator[Row]:
    """Every loaded record of ``kind`` in id order, with its node state (and a person's links)."""
    label = LABELS[kind]
    for row in _pages(db, f"dump_{kind}s", keys=sorted(RECORD_KEYS[label])):
        yield Row(kind, _RECORD_OF[kind](row), _state(label, row["props"], row["zoned"]),
                  _links(row.get("links") or []))


def placeholders(db: Database) -> list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    """``(label, id, state, links)`` of the placeholders holding more than their id (their state
    keeps the placeholder mark, so a restore can make them)."""
    out = []
    for row in db.read_job("dump_placeholders"):
        props = dict(row["props"])
        node_id = props.pop("id")
        out.append((row["label"], node_id, encode_props(props, row["zoned"]), _links(row["links"])))
    return out


def _whole(db: Database, name: str, paged: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    rows = _pages(db, name) if paged else iter(db.read(name))
    for row in rows:
        props = dict(row["props"])
        node_id = str(props.pop("id"))
        yield node_id, encode_props(props, row["zoned"])


def subscriptions(db: Database) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(id, encoded properties but the id)`` of every subscription, live and deleted, in id
    order; the secret is among them: the caller decides where it goes."""
    return _whole(db, "dump_subscriptions", True)


def alerts(db: Database) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(id, encoded properties but the id)`` of every alert, in id order."""
    return _whole(db, "dump_alerts", True)


def alert_heads(db: Database) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(id, encoded properties but the id)`` of the alerts' counter."""
    return _whole(db, "dump_alert_heads", False)
