"""API keys' storage: ``(:ApiKey {key_id, name, role, hash, created_at, revoked_at})`` nodes.

Hashing, verification and the cache are :mod:`graphsvc.security.keys`'s; here are only the
queries. A key's *public record* is its node without the hash.
"""

from __future__ import annotations

from typing import Any

from graphsvc.graph.db import Database

__all__ = ["all_keys", "create_key", "get_key", "revoke_key"]


def create_key(db: Database, props: dict[str, Any]) -> bool:
    """Store a key node with ``props`` unless an active key has its name; whether it was stored
    (``False``: the name clashes, nothing written)."""
    row = db.write("create_api_key", props=props)[0]
    return not row["clashes"]


def all_keys(db: Database) -> list[dict[str, Any]]:
    """Every key's public record, oldest first."""
    return [row["key"] for row in db.read("list_api_keys")]


def revoke_key(db: Database, key_id: str, at: str) -> dict[str, Any] | None:
    """Mark an active key revoked at ``at``; its public record, or ``None`` when unknown or
    already revoked."""
    rows = db.write("revoke_api_key", key_id=key_id, at=at)
    return rows[0]["key"] if rows else None


def get_key(db: Database, key_id: str) -> dict[str, Any] | None:
    """A key's whole node, hash included (for verification only), or ``None``."""
    row = db.read_one("get_api_key", key_id=key_id)
    return row["key"] if row else None
