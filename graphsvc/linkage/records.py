"""Person records in, a typed comparison frame out.

The linkage compares persons in the contract's *normalised* shape (``docs/graph-model.md``):
phones already in E.164, emails lower-case, handles ``platform:handle``, vehicles upper-case
without spaces. This module checks that shape (a record that breaks it raises
:class:`~graphsvc.linkage.errors.LinkageRecordError` naming the record, field and reason), applies the
few cheap canonical forms that make comparisons exact (case, accents, spacing), and derives the
columns the model compares and blocks on.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import jellyfish
import pandas as pd

from graphsvc.linkage.errors import LinkageRecordError
from loaders.records import RECORD_ID
from graphsvc.linkage.nicknames import formal_names

__all__ = [
    "PERSON_FIELDS",
    "LIST_FIELDS",
    "IDENTIFIER_FIELDS",
    "prepare_persons",
    "prepare_person",
    "register_frame",
    "from_contract_person",
]

#: Fields of a person record the linkage reads (``other_ids`` is an extension, see the docs).
PERSON_FIELDS: tuple[str, ...] = (
    "id",
    "source",
    "given_name",
    "family_name",
    "aliases",
    "dob",
    "gender",
    "phones",
    "emails",
    "handles",
    "vehicles",
    "postcodes",
    "other_ids",
)
#: Identifier lists: each a list of exact, normalised strings.
IDENTIFIER_FIELDS: tuple[str, ...] = ("phones", "emails", "handles", "vehicles", "other_ids")
#: Every list-valued field.
LIST_FIELDS: tuple[str, ...] = ("aliases", *IDENTIFIER_FIELDS, "postcodes")

_DOB_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_E164_RE = re.compile(r"^\+[1-9]\d{5,14}$")
_SCHEMED_RE = re.compile(r"^[a-z0-9_.-]{1,32}:[^\s:]\S*$")
_NAME_DROP_RE = re.compile(r"[^a-z' -]+")
_SPACES_RE = re.compile(r"\s+")

#: Column types of the comparison frame, in order (used to cast into DuckDB).
FRAME_COLUMNS: dict[str, str] = {
    "unique_id": "VARCHAR",
    "source": "VARCHAR",
    "given_name": "VARCHAR",
    "family_name": "VARCHAR",
    "names": "VARCHAR[]",
    "given_key": "VARCHAR",
    "family_key": "VARCHAR",
    "dob": "VARCHAR",
    "dob_year": "VARCHAR",
    "gender": "VARCHAR",
    "phones": "VARCHAR[]",
    "emails": "VARCHAR[]",
    "handles": "VARCHAR[]",
    "vehicles": "VARCHAR[]",
    "other_ids": "VARCHAR[]",
    "postcodes": "VARCHAR[]",
    "identifiers": "VARCHAR[]",
}


@functools.lru_cache(maxsize=1 << 16)
def _clean_name(value: str) -> str | None:
    # cached: the intake check prepares about 60 register records per subject, and names repeat
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NAME_DROP_RE.sub(" ", text.replace("-", " "))
    text = _SPACES_RE.sub(" ", text).strip()
    return text or None


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from a pandas frame
        return True
    return isinstance(value, str) and not value.strip()


def _as_list(index: int, rid: str | None, field: str, value: Any) -> list[str]:
    if _is_blank(value):
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise LinkageRecordError(index, rid, field, "must be a list of strings")
    out: list[str] = []
    for item in value:
        if _is_blank(item):
            continue
        if not isinstance(item, str):
            raise LinkageRecordError(index, rid, field, f"item {item!r} is not a string")
        out.append(item.strip())
    return out


def _opt_str(index: int, rid: str | None, field: str, value: Any) -> str | None:
    if _is_blank(value):
        return None
    if not isinstance(value, str):
        raise LinkageRecordError(index, rid, field, "must be a string or null")
    return value.strip()


def _uniq(items: Iterable[str]) -> list[str] | None:
    out = list(dict.fromkeys(i for i in items if i))
    return out or None


def prepare_person(
    record: Mapping[str, Any], index: int = 0, *, require_id: bool = True
) -> dict[str, Any]:
    """Check one normalised person record and return its comparison row.

    Parameters
    ----------
    record : mapping
        A person in the contract's normalised shape: ``id``, ``source``, ``given_name``,
        ``family_name``, ``aliases`` [str], ``dob`` ('YYYY-MM-DD' or None), ``gender``,
        ``phones`` [E.164], ``emails``, ``handles`` ['platform:handle'], ``vehicles``,
        ``postcodes``, and optionally ``other_ids`` ['scheme:value'] and ``addresses``
        [{``postcode``}] (their postcodes are added to ``postcodes``). Missing fields are null.
    index : int, optional
        Position of the record in its input, reported in errors.
    require_id : bool, optional (default True)
        When False a missing id is allowed (a subject described by a complainant) and the
        row gets the id ``"__subject__"``.

    Returns
    -------
    dict
        The row: canonical names (lower-case, accents and punctuation removed), ``names``
        (given name, aliases, and the formal names of any nickname among them), soundex blocking keys, ``dob_year``, identifier lists
        (null when empty) and ``identifiers`` (every identifier prefixed with its kind).

    Raises
    ------
    LinkageRecordError
        If ``id`` is missing or malformed, a list field is not a list of strings, ``dob`` is
        not 'YYYY-MM-DD', a phone is not E.164, a handle or other id is not 'scheme:value',
        or the record carries neither a name nor an identifier.

    Examples
    --------
    >>> row = prepare_person({"id": "P-1", "given_name": "Zoë", "phones": ["+447700900123"]})
    >>> row["given_name"], row["identifiers"]
    ('zoe', ['phone:+447700900123'])
    """
    if not isinstance(record, Mapping):
        raise LinkageRecordError(index, None, "record", "must be a mapping of person fields")
    rid_raw = record.get("id")
    if _is_blank(rid_raw):
        if require_id:
            raise LinkageRecordError(index, None, "id", "is required")
        rid = "__subject__"
    elif not isinstance(rid_raw, str) or not RECORD_ID.match(rid_raw):
        raise LinkageRecordError(index, str(rid_raw), "id", "must be 1-128 chars of A-Z a-z 0-9 . _ : -")
    else:
        rid = rid_raw
    source = _opt_str(index, rid, "source", record.get("source"))

    given_raw = _opt_str(index, rid, "given_name", record.get("given_name"))
    family_raw = _opt_str(index, rid, "family_name", record.get("family_name"))
    given = _clean_name(given_raw) if given_raw else None
    family = _clean_name(family_raw) if family_raw else None
    aliases = [
        a for a in (_clean_name(x) for x in _as_list(index, rid, "aliases", record.get("aliases")))
        if a
    ]
    alias_tokens = [t for a in aliases for t in a.split(" ") if t != family]
    given_tokens = given.split(" ") if given else []
    formal = [f for t in (*given_tokens, *alias_tokens) for f in formal_names(t)]
    names = _uniq([*(x for x in [given] if x), *aliases, *alias_tokens, *formal])

    dob = _opt_str(index, rid, "dob", record.get("dob"))
    if dob is not None and not _DOB_RE.match(dob):
        raise LinkageRecordError(index, rid, "dob", f"{dob!r} is not 'YYYY-MM-DD'")
    gender_raw = _opt_str(index, rid, "gender", record.get("gender"))
    gender = gender_raw.casefold() if gender_raw else None

    phones = _as_list(index, rid, "phones", record.get("phones"))
    for p in phones:
        if not _E164_RE.match(p):
            raise LinkageRecordError(index, rid, "phones", f"{p!r} is not E.164 (normalise first)")
    emails = [e.casefold() for e in _as_list(index, rid, "emails", record.get("emails"))]
    for e in emails:
        if "@" not in e:
            raise LinkageRecordError(index, rid, "emails", f"{e!r} is not an email address")
    handles: list[str] = []
    for h in _as_list(index, rid, "handles", record.get("handles")):
        platform, sep, handle = h.casefold().partition(":")
        handle = handle.lstrip("@")
        if not sep or not platform or not handle:
            raise LinkageRecordError(index, rid, "handles", f"{h!r} is not 'platform:handle'")
        handles.append(f"{platform}:{handle}")
    vehicles = [
        re.sub(r"\s+", "", v).upper() for v in _as_list(index, rid, "vehicles", record.get("vehicles"))
    ]
    other_ids = [o.casefold() for o in _as_list(index, rid, "other_ids", record.get("other_ids"))]
    for o in other_ids:
        if not _SCHEMED_RE.match(o):
            raise LinkageRecordError(index, rid, "other_ids", f"{o!r} is not 'scheme:value'")
    postcodes = [
        re.sub(r"\s+", "", p).upper()
        for p in _as_list(index, rid, "postcodes", record.get("postcodes"))
    ]
    addresses = record.get("addresses")
    if not _is_blank(addresses):
        if isinstance(addresses, Mapping) or not isinstance(addresses, Iterable):
            raise LinkageRecordError(index, rid, "addresses", "must be a list of address objects")
        for a in addresses:
            if isinstance(a, Mapping) and not _is_blank(a.get("postcode")):
                postcodes.append(re.sub(r"\s+", "", str(a["postcode"])).upper())

    identifiers = _uniq(
        [f"phone:{x}" for x in phones]
        + [f"email:{x}" for x in emails]
        + [f"handle:{x}" for x in handles]
        + [f"vehicle:{x}" for x in vehicles]
        + [f"other:{x}" for x in other_ids]
    )
    if not (given or family or names or identifiers):
        raise LinkageRecordError(index, rid, "record", "needs at least one name or one identifier")

    return {
        "unique_id": rid,
        "source": source,
        "given_name": given,
        "family_name": family,
        "names": names,
        "given_key": jellyfish.soundex(given) if given else None,
        "family_key": jellyfish.soundex(family) if family else None,
        "dob": dob,
        "dob_year": dob[:4] if dob else None,
        "gender": gender,
        "phones": _uniq(phones),
        "emails": _uniq(emails),
        "handles": _uniq(handles),
        "vehicles": _uniq(vehicles),
        "other_ids": _uniq(other_ids),
        "postcodes": _uniq(postcodes),
        "identifiers": identifiers,
    }


def prepare_persons(
    records: pd.DataFrame | Iterable[Mapping[str, Any]], *, unique_ids: bool = True
) -> pd.DataFrame:
    """Check normalised person records and return the comparison frame.

    Parameters
    ----------
    records : pandas.DataFrame or iterable of mappings
        Person records in the contract's normalised shape (see :func:`prepare_person`).
    unique_ids : bool, optional (default True)
        Require every ``id`` to occur once.

    Returns
    -------
    pandas.DataFrame
        One row per record with the columns of ``FRAME_COLUMNS``.

    Raises
    ------
    LinkageRecordError
        For the first malformed record, or a repeated id.
    TypeError
        If ``records`` is neither a DataFrame nor an iterable of mappings.

    Examples
    --------
    >>> frame = prepare_persons([{"id": "A", "source": "X", "family_name": "Smith"}])
    >>> list(frame["family_name"])
    ['smith']
    """
    if isinstance(records, pd.DataFrame):
        rows: Iterable[Mapping[str, Any]] = records.to_dict("records")
    elif isinstance(records, (str, bytes)) or not isinstance(records, Iterable):
        raise TypeError("records must be a pandas DataFrame or an iterable of dicts")
    else:
        rows = records
    out = [prepare_person(r, i) for i, r in enumerate(rows)]
    frame = pd.DataFrame(out, columns=list(FRAME_COLUMNS))
    if unique_ids and len(out):
        dup = frame["unique_id"].duplicated()
        if dup.any():
            i = int(dup.to_numpy().nonzero()[0][0])
            raise LinkageRecordError(i, str(frame["unique_id"].iloc[i]), "id", "occurs more than once")
    return frame


def register_frame(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, name: str) -> str:
    """Copy a comparison frame into DuckDB as a typed table and return the table's name.

    Explicit casts keep list columns ``VARCHAR[]`` even when every value is null (pandas gives
    DuckDB no type for an all-null column).
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"bad table name {name!r}")
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks columns {missing}; build it with prepare_persons")
    view = f"{name}__src"
    con.register(view, frame[list(FRAME_COLUMNS)])
    casts = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in FRAME_COLUMNS.items())
    # nosec B608: the table name matched [a-z_][a-z0-9_]* above and the columns are constants;
    # no value is interpolated (DuckDB cannot take identifiers as parameters).
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {casts} FROM {view}")  # nosec B608
    con.unregister(view)
    return name


