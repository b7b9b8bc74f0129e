"""API keys: created once, stored only as slow hashes, looked up by a public id.

A key reads ``gsk_<key_id>_<secret>``: ``key_id`` (16 hex characters) is public and names the
``(:ApiKey {key_id, name, role, agency, hash, created_at, revoked_at})`` node (``agency`` absent:
a national key, contract section 5); ``secret`` is 32 random
bytes (URL-safe base64). Only an Argon2id hash of the whole key is stored, so a copy of the
database yields no usable key. :meth:`KeyRing.authenticate` finds the node by ``key_id`` and
verifies the hash (Argon2's comparison is constant-time); an unknown id costs the same hash
check, so timing does not tell which ids exist.

Argon2 costs ~30 ms of CPU per check by design, which a service answering hundreds of requests a
second cannot pay on each one. After a successful check the process remembers, for
``cache_ttl_s`` seconds, a SHA-256 digest of the key and compares later presentations with
:func:`hmac.compare_digest`. Revocation therefore takes effect within ``cache_ttl_s`` (30 s by
default) in every running process; set it to 0 to check Argon2 on every request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from graphsvc.errors import Conflict, InvalidInput, Unauthorized
from graphsvc.graph.db import Database
from graphsvc.repository import keys as store
from graphsvc.security.policy import Role

__all__ = [
    "Principal",
    "KeyRing",
    "principal_of",
    "create_key",
    "list_keys",
    "revoke_key",
    "parse_key",
    "KEY_PATTERN",
    "AGENCY_PATTERN",
    "check_agency",
]

KEY_PATTERN = re.compile(r"^gsk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9 ._:@-]{1,100}$")
#: An agency code as records give it in ``source`` (``MPS``, ``GMP``, ``NCA``): 1-32 letters,
#: digits or ``._-``.
AGENCY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")

# OWASP's Argon2id baseline (19 MiB, 2 passes): slow for an attacker, bearable once per key
# per cache period for us.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = _HASHER.hash("gsk_0000000000000000_" + "0" * 43)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's public id, its name, its role and the agency it acts for
    (``None``: a national key)."""

    key_id: str
    name: str
    role: Role
    agency: str | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this caller: ``name#key_id``."""
        return f"{self.name}#{self.key_id}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def parse_key(token: str) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a well-formed key, else ``None``."""
    match = KEY_PATTERN.match(token)
    return (match.group(1), match.group(2)) if match else None


def check_agency(agency: str | None) -> str | None:
    """``agency`` when it is a well-formed agency code (or ``None``: national), else
    :class:`InvalidInput`."""
    if agency is None:
        return None
    if not AGENCY_PATTERN.match(agency):
        raise InvalidInput(f"agency {agency!r} is not an agency code (1-32 letters, digits or . _ -)")
    return agency


def create_key(db: Database, *, role: str, name: str, agency: str | None = None) -> tuple[str, dict[str, Any]]:
    """Create a key acting for ``agency`` (``None``: national); returns ``(the key, its public
    record)``. The key is never stored."""
    try:
        role_value = Role(role).value
    except ValueError:
        raise InvalidInput(
            f"unknown role {role!r}", {"roles": [r.value for r in Role]}
        ) from None
    if not NAME_PATTERN.match(name):
        raise InvalidInput("a key name is 1-100 letters, digits, spaces or . _ : @ -")
    check_agency(agency)
    key_id = secrets.token_hex(8)
    token = f"gsk_{key_id}_{secrets.token_urlsafe(32)}"
    props = {
        "key_id": key_id,
        "name": name,
        "role": role_value,
        "hash": _HASHER.hash(token),
        "created_at": _now(),
    }
    if agency is not None:
        props["agency"] = agency
    if not store.create_key(db, props):
        raise Conflict(f"an active key named {name!r} exists; revoke it or choose another name")
    public: dict[str, Any] = {k: v for k, v in props.items() if k != "hash"}
    public["revoked_at"] = None
    public.setdefault("agency", None)
    return token, public


def list_keys(db: Database) -> list[dict[str, Any]]:
    """Every key's public record (never a hash)."""
    return store.all_keys(db)


def revoke_key(db: Database, key_id: str) -> dict[str, Any] | None:
    """Revoke an active key; its public record, or ``None`` when unknown or already revoked."""
    return store.revoke_key(db, key_id, _now())


class KeyRing:
    """Authenticates bearer tokens for one process (thread-safe), with a short verified cache."""

    def __init__(self, cache_ttl_s: float = 30.0) -> None:
        self.cache_ttl_s = cache_ttl_s
        self._cache: dict[str, tuple[bytes, Principal, float]] = {}
        self._lock = threading.Lock()

    def authenticate(self, db: Database, token: str) -> Principal:
        """The caller behind ``token``; :class:`Unauthorized` for anything else."""
        parsed = parse_key(token)
        if parsed is None:
            raise Unauthorized("the API key is malformed")
        key_id, _ = parsed
        digest = hashlib.sha256(token.encode("ascii")).digest()
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key_id)
        if cached is not None and cached[2] > now and hmac.compare_digest(cached[0], digest):
            return cached[1]
        record = store.get_key(db, key_id)
        stored_hash = record["hash"] if record else _DUMMY_HASH
        try:
            valid: bool = _HASHER.verify(stored_hash, token)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            valid = False
        if not valid or record is None:
            raise Unauthorized("the API key is not valid")
        if record.get("revoked_at"):
            raise Unauthorized("the API key has been revoked")
        try:
            role = Role(record["role"])
        except ValueError:
            raise Unauthorized("the API key's role is no longer recognised") from None
        principal = Principal(key_id=key_id, name=record["name"], role=role, agency=record.get("agency"))
        if self.cache_ttl_s > 0:
            with self._lock:
                self._cache[key_id] = (digest, principal, now + self.cache_ttl_s)
        return principal

    def forget(self, key_id: str) -> None:
        """Drop a key from this process's cache (after revoking it here)."""
        with self._lock:
            self._cache.pop(key_id, None)


def principal_of(db: Database, key_id: str) -> Principal | None:
    """The caller an active key acts as (its name, role and agency), by its public id: what the
    command line acts with when it manages a key's subscriptions; ``None`` when unknown, revoked
    or of a role no longer recognised."""
    record = store.get_key(db, key_id)
    if record is None or record.get("revoked_at"):
        return None
    try:
        role = Role(record["role"])
    except ValueError:
        return None
    return Principal(key_id=key_id, name=record["name"], role=role, agency=record.get("agency"))
