"""Search: persons by exact normalised identifier or fuzzy name."""

from __future__ import annotations

import re

from graphsvc.analysis.matching import lucene_query
from graphsvc.errors import InvalidInput
from graphsvc.graph.db import Database
from graphsvc.repository import persons as person_reads
from graphsvc.services.common import _FIELD, SEARCH_LIMIT_CAP, _limit
from loaders import normalise
from loaders.records import iso

__all__ = ["search"]

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


def search(db: Database, q: str, limit: int = 20) -> dict:
    """Persons by exact normalised identifier (score 1) or fuzzy name (full-text index
    ``person_names``, score relative to the best name hit, at most 0.9).

    Returns
    -------
    dict
        ``{"persons": [{"person_id", "given_name", "family_name", "aliases", "dob", "roles",
        "score", "matched_on"}]}``.
    """
    if not isinstance(q, str) or not q.strip() or len(q) > 200:
        raise InvalidInput("q must be 1-200 characters", {"field": "q"})
    limit = _limit(limit, SEARCH_LIMIT_CAP)
    scores: dict[str, tuple[float, list[str]]] = {}
    for row in person_reads.persons_by_identifiers(db, _identifier_forms(q), limit=limit * 5):
        _, fields = scores.get(row["person_id"], (1.0, []))
        scores[row["person_id"]] = (1.0, sorted(set(fields) | {row["field"]}))
    name_rows = person_reads.persons_by_names(db, lucene_query([q]), limit=limit) if any(ch.isalpha() for ch in q) else []
    best = max((r["score"] for r in name_rows), default=0.0)
    for r in name_rows:
        if r["person_id"] not in scores and best > 0:
            scores[r["person_id"]] = (round(0.9 * r["score"] / best, 4), ["name"])
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
    info = {c["person_id"]: c for c in person_reads.match_candidates(db, [p for p, _ in ranked], None)}
    persons = []
    for pid, (score, fields) in ranked:
        c = info.get(pid, {})
        labels = c.get("labels") or []
        persons.append({"person_id": pid, "given_name": c.get("given_name"), "family_name": c.get("family_name"),
                        "aliases": c.get("aliases") or [], "dob": iso(c.get("dob")),
                        "roles": [r for r, lab in (("offender", "Offender"), ("victim", "Victim")) if lab in labels],
                        "score": score, "matched_on": fields})
    return {"persons": persons}
