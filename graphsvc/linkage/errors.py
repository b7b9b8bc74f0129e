"""Errors raised by the record-linkage library.

One small tree, so callers (the ``resolve`` command, the intake check) can map each to the
project's error shape without parsing messages.
"""

from __future__ import annotations

__all__ = ["LinkageError", "LinkageRecordError", "ModelError"]


class LinkageError(Exception):
    """Base class of every error raised by :mod:`graphsvc.linkage`."""


class LinkageRecordError(LinkageError, ValueError):
    """A person record does not have the shape the linkage expects.

    Parameters
    ----------
    index : int
        Position of the record in the input (0-based).
    record_id : str or None
        The record's ``id`` when it has one.
    field : str
        The offending field.
    reason : str
        What is wrong with it.
    """

    def __init__(self, index: int, record_id: str | None, field: str, reason: str) -> None:
        self.index = index
        self.record_id = record_id
        self.field = field
        self.reason = reason
        super().__init__(f"record {index} (id={record_id!r}): {field}: {reason}")


class ModelError(LinkageError):
    """A linkage model is missing, malformed, untrained or does not fit the data."""
