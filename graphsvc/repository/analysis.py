"""Reads for the pattern analyses. Each function runs named queries and returns plain rows
(driver temporal values converted to :mod:`datetime`); no analysis happens here, except the
identity grouping :func:`perpetrator_rows_in` needs to know whose records to read next."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from graphsvc.analysis.identity import IdentityGroup, decode_evidence, identity_group, link_graph
from graphsvc.graph.db import Database

__all__ = [
    "native",
    "person_profile",
    "all_identity_links",
    "identity_links_digest",
    "person_orders",
    "persons_by_identifiers",
    "persons_by_names",
    "match_candidates",
    "check_candidates",
    "check_reads",
    "perpetrator_rows",
    "serial_rows",
    "unidentified_edges",
    "unidentified_victim_links",
    "cluster_incidents",
    "victim_incidents",
    "incidents_by_identifiers",
    "identifier_params",
]

CANDIDATE_LIMIT = 200


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MS = "_epoch_ms"


def native(value: Any) -> Any:
    """Driver temporal values -> :mod:`datetime`; containers converted recursively.

    A map key ending in ``_epoch_ms`` holding an integer becomes the key without the suffix
    holding a UTC :class:`datetime.datetime`: queries that return many instants (incident
    lists) send ``i.occurred_at.epochMillis AS occurred_at_epoch_ms``, because building Python
    datetimes from integers is several times cheaper than hydrating the driver's DateTime
    values (docs/analysis.md, "Measurements behind the code"). Incident times are stored
    in UTC (the loader converts them), so the instant and its offset are unchanged.
    """
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value  # most values: nothing to convert (checked first, it is the common case)
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k.endswith(_MS) and (v is None or isinstance(v, int)):
                out[k[: -len(_MS)]] = None if v is None else _EPOCH + dt.timedelta(milliseconds=v)
            else:
                out[k] = native(v)
        return out
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


def _rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [native(r) for r in rows]


def incident_table(table: Sequence[Sequence[Any]], parties: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """``get_perpetrator_records``' incident table and parties as incident dicts, oldest first
    (by time, then id; ``occurred_at`` and ``reported_at`` UTC datetimes).

    ``table`` rows: ``[id, occurred_at ms, reported_at ms, type, outcome]``; ``parties``:
    ``[party id, OFFENDER_IN | VICTIM_IN | BREACHED, positions in table]``, which become each
    incident's ``offender_ids``, ``victim_ids`` and ``breached_order_ids`` (each sorted). Written
    out, not ``dict(zip(...))``: 5,000 incidents are read for a prolific offender on every
    fixation."""
    named: dict[str, list[list[str]]] = {kind: [[] for _ in table] for kind in _PARTY_KINDS}
    for party, kind, at in sorted(parties, key=operator.itemgetter(0, 1)):
        column = named[kind]
        for k in at:
            column[k].append(party)
    offenders, victims, breached = (named[kind] for kind in _PARTY_KINDS)
    utc = dt.timezone.utc
    stamp = dt.datetime.fromtimestamp
    out = []
    for k in _oldest_first(table):
        r = table[k]
        out.append({"id": r[0], "occurred_at": stamp(r[1] / 1000, utc) if r[1] is not None else None,
                    "reported_at": stamp(r[2] / 1000, utc) if r[2] is not None else None, "type": r[3],
                    "outcome": r[4], "offender_ids": offenders[k], "victim_ids": victims[k],
                    "breached_order_ids": breached[k]})
    return out


_PARTY_KINDS = ("OFFENDER_IN", "VICTIM_IN", "BREACHED")


def _oldest_first(table: Sequence[Sequence[Any]]) -> list[int]:
    """The positions of ``table``'s rows in the order of Cypher's ``ORDER BY i.occurred_at, i.id``
    (nulls last), done here: sorting 5,000 incidents cost Neo4j more than it costs Python
    (docs/analysis.md, session 6)."""
    keys = [(r[1], r[0]) for r in table]
    try:
        return sorted(range(len(keys)), key=keys.__getitem__)
    except TypeError:  # an incident without a time (the contract requires one): last
        nulls_last = [(t is None, t or 0, i) for t, i in keys]
        return sorted(range(len(keys)), key=nulls_last.__getitem__)


def identifier_params(values: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """``{"phones", "emails", "handles", "vehicles"}`` lists (stored forms) for the queries."""
    return {k: list(values.get(k) or []) for k in ("phones", "emails", "handles", "vehicles")}


def person_profile(db: Database, person_id: str) -> dict[str, Any] | None:
    row = db.read_one("get_person_profile", id=person_id)
    return native(row) if row else None


IDENTITY_HOPS = 6


def _identity_links_in(db: Database, tx: Any, person_ids: Sequence[str], threshold: float,
                       known: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """The links that count within ``IDENTITY_HOPS`` of ``person_ids``, breadth first: one
    ``find_identity_links`` read per hop, from the persons the previous hop reached.

    ``known`` holds the links already read for some of ``person_ids`` (the intake check's
    candidates come with theirs): those persons are not read again, so a check whose top
    matches have no links makes no link read at all."""
    known = known or {}
    start = list(dict.fromkeys(person_ids))
    seen = set(start)
    links: dict[tuple[str, str], Mapping[str, Any]] = {}
    frontier = [p for p in start if p not in known]
    found: list[Mapping[str, Any]] = [link for p in start if p in known for link in known[p]]  # the first hop, read
    for _ in range(IDENTITY_HOPS):
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


def all_identity_links(db: Database, threshold: float) -> list[dict[str, Any]]:
    return db.read_job("list_identity_links", threshold=threshold)


def identity_links_digest(db: Database) -> tuple[Any, ...]:
    """A value that changes whenever an identity link is added, removed, re-scored or decided
    (``get_identity_links_digest``): a cache key for answers built from all the links."""
    row = db.read_one("get_identity_links_digest") or {}
    return tuple(native(row.get(k)) for k in ("links", "updated_at", "decided_at", "confirmed", "rejected"))


def person_orders(db: Database, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Orders restraining or protecting any of ``person_ids`` (placeholders included)."""
    return _rows(db.read("find_person_orders", ids=list(person_ids)))


