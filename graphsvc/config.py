"""Configuration from the environment (contract section 3), read once into :class:`Settings`.

Nothing else in graphsvc reads the environment: :meth:`Settings.from_env` is called once by the
app factory and once by each CLI command, and the settings object is passed in from there (the
:class:`~graphsvc.graph.db.Database` a caller builds carries it to the services). Nothing is
read at import time. Every variable is listed in the README's configuration table.

The local database's password is never a default in the repository: when ``NEO4J_PASSWORD`` is
unset, a random one is generated on first use and kept in the local state folder
(``GRAPHSVC_HOME``, mode 0600).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from graphsvc.analysis.fixation import Thresholds
from graphsvc.analysis.register import Periods
from graphsvc.analysis.retention import DEFAULT_SCHEDULE, Schedule, load_schedule

__all__ = ["Settings", "project_root", "DEFAULT_LINK_THRESHOLD"]

#: Proposed identity links at or above this probability count in the answers (marked unconfirmed).
DEFAULT_LINK_THRESHOLD = 0.9


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


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, not {raw!r}") from exc


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if not raw:
        return default
    return raw not in ("0", "false", "no", "off")


def _thresholds(environ: Mapping[str, str]) -> Thresholds:
    """The fixation thresholds: defaults overridden by ``GRAPHSVC_FIXATED_MIN_INCIDENTS`` and so
    on (``GRAPHSVC_`` and the field's name in upper case)."""
    values: dict[str, Any] = {}
    for f in fields(Thresholds):
        name = "GRAPHSVC_" + f.name.upper()
        values[f.name] = (_float if f.type in ("float", float) else _int)(environ, name, getattr(Thresholds(), f.name))
    return Thresholds(**values)


def _link_threshold(environ: Mapping[str, str]) -> float:
    value = _float(environ, "GRAPHSVC_LINK_THRESHOLD", DEFAULT_LINK_THRESHOLD)
    if not 0.0 <= value <= 1.0:
        raise ValueError("GRAPHSVC_LINK_THRESHOLD must be between 0 and 1")
    return value


def _choice(environ: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = (environ.get(name) or default).strip().lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _size(environ: Mapping[str, str], name: str, default: str) -> str:
    """A memory size as Neo4j's tools read it: bytes, ``512m``, ``2G``, or a share such as ``50%``."""
    value = (environ.get(name) or default).strip()
    if not re.fullmatch(r"\d+(\.\d+)?[kKmMgGtT]?|\d{1,2}(\.\d+)?%|100%", value):
        raise ValueError(f"{name} must be a size such as 2G or 512m, or a share such as 50%, not {value!r}")
    return value


def default_resolve_memory() -> str:
    """DuckDB's limit for a full resolve: 40% of the machine's memory, at least 2 GB (DuckDB's
    own default is 80%; the Python side holds the persons too; what 1M people needed is in
    docs/identity-resolution.md)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "2GB"
    return f"{max(2, int(total * 0.4 / 2**30))}GB"


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
    #: further settings and JVM options for the local Neo4j (the launcher refuses listen-address
    #: and authentication settings)
    local_neo4j_settings: str = ""
    local_java_opts: str = ""
    #: the folder of the local Neo4j's launcher (``neo4j-local/`` in the checkout)
    launcher_dir: Path = field(default_factory=lambda: project_root() / "neo4j-local")
    # -- analysis ----------------------------------------------------------------------------
    thresholds: Thresholds = field(default_factory=Thresholds)
    link_threshold: float = DEFAULT_LINK_THRESHOLD
    #: the intake check's scorer: ``model`` (the trained linkage model) or ``deterministic``
    check_scorer: str = "model"
    #: how long a register-wide answer (serial ranking, clusters) is kept; 0 disables the cache
    pattern_cache_s: float = 600.0
    #: how long an HTTP request waits for a register-wide job before 503 job_pending
    job_wait_s: float = 20.0
    # -- identity resolution -----------------------------------------------------------------
    auto_resolve: bool = True
    #: person records of one POST /records resolved inline: the batch must stay well inside the
    #: worker timeout (docs/identity-resolution.md has the cost per record); larger batches are
    #: left to ``graphsvc resolve``
    auto_resolve_max: int = 1000
    load_resolve_max: int = 50_000
    # -- the bulk load (graphsvc load --bulk, docs/loading.md) ---------------------------------
    #: Neo4j's importer: its JVM heap (MiB) and its off-heap limit (``--max-off-heap-memory``: a
    #: size such as ``2G`` or a share of the machine such as ``50%``)
    bulk_heap_mib: int = 1024
    bulk_off_heap: str = "2G"
    #: processes validating the input (each reads it all and validates every n-th batch)
    bulk_workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    #: where the staging database and the import files are written (``None``: ``GRAPHSVC_HOME/bulk``)
    bulk_dir: Path | None = None
    resolve_memory: str = field(default_factory=default_resolve_memory)
    # -- the HTTP service --------------------------------------------------------------------
    api_key_cache_ttl_s: float = 30.0
    rate_limit_per_s: float = 100.0
    rate_limit_burst: int = 200
    #: failed authentications per client address (each costs an Argon2 check)
    auth_failures_per_s: float = 5.0
    auth_failures_burst: int = 100
    #: distinct persons a key may read a day, per role (``role=n,...`` over the defaults of
    #: :data:`graphsvc.security.quota.DEFAULT_QUOTAS`)
    read_quotas: str = ""
    json_logs: bool = True
    #: audit entries waiting in a process are appended by one writer, in one transaction
    #: (group commit; each request still waits for its own entry to commit)
    audit_group_commit: bool = True
    audit_batch_max: int = 256
    #: a served worker applies pattern-state changes a writer that died left in the outbox, once
    #: they are this old (seconds; 0: never; docs/pattern-state.md)
    state_poll_s: float = 10.0
    # -- alerts (contract section 6, docs/alerts.md) -----------------------------------------
    #: hosts a subscription's URL may name (comma-separated); empty: loopback only
    alert_hosts: tuple[str, ...] = ()
    #: how long an alert is retried before it is given up (kept for pull), hours
    alert_retry_h: float = 48.0
    #: the dispatcher: how often it looks for alerts due (seconds; 0: no dispatcher in this
    #: process), its lease, and each POST's timeout
    alert_poll_s: float = 0.25
    alert_lease_s: float = 10.0
    alert_timeout_s: float = 5.0
    # -- the register (contract section 7, docs/register.md) ---------------------------------
    #: the notification periods: days beginning with the day of service or change, months
    #: beginning with the last notification
    register_periods: Periods = field(default_factory=Periods)
    #: the postcode-area-to-agency table behind transfer proposals (a CSV ``area,agency``;
    #: ``None``: the synthetic register's, graphsvc/analysis/data/postcode_areas.csv)
    register_areas: Path | None = None
    # -- retention review (contract section 8, docs/retention.md) -----------------------------
    #: the review schedule, a CSV ``kind,outcome,group,years,source`` (``None``: the defaults,
    #: graphsvc/analysis/data/review_schedule.csv)
    review_schedule_path: Path | None = None

    @property
    def review_schedule(self) -> Schedule:
        return load_schedule(self.review_schedule_path or DEFAULT_SCHEDULE)

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
            local_neo4j_settings=env.get("GRAPHSVC_NEO4J_SETTINGS") or "",
            local_java_opts=env.get("GRAPHSVC_NEO4J_JAVA_OPTS") or "",
            launcher_dir=Path(env.get("GRAPHSVC_NEO4J_LAUNCHER_DIR") or project_root() / "neo4j-local"),
            thresholds=_thresholds(env),
            link_threshold=_link_threshold(env),
            check_scorer=_choice(env, "GRAPHSVC_CHECK_SCORER", "model", ("model", "deterministic")),
            pattern_cache_s=_float(env, "GRAPHSVC_PATTERN_CACHE_S", 600.0),
            job_wait_s=_float(env, "GRAPHSVC_JOB_WAIT_S", 20.0),
            auto_resolve=_flag(env, "GRAPHSVC_AUTO_RESOLVE", True),
            auto_resolve_max=_int(env, "GRAPHSVC_AUTO_RESOLVE_MAX", 1000),
            load_resolve_max=_int(env, "GRAPHSVC_LOAD_RESOLVE_MAX", 50_000),
            bulk_heap_mib=max(256, _int(env, "GRAPHSVC_BULK_HEAP_MIB", 1024)),
            bulk_off_heap=_size(env, "GRAPHSVC_BULK_OFF_HEAP", "2G"),
            bulk_workers=max(1, _int(env, "GRAPHSVC_BULK_WORKERS", os.cpu_count() or 1)),
            bulk_dir=Path(env["GRAPHSVC_BULK_DIR"]) if env.get("GRAPHSVC_BULK_DIR") else None,
            resolve_memory=env.get("GRAPHSVC_RESOLVE_MEMORY") or default_resolve_memory(),
            api_key_cache_ttl_s=_float(env, "GRAPHSVC_API_KEY_CACHE_TTL_S", 30.0),
            rate_limit_per_s=_float(env, "GRAPHSVC_RATE_LIMIT_PER_S", 100.0),
            rate_limit_burst=_int(env, "GRAPHSVC_RATE_LIMIT_BURST", 200),
            auth_failures_per_s=_float(env, "GRAPHSVC_AUTH_FAILURES_PER_S", 5.0),
            auth_failures_burst=_int(env, "GRAPHSVC_AUTH_FAILURES_BURST", 100),
            read_quotas=env.get("GRAPHSVC_READ_QUOTAS") or "",
            audit_group_commit=_flag(env, "GRAPHSVC_AUDIT_GROUP_COMMIT", True),
            audit_batch_max=max(1, _int(env, "GRAPHSVC_AUDIT_BATCH_MAX", 256)),
            json_logs=_flag(env, "GRAPHSVC_JSON_LOGS", True),
            state_poll_s=max(0.0, _float(env, "GRAPHSVC_STATE_POLL_S", 10.0)),
            alert_hosts=tuple(h.strip().lower() for h in (env.get("GRAPHSVC_ALERT_HOSTS") or "").split(",")
                              if h.strip()),
            alert_retry_h=max(24.0, _float(env, "GRAPHSVC_ALERT_RETRY_H", 48.0)),
            alert_poll_s=max(0.0, _float(env, "GRAPHSVC_ALERT_POLL_S", 0.25)),
            alert_lease_s=max(2.0, _float(env, "GRAPHSVC_ALERT_LEASE_S", 10.0)),
            alert_timeout_s=max(0.5, _float(env, "GRAPHSVC_ALERT_TIMEOUT_S", 5.0)),
            register_periods=Periods(notify_days=max(1, _int(env, "GRAPHSVC_REGISTER_NOTIFY_DAYS", 3)),
                                     annual_months=max(1, _int(env, "GRAPHSVC_REGISTER_ANNUAL_MONTHS", 12))),
            register_areas=Path(env["GRAPHSVC_REGISTER_AREAS"]) if env.get("GRAPHSVC_REGISTER_AREAS") else None,
            review_schedule_path=(Path(env["GRAPHSVC_REVIEW_SCHEDULE"]) if env.get("GRAPHSVC_REVIEW_SCHEDULE")
                                  else None),
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

    @property
    def bulk_work_dir(self) -> Path:
        return self.bulk_dir or self.home / "bulk"

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
