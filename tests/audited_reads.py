"""Helpers of the HTTP tests of person reads: an investigator's headers, and the audit entries
that name a person (read back through GET /audit, as an administrator would)."""

from __future__ import annotations

from typing import Any

from graphsvc.graph.db import Database
from graphsvc.security import keys as auth


def investigator(db: Database, purpose: str) -> dict[str, str]:
    """Headers of a new investigator key, with ``purpose`` as the X-Purpose."""
    key = auth.create_key(db, role="investigator", name=f"test-{purpose.lower()}")[0]
    return {"Authorization": f"Bearer {key}", "X-Purpose": purpose}


def audited(client: Any, db: Database, person_id: str, path: str) -> list[dict[str, Any]]:
    """The audit entries naming ``person_id`` of requests to ``path``."""
    admin = auth.create_key(db, role="admin", name="test-audit-reader")[0]
    body = client.get(f"/api/v1/audit?person_id={person_id}&limit=100",
                      headers={"Authorization": f"Bearer {admin}"}).get_json()
    return [e for e in body["entries"] if e["query"].get("path") == path]
