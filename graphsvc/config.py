"""Configuration from the environment (contract section 3).

Nothing here reads the environment at import time: :meth:`Settings.from_env` is called by the
app factory and the CLI. The local database's password is never a default in the repository:
when ``NEO4J_PASSWORD`` is unset, a random one is generated on first use and kept in the local
state folder (``GRAPHSVC_HOME``, mode 0600).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["Settings", "project_root"]


def project_root() -> Path:
    """The source checkout that holds this package (where ``neo4j-local/`` lives)."""
    return Path(__file__).resolve().parent.parent


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything graphsvc is configured with.

    ``neo4j_uri`` is ``None`` when no ``NEO4J_URI`` is set: the local database is then used and
    :attr:`effective_uri` points at it.
    """

    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    home: Path = field(default_factory=lambda: project_root() / ".graphsvc")
    local_bolt_host: str = "127.0.0.1"
    local_bolt_port: int = 7687
    local_heap_mib: int = 1024
    local_pagecache_mib: int = 512
    query_timeout_s: float = 30.0
    write_timeout_s: float = 120.0
    job_timeout_s: float = 300.0
    max_pool_size: int = 50
    tx_retry_s: float = 15.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        home = Path(env.get("GRAPHSVC_HOME") or (project_root() / ".graphsvc")).resolve()
        return cls(
            neo4j_uri=env.get("NEO4J_URI") or None,
            neo4j_user=env.get("NEO4J_USER") or "neo4j",
            neo4j_password=env.get("NEO4J_PASSWORD") or None,
            neo4j_database=env.get("NEO4J_DATABASE") or "neo4j",
            home=home,
            local_bolt_host=env.get("GRAPHSVC_NEO4J_HOST") or "127.0.0.1",
            local_bolt_port=_int(env, "GRAPHSVC_NEO4J_PORT", 7687),
            local_heap_mib=_int(env, "GRAPHSVC_NEO4J_HEAP_MIB", 1024),
            local_pagecache_mib=_int(env, "GRAPHSVC_NEO4J_PAGECACHE_MIB", 512),
            query_timeout_s=float(env.get("GRAPHSVC_QUERY_TIMEOUT_S") or 30.0),
            write_timeout_s=float(env.get("GRAPHSVC_WRITE_TIMEOUT_S") or 120.0),
            job_timeout_s=float(env.get("GRAPHSVC_JOB_TIMEOUT_S") or 300.0),
            max_pool_size=_int(env, "GRAPHSVC_MAX_POOL_SIZE", 50),
            tx_retry_s=float(env.get("GRAPHSVC_TX_RETRY_S") or 15.0),
        )

    @property
    def uses_local_db(self) -> bool:
        return self.neo4j_uri is None

    @property
    def local_bolt_uri(self) -> str:
        return f"bolt://{self.local_bolt_host}:{self.local_bolt_port}"

    @property
    def effective_uri(self) -> str:
        return self.neo4j_uri or self.local_bolt_uri

    @property
    def local_db_home(self) -> Path:
        return self.home / "neo4j"

    def password(self) -> str:
        """The Neo4j password: ``NEO4J_PASSWORD``, else the local database's generated secret."""
        if self.neo4j_password:
            return self.neo4j_password
        if not self.uses_local_db:
            raise ValueError("NEO4J_PASSWORD must be set when NEO4J_URI names a database")
        return self._local_secret()

    def _local_secret(self) -> str:
        path = self.home / "neo4j-password"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.home.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        return value

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
