"""Driver values as plain Python for every repository module: temporal values to :mod:`datetime`
(instants sent as epoch milliseconds become UTC date-times, incidents known only to the day
:class:`loaders.times.DateOnly`), and the identifier lists the queries take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from loaders.times import DateOnly

__all__ = ["native", "identifier_params", "plain_rows", "instant"]


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


_MS = "_epoch_ms"


def native(value: Any) -> Any:
    """Driver temporal values -> :mod:`datetime`; containers converted recursively.

    A map key ending in ``_epoch_ms`` holding an integer becomes the key without the suffix
    holding a UTC :class:`datetime.datetime`: queries that return many instants (incident
    lists) send ``i.occurred_at.epochMillis AS occurred_at_epoch_ms``, because building Python
    datetimes from integers is several times cheaper than hydrating the driver's DateTime
    values (docs/analysis.md, "Measurements behind the code"). Epoch milliseconds are the
    instant only (the recorded offset stays in the graph): that is all an analysis compares,
    and answers show every time in Europe/London anyway (:func:`loaders.records.iso`). In a
    map that also holds ``occurred_precision`` ``"date"``, ``occurred_at`` becomes a
    :class:`~loaders.times.DateOnly`, shown as its date.
    """
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value  # most values: nothing to convert (checked first, it is the common case)
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k.endswith(_MS) and (v is None or isinstance(v, int)):
                out[k[: -len(_MS)]] = None if v is None else _EPOCH + dt.timedelta(milliseconds=v)
            else:
                out[k] = native(v)
        if out.get("occurred_precision") == "date" and isinstance(out.get("occurred_at"), dt.datetime):
            out["occurred_at"] = DateOnly.of(out["occurred_at"])
        return out
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


def instant(epoch_ms: int | None, precision: str | None = None) -> dt.datetime | None:
    """An instant sent as epoch milliseconds as a UTC date-time (a :class:`DateOnly` when the
    incident's ``precision`` is ``"date"``)."""
    if epoch_ms is None:
        return None
    at = _EPOCH + dt.timedelta(milliseconds=epoch_ms)
    return DateOnly.of(at) if precision == "date" else at


def plain_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [native(r) for r in rows]


def identifier_params(values: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """``{"phones", "emails", "handles", "vehicles"}`` lists (stored forms) for the queries."""
    return {k: list(values.get(k) or []) for k in ("phones", "emails", "handles", "vehicles")}
