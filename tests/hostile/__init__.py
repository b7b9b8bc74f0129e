"""The hostile-input corpus (``strings.json``) and what every answer to it must satisfy."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["strings", "cursors", "leaks", "LEAK_MARKERS"]

_HERE = Path(__file__).resolve().parent

# Text that must never reach a client: Python tracebacks, driver and Neo4j error text.
LEAK_MARKERS = (
    "Traceback",
    'File "/',
    "neo4j.exceptions",
    "Neo.ClientError",
    "Neo.DatabaseError",
    "Neo.TransientError",
    "CypherSyntaxError",
    "org.neo4j",
    "org.apache.lucene",
    "Invalid input '",
    "Exception:",
    "werkzeug",
)


@lru_cache(maxsize=1)
def _doc() -> dict[str, Any]:
    return json.loads((_HERE / "strings.json").read_text(encoding="ascii"))  # type: ignore[no-any-return]


def strings(include_long: bool = True) -> list[tuple[str, str]]:
    """``(class, value)`` for every hostile string; long ones expanded."""
    out = [(cls, value) for cls, value in _doc()["strings"]]
    if include_long:
        out += [(cls, unit * times) for cls, unit, times in _doc()["long"]]
    return out


def cursors() -> list[tuple[str, str]]:
    """Crafted pagination cursors (well-formed base64 with wrong or out-of-range keys)."""
    return [(cls, value) for cls, value in _doc()["cursors"]]


def leaks(text: str) -> list[str]:
    """The leak markers found in a response body."""
    return [marker for marker in LEAK_MARKERS if marker in text]
