"""Repositories: the code that owns the Cypher of the analyses (``cypher/*.cypher``) and turns
driver values into plain Python (``datetime``, ``date``, ``str``)."""

from __future__ import annotations