def from_contract_person(person: Mapping[str, Any]) -> dict[str, Any]:
    """Map a validated contract person (the loader's ``PersonRecord.model_dump()``, or a
    person as fetched from the graph) onto the linkage's normalised shape.

    Handles ``[{"platform", "handle"}]`` become ``"platform:handle"``, a ``date`` of birth
    becomes 'YYYY-MM-DD', and address postcodes become ``postcodes``. Other fields pass through.

    Examples
    --------
    >>> from_contract_person({"id": "A", "source": "X", "handles": [{"platform": "x",
    ...     "handle": "ann"}], "addresses": [{"postcode": "B1 1AA"}]})["handles"]
    ['x:ann']
    """
    if not isinstance(person, Mapping):
        raise TypeError("person must be a mapping")
    out = {k: person.get(k) for k in PERSON_FIELDS if k in person}
    dob = person.get("dob")
    if dob is not None and not isinstance(dob, str):
        out["dob"] = dob.isoformat()
    handles = []
    for h in person.get("handles") or ():
        if isinstance(h, Mapping):
            handles.append(f"{h.get('platform')}:{h.get('handle')}")
        else:
            handles.append(str(h))
    out["handles"] = handles
    postcodes = list(person.get("postcodes") or ())
    for a in person.get("addresses") or ():
        pc = a.get("postcode") if isinstance(a, Mapping) else getattr(a, "postcode", None)
        if pc:
            postcodes.append(pc)
    out["postcodes"] = postcodes
    return out
