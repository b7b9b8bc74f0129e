"""Search: persons by exact normalised identifier or fuzzy name."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from graphsvc.analysis.identity import identity_group, link_graph
from graphsvc.analysis.matching import lucene_query
from graphsvc.analysis.victims import victim_groups
from graphsvc.errors import InvalidInput
from graphsvc.graph.db import Database
from graphsvc.repository import identity as identity_reads
from graphsvc.repository import persons as person_reads
from graphsvc.services.common import _FIELD, SEARCH_LIMIT_CAP, _limit
from loaders import normalise
from loaders.records import iso

__all__ = ["search"]

NAME_HITS = 500  # name hits read at most, to re-rank
_PLATFORMS = ("instagram", "facebook", "x", "twitter", "tiktok", "snapchat", "whatsapp", "telegram")


def _identifier_forms(q: str) -> dict[str, list[str]]:
    """Every stored form ``q`` could be: phone, email, ``platform:handle`` (or ``@handle`` on
    common platforms), vehicle registration."""
    out: dict[str, list[str]] = {k: [] for k in _FIELD.values()}
    text = q.strip()
    if "@" in text and not text.startswith("@") and " " not in text:
        try:
            out["emails"].append(normalise.email(text))
        except ValueError:
            pass
    if re.fullmatch(r"[+0-9()\-. ]{6,25}", text) and sum(ch.isdigit() for ch in text) >= 6:
        try:
            out["phones"].append(normalise.phone(text))
        except ValueError:
            pass
    m = re.fullmatch(r"([A-Za-z0-9._\-]+):@?(\S+)", text)
    if m:
        try:
            out["handles"].append(":".join(normalise.handle(m.group(1), m.group(2))))
        except ValueError:
            pass
    elif text.startswith("@") and len(text) > 1:
        for plat in _PLATFORMS:
            try:
                out["handles"].append(":".join(normalise.handle(plat, text)))
            except ValueError:
                break
    compact = re.sub(r"[\s\-]", "", text)
    if re.fullmatch(r"[A-Za-z0-9]{2,8}", compact) and any(c.isdigit() for c in compact) and any(c.isalpha() for c in compact):
        out["vehicles"].append(compact.upper())
    return out


#: The points of a name hit (docs/api.md, "GET /search"): the full name exactly (any order,
#: case and accents folded) or an alias exactly; otherwise each name part of the query the
#: record has exactly (0.6 for all of them), and a share of the full-text index's fuzzy score.
#: An exact full name scores 0.8, a namesake sharing one of two name parts at most 0.3 + 0.1.
FULL_NAME, ALIAS, PER_PART, FUZZY = 0.8, 0.7, 0.6, 0.1
#: The date of birth, when the query gives one: agreeing adds, a different one takes away.
DOB_AGREES, DOB_DIFFERS = 0.15, -0.2
NAME_CAP = 0.95  # a name hit never reaches an identifier's 1.0


def _tokens(*names: Any) -> list[str]:
    return [t for n in names if n for t in normalise.name_key(str(n)).split()]


def _name_score(query: list[str], record: Mapping[str, Any], fuzzy: float,
                dob: dt.date | None) -> tuple[float, list[dict[str, Any]]]:
    """The score of one name hit and its parts ``[{"part", "points", "why"}]`` (they sum to it)."""
    full = _tokens(record.get("given_name"), record.get("family_name"))
    aliases = [_tokens(a) for a in record.get("aliases") or []]
    parts: list[dict[str, Any]] = []
    if query and sorted(full) == sorted(query):
        parts.append({"part": "full_name", "points": FULL_NAME, "why": "the full name, exactly"})
    elif query and any(sorted(a) == sorted(query) for a in aliases):
        parts.append({"part": "alias", "points": ALIAS, "why": "an alias, exactly"})
    else:
        known = set(full) | {t for a in aliases for t in a}
        shared = [t for t in dict.fromkeys(query) if t in known]
        if shared:
            parts.append({"part": "name_parts", "points": round(PER_PART * len(shared) / len(set(query)), 4),
                          "why": f"{len(shared)} of {len(set(query))} name parts exactly: {', '.join(shared)}"})
        parts.append({"part": "fuzzy", "points": round(FUZZY * fuzzy, 4),
                      "why": "full-text similarity, relative to the best hit"})
    if dob is not None:
        theirs = record.get("dob")
        if theirs == dob:
            parts.append({"part": "dob", "points": DOB_AGREES, "why": "date of birth agrees"})
        elif theirs is not None:
            parts.append({"part": "dob", "points": DOB_DIFFERS, "why": "date of birth differs"})
    total = sum(p["points"] for p in parts)
    return round(min(max(total, 0.0), NAME_CAP), 4), parts


def _named(pid: str, info: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A record's id with its names, date of birth and owning agency, as search shows them."""
    c = info.get(pid, {})
    return {"person_id": pid, "given_name": c.get("given_name"), "family_name": c.get("family_name"),
            "dob": iso(c.get("dob")), "source": c.get("source")}


