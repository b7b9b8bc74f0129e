"""Reads of the identity links (``POSSIBLY_SAME_AS``) that the analyses count: breadth first from
some persons, all of them for the register-wide ranking, and the digest that says whether any
changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository.rows import native

__all__ = ["all_identity_links", "identity_links_digest", "identity_links_in", "identity_links_around"]


IDENTITY_HOPS = 6


def identity_links_in(db: Database, tx: Any, person_ids: Sequence[str], threshold: float,
                       known: Mapping[str, Sequence[Mapping[str, Any]]] | None = None, *,
                       hops: int | None = IDENTITY_HOPS) -> list[dict[str, Any]]:
    """The links that count within ``hops`` (``IDENTITY_HOPS``) of ``person_ids``, breadth first:
    one ``find_identity_links`` read per hop, from the persons the previous hop reached.
    ``hops=None`` walks until no new person turns up: every link of the components of
    ``person_ids``, as the register-wide ranking's connected components count them (the pattern
    state's reads, :mod:`graphsvc.services.state`).

    ``known`` holds the links already read for some of ``person_ids`` (the intake check's
    candidates come with theirs): those persons are not read again, so a check whose top
    matches have no links makes no link read at all."""
    known = known or {}
    start = list(dict.fromkeys(person_ids))
    seen = set(start)
    links: dict[tuple[str, str], Mapping[str, Any]] = {}
    frontier = [p for p in start if p not in known]
    found: list[Mapping[str, Any]] = [link for p in start if p in known for link in known[p]]  # the first hop, read
    hop = 0
    while hops is None or hop < hops:
        hop += 1
        if frontier:
            found += db.run_in(tx, "find_identity_links", ids=frontier, threshold=threshold)
        if not found:
            break
        nxt: list[str] = []
        for link in found:
            links.setdefault((link["a"], link["b"]), link)
            for p in (link["a"], link["b"]):
                if p not in seen:
                    seen.add(p)
                    nxt.append(p)
        frontier, found = nxt, []
        if not frontier:
            break
    return [dict(link) for link in links.values()]


def identity_links_around(db: Database, person_ids: Sequence[str], threshold: float) -> list[dict[str, Any]]:
    """The links that count around some records (:func:`identity_links_in` in a read
    transaction of its own): what :func:`graphsvc.analysis.victims.victim_groups` makes distinct
    victims of (linked victims), and what search groups its results by."""
    if not person_ids:
        return []
    return db.read_tx(lambda tx: identity_links_in(db, tx, person_ids, threshold))


def all_identity_links(db: Database, threshold: float) -> list[dict[str, Any]]:
    return db.read_job("list_identity_links", threshold=threshold)


def identity_links_digest(db: Database) -> tuple[Any, ...]:
    """A value that changes whenever an identity link is added, removed, re-scored or decided
    (``get_register_mark``' ``links``): a cache key for answers built from all the links."""
    row = (db.read_one("get_register_mark", ids=[]) or {}).get("links") or {}
    return tuple(native(row.get(k)) for k in ("links", "updated_at", "decided_at", "confirmed", "rejected"))