def persons_by_identifiers(db: Database, values: Mapping[str, Sequence[str]],
                           limit: int = CANDIDATE_LIMIT) -> list[dict[str, Any]]:
    params = identifier_params(values)
    if not any(params.values()):
        return []
    return db.read("find_persons_by_identifiers", limit=limit, **params)


def persons_by_names(db: Database, lucene: str | None, limit: int = CANDIDATE_LIMIT) -> list[dict[str, Any]]:
    if not lucene:
        return []
    return db.read("find_persons_by_names", q=lucene, limit=limit)


def match_candidates(db: Database, person_ids: Sequence[str], complainant_id: str | None) -> list[dict[str, Any]]:
    if not person_ids:
        return []
    return _rows(db.read("get_match_candidates", ids=list(person_ids), complainant=complainant_id))


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


def unidentified_edges(db: Database) -> list[dict[str, Any]]:
    return db.read_job("list_unidentified_edges")


def cluster_incidents(db: Database, incident_ids: Sequence[str]) -> list[dict[str, Any]]:
    return _rows(db.read("get_cluster_incidents", ids=list(incident_ids)))


def victim_incidents(db: Database, person_id: str) -> list[dict[str, Any]]:
    return _rows(db.read("find_victim_incidents", id=person_id))


def incidents_by_identifiers(db: Database, values: Mapping[str, Sequence[str]], limit: int = 2000) -> list[dict[str, Any]]:
    params = identifier_params(values)
    if not any(params.values()):
        return []
    return _rows(db.read("find_incidents_by_identifiers", limit=limit, **params))


def graph_fingerprint(db: Database) -> tuple[int, ...]:
    row = db.read_one("count_graph_records") or {}
    return tuple(int(row.get(k) or 0) for k in ("incidents", "orders", "persons", "used", "offender_links",
                                                 "victim_links", "breached", "order_links", "identifiers",
                                                 "version"))


def perpetrator_rows(db: Database, person_ids: Sequence[str], threshold: float, *,
                     unidentified: bool = True) -> dict[str, Any]:
    """:func:`perpetrator_rows_in` in a read transaction of its own."""
    return db.read_tx(lambda tx: perpetrator_rows_in(db, tx, person_ids, threshold, unidentified=unidentified))


def perpetrator_rows_in(db: Database, tx: Any, person_ids: Sequence[str], threshold: float,
                        known_links: Mapping[str, Sequence[Mapping[str, Any]]] | None = None, *,
                        unidentified: bool = True) -> dict[str, Any]:
    """The identity links that count around ``person_ids`` and the groups they make, then the
    incidents, orders and linked unidentified incidents of everyone in those groups
    (``get_perpetrator_records``, one round trip). Returns ``{"groups" (person id ->
    :class:`~graphsvc.analysis.identity.IdentityGroup`), "incidents", "orders", "unidentified",
    "persons" (those of the ids read that are on the register)}``.

    The links are read without their evidence (JSON text, most of a link's bytes); the evidence
    of the links that bring an unconfirmed member into a group, the only ones an answer shows,
    comes with the records (a check at 1M read 700 links' evidence for some subjects).
    ``known_links``: links already read, per person (see :func:`_identity_links_in`).
    ``unidentified=False`` leaves the linked unidentified incidents out (``[]``): for answers
    that show none of them (fixation)."""
    if not person_ids:
        return {"groups": {}, "incidents": [], "orders": [], "unidentified": [], "persons": set()}
    links = _identity_links_in(db, tx, person_ids, threshold, known_links)
    graph = link_graph(links, threshold)
    groups: dict[str, IdentityGroup] = {p: identity_group(p, links, threshold, graph) for p in person_ids}
    everyone = sorted(set(person_ids) | {m for g in groups.values() for m in g.members})
    pairs = sorted({(u["via"], m) for g in groups.values() for m, u in g.unconfirmed.items()})
    rows = db.run_in(tx, "get_perpetrator_records", ids=everyone, pairs=[list(p) for p in pairs],
                     threshold=threshold, unidentified=unidentified)
    evidence = {frozenset((e["a"], e["b"])): e["evidence"] for e in rows[0]["evidence"]}
    for g in groups.values():
        for m, u in g.unconfirmed.items():
            u["evidence"] = decode_evidence(evidence.get(frozenset((u["via"], m))))
    return {"groups": groups, "incidents": incident_table(rows[0]["incidents"], rows[0]["parties"]),
            "orders": _rows(rows[0]["orders"]), "unidentified": rows[0]["unidentified"],
            "persons": set(rows[0]["persons"])}