def search(db: Database, q: str, limit: int = 20, dob: dt.date | None = None) -> dict:
    """Persons by exact normalised identifier (score 1) or by name, best first, records joined
    by identity links grouped into one result.

    A name hit is scored by :func:`_name_score` (the full name exactly first, then an alias,
    then the name parts it shares, and ``dob`` when given), with its parts in ``score_parts``
    and a sentence in ``score_explained``. Ties: the full-text score, then the person id.
    Each result is the best-ranked record of its identity group (confirmed links, and proposals
    at or above the link threshold: the groups of :mod:`graphsvc.analysis.victims`), with
    ``linked_record_ids`` (the group's other records), ``linked_records`` (each named as the
    results are, with ``status`` confirmed or proposed, and a proposal's ``probability``) and
    ``proposed``. ``source`` is the agency that owns the record.

    Returns
    -------
    dict
        ``{"persons": [{"person_id", "given_name", "family_name", "dob", "source", "aliases", "roles", "score", "matched_on", "score_parts", "score_explained", "linked_record_ids",
        "linked_records", "proposed"}]}``.
    """
    if not isinstance(q, str) or not q.strip() or len(q) > 200:
        raise InvalidInput("q must be 1-200 characters", {"field": "q"})
    if dob is not None and not isinstance(dob, dt.date):
        raise InvalidInput("dob must be a date (YYYY-MM-DD)", {"field": "dob"})
    limit = _limit(limit, SEARCH_LIMIT_CAP)
    hits: dict[str, dict[str, Any]] = {}
    for row in person_reads.persons_by_identifiers(db, _identifier_forms(q), limit=limit * 5):
        hit = hits.setdefault(row["person_id"], {"score": 1.0, "fields": set(), "fuzzy": 1.0, "parts": [
            {"part": "identifier", "points": 1.0, "why": "an identifier, exactly (normalised)"}]})
        hit["fields"].add(row["field"])
    # more name hits than the page: namesakes that the full-text index ties are re-ranked here
    name_rows = (person_reads.persons_by_names(db, lucene_query([q]), limit=min(limit * 5, NAME_HITS))
                 if any(ch.isalpha() for ch in q) else [])
    best = max((r["score"] for r in name_rows), default=0.0)
    info = {c["person_id"]: c for c in person_reads.match_candidates(
        db, sorted({*hits, *(r["person_id"] for r in name_rows)}), None)}
    query = _tokens(q)
    for r in name_rows:
        if r["person_id"] in hits or best <= 0:
            continue
        fuzzy = r["score"] / best
        score, parts = _name_score(query, info.get(r["person_id"], {}), fuzzy, dob)
        hits[r["person_id"]] = {"score": score, "fields": {"name"}, "fuzzy": fuzzy, "parts": parts}
    ranked = sorted(hits, key=lambda p: (-hits[p]["score"], -hits[p]["fuzzy"], p))
    threshold = db.settings.link_threshold
    links = identity_reads.identity_links_around(db, ranked[: limit * 5], threshold)
    graph = link_graph(links, threshold)
    groups = victim_groups(ranked, graph)
    persons: list[dict[str, Any]] = []
    shown: set[str] = set()
    page: list[str] = []
    for pid in ranked:
        if pid in shown:
            continue
        if len(page) >= limit:
            break
        page.append(pid)
        shown.update(groups[pid].record_ids)
    # the page's linked records are named too (a record id alone tells an investigator nothing)
    unread = sorted({m for pid in page for m in groups[pid].record_ids} - set(info))
    info.update({c["person_id"]: c for c in person_reads.match_candidates(db, unread, None)})
    for pid in page:
        records = groups[pid].record_ids
        c = info.get(pid, {})
        labels = c.get("labels") or []
        group = identity_group(pid, links, threshold, graph)
        linked = [{**_named(m, info), "status": "proposed", "probability": group.unconfirmed[m]["probability"]}
                  if m in group.unconfirmed else {**_named(m, info), "status": "confirmed"}
                  for m in records if m != pid]
        for entry in linked:
            if entry["person_id"] in hits:
                entry["score"] = hits[entry["person_id"]]["score"]
        hit = hits[pid]
        persons.append({**_named(pid, info), "aliases": c.get("aliases") or [],
                        "roles": [r for r, lab in (("offender", "Offender"), ("victim", "Victim")) if lab in labels],
                        "score": hit["score"], "matched_on": sorted(hit["fields"]), "score_parts": hit["parts"],
                        "score_explained": "; ".join(f"{p['why']} ({p['points']:+g})" for p in hit["parts"]),
                        "linked_record_ids": [m for m in records if m != pid], "linked_records": linked,
                        "proposed": groups[pid].proposed})
    return {"persons": persons}
