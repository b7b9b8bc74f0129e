"""Time as contract section 9 keeps and shows it: the one place date-times are read, dated and
formatted.

* **Kept as recorded.** :func:`recorded` reads a record's date or date-time: one with an offset
  keeps it (``Z`` is ``+00:00``); one without is local time in Europe/London and gets London's
  offset at that moment; a date is London's midnight of that day, with precision ``date``. The
  graph stores exactly that value (a Neo4j DateTime with the recorded offset), so a dump shows
  what was recorded and Cypher compares instants.
* **Shown in Europe/London.** :func:`iso` formats every date and date-time an answer or an
  export shows: a date-time as London local time with its offset
  (``2024-08-22T00:55:00+01:00``), whatever offset it was recorded or read with; a time known
  only to the day (:class:`DateOnly`, or ``precision="date"``) as its date. An incident never
  moves to another day.
* **Dated in Europe/London.** :func:`local_day` is the calendar day of an instant in London:
  the analyses that count days (repeated occasions, orders in force, "today") use it, never the
  UTC day.
* **Not in the future.** :func:`not_future` refuses a date or date-time past now plus
  :data:`FUTURE_TOLERANCE`; "now" is a parameter, so tests and callers pass their own clock.

Pure standard library: imported by the record model and by every layer of graphsvc.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "LONDON",
    "FUTURE_TOLERANCE",
    "DateOnly",
    "recorded",
    "iso",
    "local_day",
    "days_between",
    "today",
    "now",
    "not_future",
]

#: The register's time zone: naive times are read in it, and every time is shown in it.
LONDON = ZoneInfo("Europe/London")

#: How far past the present a date or date-time may lie and still be accepted: one day, to
#: absorb clock skew between forces' systems and time zones (a record stamped in a zone ahead
#: of London is "tomorrow" here for a few hours). Anything later is refused as a future date.
FUTURE_TOLERANCE = dt.timedelta(days=1)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateOnly(dt.datetime):
    """A time known only to the day (an incident with ``occurred_precision`` ``date``): the
    instant of London's midnight that day, so it sorts and subtracts among timed incidents,
    and :func:`iso` shows it as the date. Arithmetic with a timedelta gives a plain date-time
    (a moment some hours later is no longer "that day, time unknown")."""

    def __add__(self, other: Any) -> Any:
        out = super().__add__(other)
        return _plain(out) if isinstance(out, DateOnly) else out

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        out = super().__sub__(other)
        return _plain(out) if isinstance(out, DateOnly) else out

    @classmethod
    def of(cls, value: dt.datetime) -> DateOnly:
        return cls(value.year, value.month, value.day, value.hour, value.minute, value.second,
                   value.microsecond, value.tzinfo, fold=value.fold)


def _plain(value: dt.datetime) -> dt.datetime:
    return dt.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                       value.microsecond, value.tzinfo, fold=value.fold)


def _with_fixed_offset(value: dt.datetime) -> dt.datetime:
    """``value`` (aware) with its offset at that moment as a fixed offset: what the graph
    stores (a Neo4j DateTime with an offset, not a zone name)."""
    offset = value.utcoffset()
    return value.replace(tzinfo=dt.timezone(offset if offset is not None else dt.timedelta(0)))


def _london_midnight(day: dt.date) -> dt.datetime:
    return _with_fixed_offset(dt.datetime(day.year, day.month, day.day, tzinfo=LONDON))


def recorded(value: Any) -> tuple[dt.datetime, str]:
    """An ISO 8601 date or date-time as recorded -> ``(date-time with its offset, precision)``.

    The offset given is kept (``Z`` as ``+00:00``); a time without one is London local time
    (in the autumn's repeated hour, the first of the two, British Summer Time); a date is
    London's midnight that day with precision ``date``. Raises :class:`ValueError` for
    anything else.
    """
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        return _london_midnight(value), "date"
    elif isinstance(value, str):
        text = value.strip()
        if _DATE.match(text):
            try:
                return _london_midnight(dt.date.fromisoformat(text)), "date"
            except ValueError:
                raise ValueError("must be an ISO 8601 date or date-time") from None
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("must be an ISO 8601 date or date-time") from None
    else:
        raise ValueError("must be an ISO 8601 date or date-time")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LONDON)
    return _with_fixed_offset(parsed), "datetime"


def _native(value: Any) -> Any:
    to_native = getattr(value, "to_native", None)  # the driver's neo4j.time values
    return to_native() if callable(to_native) else value


def iso(value: Any, precision: str | None = None) -> Any:
    """A date or date-time as answers and exports show it (the one formatter).

    A date-time in Europe/London with its offset (``2024-08-22T00:55:00+01:00``); a
    :class:`DateOnly`, or any date-time with ``precision="date"``, as its London date
    (``2024-08-22``); a date as itself. :mod:`datetime` values or the driver's temporal values;
    anything else, ``None`` included, as it is. A naive date-time is taken as London local time.
    """
    value = _native(value)
    if isinstance(value, dt.datetime):
        local = value.astimezone(LONDON) if value.tzinfo is not None else value.replace(tzinfo=LONDON)
        if precision == "date" or isinstance(value, DateOnly):
            return local.date().isoformat()
        return _plain(local).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def local_day(value: Any) -> dt.date:
    """The calendar day of a date or date-time in Europe/London (a date is its own day; a
    naive date-time is London local time)."""
    value = _native(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(LONDON).date() if value.tzinfo is not None else value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"not a date or date-time: {value!r}")


def days_between(earlier: Any, later: Any) -> int:
    """Calendar days from one date or date-time to another, counted in Europe/London: what a
    span, a gap or "days after" means to an analyst (the hour lost or gained when the clocks
    change does not shorten a span by a day)."""
    return (local_day(later) - local_day(earlier)).days


def now() -> dt.datetime:
    """The present instant (aware, UTC): the default clock of :func:`not_future`."""
    return dt.datetime.now(dt.timezone.utc)


def today(at: dt.datetime | None = None) -> dt.date:
    """Today in Europe/London (of ``at``, default now): the day orders are judged in force on."""
    return local_day(at or now())


def not_future(value: dt.date | dt.datetime, at: dt.datetime | None = None) -> None:
    """Raise :class:`ValueError` when ``value`` lies past ``at`` (default now) plus
    :data:`FUTURE_TOLERANCE`. A date is compared by day, in London: it may be at most the
    London day of now plus the tolerance."""
    limit = ((at or now()) + FUTURE_TOLERANCE).replace(microsecond=0)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=LONDON)
        if aware > limit:
            raise ValueError(f"is in the future (after {iso(limit)}, now plus {_tolerance()} of tolerance)")
        return
    last = local_day(limit)
    if value > last:
        raise ValueError(f"is in the future (after {last.isoformat()}, today plus {_tolerance()} of tolerance)")


def _tolerance() -> str:
    days = FUTURE_TOLERANCE / dt.timedelta(days=1)
    return f"{days:g} day" + ("" if days == 1 else "s")
