"""Repositories: every Cypher call of graphsvc, one module per aggregate (persons, incidents,
identity links, perpetrators, the check's candidates, patterns, the audit log, API keys, network
traversals, records, the ingest writer, the dump). Each function runs named queries from
``cypher/`` with parameters and returns plain Python (``datetime``, ``date``, ``str``): see
docs/architecture.md."""

from __future__ import annotations