def check_reads(db: Database, identifiers: Mapping[str, Sequence[str]], lucene: str | None,
                dobs: Sequence[dt.date], complainant_id: str | None,
                choose: Callable[[list[dict[str, Any]], bool], Sequence[str] | None], threshold: float, *,
                name_limit: int = 50, dob_limit: int = 100,
                initials: Sequence[str] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any], bool]:
    """The intake check's reads, in ONE read transaction: the candidates (:func:`check_candidates_in`),
    then ``choose(candidates, narrow)`` (the caller's scoring: the person ids worth a summary), then
    :func:`perpetrator_rows_in` for those. Returns ``(candidates, perpetrator rows, narrowed)``.

    When the subject has identifiers, the persons they reach are read first, alone
    (``narrow=True``); ``choose`` returns None when they do not settle the answer, and the
    names and dates of birth are searched as well. ``narrowed`` says the name and date-of-birth
    search was not needed (docs/analysis.md: the full-text name search is most of a check's
    database time).

    One transaction instead of two saves a BEGIN and a COMMIT round trip per check; ``choose``
    runs inside it, so it must be a pure function of its input (a managed transaction may be
    retried)."""

    def work(tx: Any) -> tuple[list[dict[str, Any]], dict[str, Any], bool]:
        chosen: Sequence[str] | None = None
        if any(identifier_params(identifiers).values()):
            candidates = check_candidates_in(db, tx, identifiers, None, (), complainant_id, threshold,
                                             name_limit=name_limit, dob_limit=dob_limit, initials=initials)
            chosen = choose(candidates, True) if candidates else None
        narrowed = chosen is not None
        if chosen is None:
            candidates = check_candidates_in(db, tx, identifiers, lucene, dobs, complainant_id, threshold,
                                             name_limit=name_limit, dob_limit=dob_limit, initials=initials)
            chosen = choose(candidates, False) or []
        known = {c["person_id"]: c["identity_links"] for c in candidates}
        return candidates, perpetrator_rows_in(db, tx, list(chosen), threshold, known), narrowed

    return db.read_tx(work)


def check_candidates(db: Database, identifiers: Mapping[str, Sequence[str]], lucene: str | None,
                     dobs: Sequence[dt.date], complainant_id: str | None, threshold: float, *,
                     name_limit: int = 50, dob_limit: int = 100,
                     initials: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """:func:`check_candidates_in` in a read transaction of its own (the benchmark's raw lookup)."""
    return db.read_tx(lambda tx: check_candidates_in(db, tx, identifiers, lucene, dobs, complainant_id, threshold,
                                                     name_limit=name_limit, dob_limit=dob_limit, initials=initials))


def check_candidates_in(db: Database, tx: Any, identifiers: Mapping[str, Sequence[str]], lucene: str | None,
                        dobs: Sequence[dt.date], complainant_id: str | None, threshold: float, *,
                        name_limit: int = 50, dob_limit: int = 100,
                        initials: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Candidates by identifier (up to ``CANDIDATE_LIMIT`` hits), by name (``name_limit``) and by
    date of birth (``dob_limit``; only those whose given or family name starts with one of
    ``initials``, unless None), with what the scorer needs of each, ``identifier_hits``
    (``[{"field", "value", "how", "incident_ids"?}]``) and ``identity_links`` (the links that
    count at ``threshold`` touching the candidate, as ``find_identity_links`` returns them), in
    the order first found (identifier hits, then names, then dates of birth):
    ``find_check_candidates``, one round trip."""
    rows = db.run_in(tx, "find_check_candidates", q=lucene, dobs=list(dobs), complainant=complainant_id,
                     limit=CANDIDATE_LIMIT, name_limit=name_limit, dob_limit=dob_limit, threshold=threshold,
                     initials=None if initials is None else sorted(set(initials)),
                     **identifier_params(identifiers))
    for row in rows:
        # the only driver temporal value in a row: converted alone, since a recursive native()
        # walk of every row was a measurable part of a check (docs/analysis.md)
        if row["dob"] is not None:
            row["dob"] = row["dob"].to_native()
        for hit in row["identifier_hits"]:
            if not hit["incident_ids"]:
                del hit["incident_ids"]
    return rows
