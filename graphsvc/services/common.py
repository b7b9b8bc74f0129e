"""What every use case shares: the limits, the input checks, cursors, dates and the identifier
kinds' names."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any

from graphsvc.errors import InvalidInput, NotFound
from loaders.records import RECORD_ID
from loaders.times import LONDON, local_day, today

__all__ = ["LIMIT_CAP", "CHECK_LIMIT_CAP", "SEARCH_LIMIT_CAP"]

LIMIT_CAP = 200
CHECK_LIMIT_CAP = 50
SEARCH_LIMIT_CAP = 100
_KIND = {"Phone": "phone", "Email": "email", "Handle": "handle", "Vehicle": "vehicle"}
_FIELD = {"phone": "phones", "email": "emails", "handle": "handles", "vehicle": "vehicles"}


def identifier_key(kind: str, value: str) -> str:
    """An identifier node (its label and value) as the clusters name it: ``phone:+447700900123``."""
    return f"{_KIND.get(kind, kind.lower())}:{value}"


# -- input checks and cursors -----------------------------------------------------------------
def _today() -> dt.date:
    """Today in Europe/London: the day orders are judged in force on (contract section 9)."""
    return today()


def _limit(limit: Any, cap: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidInput("limit must be a whole number", {"field": "limit"})
    if not 1 <= limit <= cap:
        raise InvalidInput(f"limit must be between 1 and {cap}", {"field": "limit", "max": cap})
    return limit


def _person_id(person_id: Any, field: str = "person_id") -> str:
    if not isinstance(person_id, str) or not RECORD_ID.match(person_id):
        raise InvalidInput("not a valid record id", {"field": field})
    return person_id


def _no_person(person_id: str) -> NotFound:
    return NotFound("no person with this id", {"person_id": person_id})


def _encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode_cursor(cursor: str | None, kinds: Sequence[type]) -> list[Any] | None:
    """The sort key inside ``cursor``; :class:`InvalidInput` unless it has the expected parts."""
    if cursor is None:
        return None
    bad = InvalidInput("cursor is not one this service issued", {"field": "cursor"})
    if not isinstance(cursor, str) or not 1 <= len(cursor) <= 512:
        raise bad
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeError):
        raise bad from None
    if not isinstance(key, list) or len(key) != len(kinds):
        raise bad
    for value, kind in zip(key, kinds):
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            raise bad
        if isinstance(value, float) and not math.isfinite(value):  # the service never issues NaN or infinity
            raise bad
    return key


def _at_midnight(day: dt.date | None, field: str) -> dt.datetime | None:
    if day is None:
        return None
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise InvalidInput(f"{field} must be a date (YYYY-MM-DD)", {"field": field}) from None
    if isinstance(day, dt.datetime):
        day = local_day(day)
    if not isinstance(day, dt.date):
        raise InvalidInput(f"{field} must be a date", {"field": field})
    # the day's start in London, where incidents are dated (contract section 9), not in UTC;
    # sent as the UTC instant (a plain offset for the driver, not a zone name)
    return dt.datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(dt.timezone.utc)
