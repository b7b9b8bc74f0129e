"""Register-wide reads behind the serial ranking and the job cache's fingerprint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository.rows import native

__all__ = ["serial_rows", "unidentified_victim_links", "graph_fingerprint"]


def serial_rows(db: Database, *, min_victims: int, agency: str | None, since: dt.datetime | None,
                until: dt.datetime | None, linked_ids: Sequence[str]) -> list[dict[str, Any]]:
    return db.read_job_each("list_serial_offenders", native, min_victims=min_victims, agency=agency, since=since,
                            until=until, linked_ids=list(linked_ids))


def unidentified_victim_links(db: Database, *, agency: str | None, since: dt.datetime | None,
                              until: dt.datetime | None) -> dict[str, list[dict[str, Any]]]:
    """``{offender id: [{"incident_id", "identifiers", "victim_ids"}]}``: incidents with no
    identified offender that used an identifier of theirs (``list_unidentified_victim_links``)."""
    rows = db.read_job("list_unidentified_victim_links", agency=agency, since=since, until=until)
    return {r["person_id"]: r["incidents"] for r in rows}


def graph_fingerprint(db: Database) -> tuple[int, ...]:
    row = (db.read_one("get_register_mark", ids=[]) or {}).get("counts") or {}
    return tuple(int(row.get(k) or 0) for k in ("incidents", "orders", "persons", "used", "offender_links",
                                                 "victim_links", "breached", "order_links", "identifiers",
                                                 "version"))
