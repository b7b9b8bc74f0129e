"""The loaders' error tree: one root, :class:`LoaderError`.

A record that fails validation is a :class:`RecordError` holding one :class:`FieldError` per
faulty field (contract section 1: the rejected-record report names the line, id, field and
reason); a CSV file whose header the reader cannot map is a :class:`CsvLayoutError`, which stops
the load before any write. The layers above catch these by name; the loaders know nothing of
HTTP or exit codes.
"""

from __future__ import annotations

__all__ = ["LoaderError", "FieldError", "RecordError", "CsvLayoutError"]


class LoaderError(Exception):
    """Base of every error the loaders raise on purpose."""


class FieldError(LoaderError):
    """One field of a record is wrong: ``field`` (None for the record as a whole) and why."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class RecordError(LoaderError):
    """A record failed validation: its id (when it has a usable one) and each field's error."""

    def __init__(self, record_id: str | None, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field or 'record'}: {e.message}" for e in errors))
        self.record_id = record_id
        self.errors = errors


class CsvLayoutError(LoaderError, ValueError):
    """A CSV file's header does not follow the documented layout (docs/loading.md)."""
