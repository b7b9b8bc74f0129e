"""The query catalogue: every ``.cypher`` file of the ``cypher`` package, loaded by package path.

One query per file, named verb_noun (``get_person.cypher``); ``schema.cypher`` alone holds
several statements (the idempotent schema). :func:`catalog` reads and checks them all once, at
start-up, so a missing or empty file fails the process before it serves a request.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import LiteralString, cast

__all__ = ["catalog", "query", "schema_statements", "QueryCatalogError"]

_NAME = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")


class QueryCatalogError(RuntimeError):
    pass


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


@lru_cache(maxsize=1)
def catalog() -> dict[str, LiteralString]:
    """Every query by name. Raises :class:`QueryCatalogError` on a bad file name or an empty file."""
    queries: dict[str, LiteralString] = {}
    for entry in resources.files("cypher").iterdir():
        if not entry.name.endswith(".cypher"):
            continue
        name = entry.name.removesuffix(".cypher")
        if not _NAME.match(name):
            raise QueryCatalogError(f"cypher/{entry.name}: query files are named verb_noun")
        text = _strip_comments(entry.read_text(encoding="utf-8")).strip()
        if not text:
            raise QueryCatalogError(f"cypher/{entry.name} is empty")
        if name != "apply_schema" and ";" in text.rstrip(";"):
            raise QueryCatalogError(f"cypher/{entry.name} holds more than one statement")
        # Query text comes from files in the package, never from input: a literal string.
        queries[name] = cast(LiteralString, text.rstrip(";"))
    if not queries:
        raise QueryCatalogError("no .cypher files found in the cypher package")
    return queries


def query(name: str) -> LiteralString:
    try:
        return catalog()[name]
    except KeyError:
        raise QueryCatalogError(f"no query named {name!r} in cypher/") from None


def schema_statements() -> list[LiteralString]:
    """The statements of ``cypher/apply_schema.cypher``, in order."""
    text = query("apply_schema")
    return [cast(LiteralString, part.strip()) for part in text.split(";") if part.strip()]
