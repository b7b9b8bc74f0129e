"""The Neo4j edge: one driver per process, one session per unit of work, errors translated.

Every query runs in a managed transaction (``execute_read`` / ``execute_write``), so transient
errors (a leader switch, a deadlock) are retried by the driver; every unit of work handed to
:meth:`Database.write` must therefore be idempotent, which MERGE-based writes are. Reads are
routed as reads, so the same code works against a ``neo4j://`` cluster. Every transaction has a
timeout. Driver errors become :mod:`graphsvc.errors` here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, Query, unit_of_work
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graphsvc.config import Settings
from graphsvc.errors import Conflict, DatabaseError, DatabaseUnavailable, InvalidInput, QueryTimedOut
from graphsvc.graph.queries import query, schema_statements

__all__ = ["Database", "map_errors"]

T = TypeVar("T")

# Data migrations, in order, each ``cypher/migrate_<name>.cypher``: applied once per database
# by :meth:`Database.apply_schema` and recorded as ``(:SchemaMigration {id: name})``.
MIGRATIONS: tuple[str, ...] = ("incident_unidentified_label", "incident_times_london")


@contextmanager
def map_errors() -> Iterator[None]:
    """Translate driver errors into graphsvc errors (the one translation point)."""
    try:
        yield
    except (ServiceUnavailable, SessionExpired) as exc:
        raise DatabaseUnavailable("the graph database is unreachable; try again shortly") from exc
    except AuthError as exc:
        raise DatabaseUnavailable("the graph database refused graphsvc's credentials") from exc
    except ConstraintError as exc:
        raise Conflict("the change conflicts with existing data", {"reason": exc.message}) from exc
    except TransientError as exc:
        raise DatabaseUnavailable("the graph database is busy; try again shortly") from exc
    except ClientError as exc:
        if exc.code and "TransactionTimedOut" in exc.code or "Terminated" in (exc.code or ""):
            raise QueryTimedOut("the query took too long and was stopped") from exc
        if exc.code and "Argument" in exc.code:
            raise InvalidInput("the database refused a value", {"reason": exc.message}) from exc
        raise DatabaseError("the graph database refused a query") from exc
    except Neo4jError as exc:
        raise DatabaseError("the graph database failed") from exc
    except DriverError as exc:
        raise DatabaseUnavailable("the graph database connection failed") from exc


_GRAPH_TYPES = (neo4j.graph.Node, neo4j.graph.Relationship, neo4j.graph.Path)


def _plain(record: neo4j.Record) -> dict[str, Any]:
    """A record as a dict. The named queries return values, lists and maps, not nodes, so
    ``dict(record.items())`` does; ``Record.data()``'s recursive walk costs about a millisecond
    per hundred rows. A graph entity at the top level still goes through ``data()``."""
    row = dict(record.items())
    if any(isinstance(v, _GRAPH_TYPES) for v in row.values()):
        return record.data()
    return row


class Database:
    """One driver for the process; thread-safe. Create once, :meth:`close` at exit."""

    def __init__(self, settings: Settings, driver: neo4j.Driver | None = None) -> None:
        self.settings = settings
        self.database = settings.neo4j_database
        self.driver = driver or GraphDatabase.driver(
            settings.effective_uri,
            auth=(settings.neo4j_user, settings.password()),
            max_connection_pool_size=settings.max_pool_size,
            connection_acquisition_timeout=10.0,
            connection_timeout=5.0,
            max_transaction_retry_time=settings.tx_retry_s,
            # Warnings such as "relationship type POSSIBLY_SAME_AS does not exist" (before the
            # first resolve) are normal here; the server computing and the driver logging them
            # on every query cost time and flood the logs.
            notifications_min_severity="OFF",
        )

    def with_settings(self, settings: Settings) -> Database:
        """This database (the same driver and pool) seen with other settings: thresholds, the
        link threshold, the check's scorer. The driver's own options stay as they were opened."""
        return Database(settings, driver=self.driver)

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- units of work --------------------------------------------------------------------
    def read_tx(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``work(tx, ...)`` as a managed read transaction with the read timeout."""
        return self._read_tx(self.settings.query_timeout_s, work, *args, **kwargs)

    def _read_tx(self, timeout: float, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        timed = unit_of_work(timeout=timeout)(work)
        with map_errors(), self.driver.session(
            database=self.database, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            return session.execute_read(timed, *args, **kwargs)

    def read_job(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Like :meth:`read`, with the register-wide job timeout (``GRAPHSVC_JOB_TIMEOUT_S``,
        default 300 s) instead of the interactive one: the serial ranking's and the cluster
        job's reads scan the whole register (13-15 s each at 1M people)."""
        return self._read_tx(self.settings.job_timeout_s, self.run_in, name, **params)

    def read_job_each(self, name: str, each: Callable[[dict[str, Any]], T], **params: Any) -> list[T]:
        """Like :meth:`read_job`, each record converted by ``each`` as it streams in: the
        driver's records are not all held beside their converted copies (the serial ranking's
        register-wide read is gigabytes at 1M people)."""

        def work(tx: ManagedTransaction) -> list[T]:
            return [each(_plain(record)) for record in tx.run(query(name), params)]

        return self._read_tx(self.settings.job_timeout_s, work)

    def write_tx(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``work(tx, ...)`` as a managed write transaction (retried: keep it idempotent)."""
        timed = unit_of_work(timeout=self.settings.write_timeout_s)(work)
        with map_errors(), self.driver.session(database=self.database) as session:
            return session.execute_write(timed, *args, **kwargs)

    def read(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run the named read query; its records as dicts."""
        return self.read_tx(self.run_in, name, **params)

    def read_one(self, name: str, **params: Any) -> dict[str, Any] | None:
        rows = self.read(name, **params)
        return rows[0] if rows else None

    def write(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run the named write query in one managed (retried) transaction."""
        q = query(name)

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(q, params)]

        return self.write_tx(work)

    def run_in(self, tx: ManagedTransaction, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query inside a transaction the caller manages (several in one unit)."""
        return [_plain(record) for record in tx.run(query(name), params)]

    # -- health and schema ------------------------------------------------------------------
    def ping(self) -> None:
        """Raise :class:`DatabaseUnavailable` unless the database answers a trivial read."""
        with map_errors():
            self.driver.verify_connectivity()
            self.driver.execute_query(
                Query("RETURN 1", timeout=3.0),
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )

    def apply_schema(self) -> int:
        """Create every constraint and index (idempotent); returns the statement count."""
        statements = schema_statements()
        with map_errors(), self.driver.session(database=self.database) as session:
            for statement in statements:
                session.run(Query(statement, timeout=self.settings.write_timeout_s)).consume()
            session.run(Query("CALL db.awaitIndexes(300)")).consume()
            done = {r["id"] for r in session.run(Query(query("list_schema_migrations")))}
            for name in MIGRATIONS:
                if name not in done:
                    # auto-commit: a migration batches its own transactions (CALL ... IN TRANSACTIONS)
                    session.run(Query(query(f"migrate_{name}"), timeout=self.settings.job_timeout_s)).consume()
                    session.run(Query(query("record_schema_migration")), id=name).consume()
        return len(statements)

    def execute(self, text: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run literal query text (tests and admin tools only; the service uses named queries)."""
        with map_errors():
            records, _, _ = self.driver.execute_query(
                Query(text, timeout=self.settings.write_timeout_s), params, database_=self.database
            )
        return [r.data() for r in records]
