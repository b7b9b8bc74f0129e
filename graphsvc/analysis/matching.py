"""Scoring a described subject against candidate persons (the intake check).

:class:`Scorer` is the interface: ``score_subject(subject, candidates) -> list[ScoredCandidate]``.
:class:`DeterministicScorer` is the rule-based implementation used until a trained model (the
identity-resolution work's Splink model) replaces it; anything with the same method can be
passed to :func:`graphsvc.services.check`.

The deterministic score is a sum of log-odds weights (a hand-set Fellegi-Sunter model) turned
into a probability with the logistic function. Weights are in :class:`MatchWeights` and in
docs/analysis.md.

Subject (normalised, see :func:`normalise_subject`): ``{"given_name", "family_name", "aliases",
"dob": date | None, "phones", "emails", "handles" (``platform:handle``), "vehicles"}``.
Candidate: the same fields for a person, plus ``person_id``, ``namesakes`` (persons on the
register with the same family name, for name rarity), ``identifier_hits`` ([{"field", "value",
"how"}], from candidate generation) and ``complainant_contact`` (incident or order ids linking the
candidate to the complainant).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rapidfuzz import fuzz

from loaders import normalise

__all__ = [
    "Scorer",
    "ScoredCandidate",
    "MatchWeights",
    "DeterministicScorer",
    "LinkageScorer",
    "normalise_subject",
    "dob_agreement",
    "given_name_similarity",
    "NICKNAMES",
    "name_initials",
]

IDENTIFIER_FIELDS = ("phones", "emails", "handles", "vehicles")

#: Common English diminutives -> formal names (both directions are checked).
NICKNAMES: dict[str, set[str]] = {
    "dan": {"daniel"}, "danny": {"daniel"}, "dave": {"david"}, "davey": {"david"},
    "mike": {"michael"}, "mick": {"michael"}, "micky": {"michael"}, "rob": {"robert"},
    "bob": {"robert"}, "bobby": {"robert"}, "robbie": {"robert"}, "bill": {"william"},
    "will": {"william"}, "billy": {"william"}, "liam": {"william"}, "jim": {"james"},
    "jimmy": {"james"}, "jamie": {"james"}, "tom": {"thomas"}, "tommy": {"thomas"},
    "chris": {"christopher", "christine", "christina"}, "matt": {"matthew"}, "andy": {"andrew"},
    "drew": {"andrew"}, "tony": {"anthony"}, "steve": {"steven", "stephen"},
    "joe": {"joseph"}, "joey": {"joseph"}, "nick": {"nicholas"}, "rick": {"richard"},
    "rich": {"richard"}, "dick": {"richard"}, "ricky": {"richard"}, "pete": {"peter"},
    "sam": {"samuel", "samantha"}, "ben": {"benjamin"}, "alex": {"alexander", "alexandra"},
    "ed": {"edward"}, "eddie": {"edward"}, "ted": {"edward"}, "harry": {"henry", "harold"},
    "jack": {"john"}, "johnny": {"john"}, "jon": {"jonathan"}, "kate": {"katherine", "catherine"},
    "katie": {"katherine", "catherine"}, "cathy": {"catherine"}, "liz": {"elizabeth"},
    "beth": {"elizabeth"}, "lizzie": {"elizabeth"}, "jen": {"jennifer"}, "jenny": {"jennifer"},
    "sue": {"susan"}, "suzy": {"susan"}, "becky": {"rebecca"}, "becca": {"rebecca"},
    "vicky": {"victoria"}, "tori": {"victoria"}, "mandy": {"amanda"}, "pat": {"patrick", "patricia"},
    "greg": {"gregory"}, "gerry": {"gerald"}, "phil": {"philip", "phillip"}, "ron": {"ronald"},
    "ray": {"raymond"}, "tim": {"timothy"}, "ken": {"kenneth"}, "len": {"leonard"},
    "fred": {"frederick"}, "charlie": {"charles"}, "chas": {"charles"}, "al": {"alan", "albert"},
    "gaz": {"gary", "gareth"}, "baz": {"barry"}, "del": {"derek"}, "nat": {"nathan", "natalie"},
    "josh": {"joshua"}, "zac": {"zachary"}, "abby": {"abigail"}, "debbie": {"deborah"},
    "maggie": {"margaret"}, "meg": {"margaret"}, "peggy": {"margaret"}, "sandy": {"sandra", "alexander"},
    "steph": {"stephanie"}, "jo": {"joanne", "josephine"}, "lou": {"louise", "louis"},
}


@dataclass(frozen=True)
class ScoredCandidate:
    person_id: str
    score: float
    matched_on: list[str]
    parts: dict[str, Any] = field(default_factory=dict)
    confident: bool = False


class Scorer(Protocol):
    """What :func:`graphsvc.services.check` needs from a scorer (deterministic or trained)."""

    def score_subject(
        self, subject: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]]
    ) -> list[ScoredCandidate]:
        ...


@dataclass(frozen=True)
class MatchWeights:
    """Log-odds weights of the deterministic scorer (docs/analysis.md)."""

    prior: float = -4.0
    identifier_first: float = 6.0
    identifier_more: float = 1.5
    name_strong: float = 3.0  # full name agreement (>= name_strong_at), rare name
    name_partial: float = 1.5  # family or given name agrees, or weak full-name agreement
    name_conflict: float = -2.5  # both given and family names clearly differ
    rarity_bonus_max: float = 1.5  # extra for a family name shared by few on the register
    namesake_penalty_per_log2: float = 0.5  # less weight as namesakes grow
    dob_exact: float = 4.0
    dob_transposed: float = 2.5  # day and month swapped
    dob_near: float = 1.0  # one digit off, or same day and month with the year +-1
    dob_conflict: float = -3.0
    complainant: float = 2.0  # the candidate already offended against the complainant
    name_only_cap: float = 0.6  # a name alone never scores above this
    confident_at: float = 0.8
    name_strong_at: float = 0.9
    name_partial_at: float = 0.75
    name_conflict_below: float = 0.5


def _fold(value: Any) -> str:
    return normalise.name_key(str(value)) if value else ""


def normalise_subject(subject: Mapping[str, Any]) -> dict[str, Any]:
    """The subject with identifiers in their stored form and names folded.

    Identifiers that do not parse are dropped and listed under ``unparsed``. ``handles`` may be
    ``{"platform", "handle"}`` objects or ``"platform:handle"`` strings.

    Raises
    ------
    ValueError
        When the subject has no name, date of birth or identifier.
    """
    out: dict[str, Any] = {"given_name": _fold(subject.get("given_name")),
                           "family_name": _fold(subject.get("family_name")),
                           "aliases": [_fold(a) for a in subject.get("aliases") or [] if _fold(a)],
                           "dob": None, "phones": [], "emails": [], "handles": [], "vehicles": [],
                           "unparsed": []}
    dob = subject.get("dob")
    if isinstance(dob, str) and dob:
        try:
            out["dob"] = dt.date.fromisoformat(dob[:10])
        except ValueError:
            out["unparsed"].append({"field": "dob", "value": dob})
    elif isinstance(dob, dt.date):
        out["dob"] = dob
    for raw in subject.get("phones") or []:
        try:
            out["phones"].append(normalise.phone(str(raw)))
        except ValueError:
            out["unparsed"].append({"field": "phones", "value": raw})
    for raw in subject.get("emails") or []:
        try:
            out["emails"].append(normalise.email(str(raw)))
        except ValueError:
            out["unparsed"].append({"field": "emails", "value": raw})
    for raw in subject.get("handles") or []:
        try:
            if isinstance(raw, Mapping):
                plat, value = normalise.handle(str(raw.get("platform", "")), str(raw.get("handle", "")))
            else:
                plat, _, rest = str(raw).partition(":")
                plat, value = normalise.handle(plat, rest)
            out["handles"].append(f"{plat}:{value}")
        except ValueError:
            out["unparsed"].append({"field": "handles", "value": raw})
    for raw in subject.get("vehicles") or []:
        try:
            out["vehicles"].append(normalise.vehicle(str(raw)))
        except ValueError:
            out["unparsed"].append({"field": "vehicles", "value": raw})
    for key in IDENTIFIER_FIELDS:
        out[key] = list(dict.fromkeys(out[key]))
    if not (out["given_name"] or out["family_name"] or out["aliases"] or out["dob"]
            or any(out[k] for k in IDENTIFIER_FIELDS)):
        raise ValueError("the subject needs at least one name, date of birth or identifier")
    return out


def dob_agreement(a: dt.date | None, b: dt.date | None) -> str | None:
    """``exact``, ``transposed`` (day and month swapped), ``near`` (one digit of the date
    differs, or the same day and month a year apart), ``conflict``, or None when either is
    unknown."""
    if a is None or b is None:
        return None
    if a == b:
        return "exact"
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return "transposed"
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    if sum(x != y for x, y in zip(sa, sb)) == 1:
        return "near"
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return "near"
    return "conflict"


def given_name_similarity(a: str, b: str) -> float:
    """0-1 similarity of two folded given names; diminutives (Dan/Daniel) count as 0.95 and a
    prefix of at least three letters (Chris/Christopher) as 0.9."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ta, tb = a.split()[0], b.split()[0]
    if tb in NICKNAMES.get(ta, ()) or ta in NICKNAMES.get(tb, ()) or (NICKNAMES.get(ta, set()) & NICKNAMES.get(tb, set())):
        return 0.95
    if len(ta) >= 3 and len(tb) >= 3 and (ta.startswith(tb) or tb.startswith(ta)):
        return 0.9
    return fuzz.ratio(a, b) / 100.0


def _names(person: Mapping[str, Any]) -> list[str]:
    full = " ".join(x for x in (_fold(person.get("given_name")), _fold(person.get("family_name"))) if x)
    return [n for n in [full, *(_fold(a) for a in person.get("aliases") or [])] if n]


class DeterministicScorer:
    """Rule-based scorer (see the module docstring)."""

    def __init__(self, weights: MatchWeights | None = None) -> None:
        self.w = weights or MatchWeights()

    def _name_part(self, subject: Mapping[str, Any], cand: Mapping[str, Any]) -> tuple[float, list[str], dict[str, Any]]:
        w = self.w
        sg, sf = subject.get("given_name") or "", subject.get("family_name") or ""
        cg, cf = _fold(cand.get("given_name")), _fold(cand.get("family_name"))
        info: dict[str, Any] = {}
        matched: list[str] = []
        g = given_name_similarity(sg, cg) if sg and cg else None
        f = fuzz.ratio(sf, cf) / 100.0 if sf and cf else None
        # aliases and nicknames recorded as aliases: best full-name agreement over all names
        s_names = [n for n in [" ".join(x for x in (sg, sf) if x), *(subject.get("aliases") or [])] if n]
        alias = 0.0
        for sn in s_names:
            for cn in _names(cand)[1:]:
                alias = max(alias, fuzz.token_sort_ratio(sn, cn) / 100.0)
        info.update(given=g, family=f, alias=round(alias, 3))
        if g is None and f is None and not alias:
            return 0.0, matched, info
        namesakes = int(cand.get("namesakes") or 0)
        rarity = max(0.0, w.rarity_bonus_max - w.namesake_penalty_per_log2 * math.log2(1 + namesakes))
        info["namesakes"] = namesakes
        if g is not None and f is not None:
            if g >= w.name_strong_at and f >= w.name_strong_at:
                matched += ["given_name", "family_name"]
                return w.name_strong + rarity, matched, info
            if g < w.name_conflict_below and f < w.name_conflict_below and alias < w.name_strong_at:
                return w.name_conflict, matched, info
        if alias >= w.name_strong_at:
            matched.append("aliases")
            return w.name_strong + rarity, matched, info
        if f is not None and f >= w.name_strong_at:
            matched.append("family_name")
            return w.name_partial + rarity / 2, matched, info
        if g is not None and g >= w.name_strong_at:
            matched.append("given_name")
            return w.name_partial / 2, matched, info
        if alias >= w.name_partial_at or (g or 0) >= w.name_partial_at and (f or 0) >= w.name_partial_at:
            matched.append("name_similar")
            return w.name_partial, matched, info
        return 0.0, matched, info

    def score_one(self, subject: Mapping[str, Any], cand: Mapping[str, Any]) -> ScoredCandidate:
        w = self.w
        logit = w.prior
        matched: list[str] = []
        parts: dict[str, Any] = {"prior": w.prior}
        hits = list(cand.get("identifier_hits") or [])
        if not hits:
            for key in IDENTIFIER_FIELDS:
                own = set(cand.get(key) or [])
                hits += [{"field": key, "value": v, "how": "own"} for v in subject.get(key) or [] if v in own]
        distinct = sorted({(h["field"], h["value"]) for h in hits})
        if distinct:
            ident = w.identifier_first + w.identifier_more * (len(distinct) - 1)
            logit += ident
            parts["identifiers"] = {"weight": ident, "hits": hits}
            matched += sorted({h["field"] for h in hits})
        name_w, name_on, name_info = self._name_part(subject, cand)
        logit += name_w
        parts["name"] = {"weight": round(name_w, 3), **name_info}
        matched += name_on
        dob = dob_agreement(subject.get("dob"), cand.get("dob"))
        dob_w = {"exact": w.dob_exact, "transposed": w.dob_transposed, "near": w.dob_near,
                 "conflict": w.dob_conflict}.get(dob or "", 0.0)
        logit += dob_w
        parts["dob"] = {"weight": dob_w, "agreement": dob}
        if dob in ("exact", "transposed", "near"):
            matched.append("dob" if dob == "exact" else f"dob_{dob}")
        if cand.get("complainant_contact"):
            logit += w.complainant
            parts["complainant"] = {"weight": w.complainant, "evidence": list(cand["complainant_contact"])}
            matched.append("complainant")
        score = 1.0 / (1.0 + math.exp(-logit))
        name_only = not distinct and dob not in ("exact", "transposed", "near") and not cand.get("complainant_contact")
        if name_only and score > w.name_only_cap:
            score = w.name_only_cap
            parts["cap"] = "name alone: capped at {}".format(w.name_only_cap)
        parts["logit"] = round(logit, 3)
        return ScoredCandidate(str(cand["person_id"]), round(score, 4), list(dict.fromkeys(matched)), parts,
                               score >= w.confident_at)

    def score_subject(
        self, subject: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]]
    ) -> list[ScoredCandidate]:
        """Every candidate scored, best first (ties by person id)."""
        scored = [self.score_one(subject, c) for c in candidates]
        scored.sort(key=lambda s: (-s.score, s.person_id))
        return scored


def lucene_query(names: Iterable[str]) -> str | None:
    """A Lucene query for the ``person_names`` full-text index: each name token exact (boosted)
    or fuzzy (edit distance 1, or 2 for tokens of 7+ letters); special characters removed."""
    tokens: list[str] = []
    for name in names:
        for tok in _fold(name).split():
            tok = "".join(ch for ch in tok if ch.isalnum())
            if len(tok) >= 2 and tok not in tokens:
                tokens.append(tok)
    if not tokens:
        return None
    parts = []
    for tok in tokens[:12]:
        edits = 2 if len(tok) >= 7 else 1
        parts.append(f"{tok}^2" if len(tok) < 4 else f"({tok}^2 OR {tok}~{edits})")
    return " OR ".join(parts)


@functools.cache
def _name_variants() -> dict[str, frozenset[str]]:
    """Name -> the names it may stand for or be stood for by: formal names of a nickname and
    nicknames of a formal name, from both tables (the model's, :mod:`graphsvc.linkage.nicknames`,
    and :data:`NICKNAMES`). Built once."""
    # heavy: duckdb, pandas, splink (importing graphsvc.linkage loads them; the rule scorer needs none)
    from graphsvc.linkage.nicknames import FORMAL

    out: dict[str, set[str]] = {}
    for table in (FORMAL, NICKNAMES):
        for nick, formal in table.items():
            for f in formal:
                out.setdefault(nick, set()).add(f)
                out.setdefault(f, set()).add(nick)
    return {k: frozenset(v) for k, v in out.items()}


def name_initials(subject: Mapping[str, Any]) -> list[str] | None:
    """First letters of the subject's names (given, family, aliases, each token), of the formal
    names their nicknames stand for and of the nicknames that stand for them; None when the
    subject has no name. The check's date-of-birth candidates must share one (the linkage
    model's blocking rule: date of birth and the soundex of either name, which starts with the
    initial)."""
    tokens = {t for n in (subject.get("given_name"), subject.get("family_name"), *(subject.get("aliases") or []))
              if n for t in _fold(n).split()}
    if not tokens:
        return None
    variants = _name_variants()
    names = tokens.union(*(variants.get(t, ()) for t in tokens))
    return sorted({n[0] for n in names if n})


#: The model's date-of-birth levels in the deterministic scorer's ``matched_on`` words.
_MODEL_DOB = {"exact": "dob", "day and month transposed": "dob_transposed", "one character differs": "dob_near",
              "same year": "dob_year"}
#: What the model compares that is only a name (``gender`` adds nothing to tell namesakes apart).
_NAME_FIELDS = {"given_name", "family_name", "aliases", "gender"}
_IDENTIFIER_FIELDS = {"phones", "emails", "handles", "vehicles", "other_ids"}


class LinkageScorer:
    """Adapter: a trained model's ``score_subject(subject, candidates) -> [(person_id,
    probability, evidence)]`` (the identity-resolution work's ``graphsvc.linkage``) as a
    :class:`Scorer`, imported only when used, so this module does not depend on it.

    Examples
    --------
    >>> services.check(db, subject, scorer=LinkageScorer())  # doctest: +SKIP
    """

    def __init__(self, score: Any = None, confident_at: float = 0.8, weights: MatchWeights | None = None) -> None:
        self._score = score
        self.confident_at = confident_at
        self.weights = weights or MatchWeights()

    def score_subject(
        self, subject: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]]
    ) -> list[ScoredCandidate]:
        """The model's match probability per candidate, then the evidence the model has no field
        for: a candidate who already offended against (or is restrained from) the complainant
        gains ``weights.complainant`` log-odds, as in the deterministic scorer. The model compares
        two person records; the complainant's history is what tells two namesakes apart when the
        description is thin (measured: top-1 on name-only descriptions, docs/analysis.md)."""
        score = self._score
        if score is None:
            # heavy: duckdb, pandas, splink (the trained model's scorer)
            from graphsvc.linkage.api import score_subject as score
        subj = {k: v for k, v in subject.items() if v and k != "unparsed"}
        if isinstance(subj.get("dob"), dt.date):
            subj["dob"] = subj["dob"].isoformat()
        if subj.get("handles"):
            subj["handles"] = [dict(zip(("platform", "handle"), h.split(":", 1))) for h in subj["handles"]]
        rows = []
        for c in candidates:
            row = {k: c.get(k) for k in ("given_name", "family_name", "aliases", "phones", "emails", "vehicles")
                   if c.get(k)}
            row.update(id=c["person_id"], source="register")
            if c.get("dob"):
                row["dob"] = c["dob"].isoformat() if isinstance(c["dob"], dt.date) else str(c["dob"])
            if c.get("handles"):
                row["handles"] = [dict(zip(("platform", "handle"), h.split(":", 1))) for h in c["handles"]]
            rows.append(row)
        contact = {str(c["person_id"]): list(c.get("complainant_contact") or []) for c in candidates}
        try:
            results = score(subj, rows)
        except ValueError:
            # a subject the model cannot compare (e.g. only a date of birth): the rule scorer's answer
            return self._by_rules(subject, candidates)
        out = []
        for pid, prob, evidence in results:
            pid, prob = str(pid), float(prob)
            fields = [_MODEL_DOB.get(str(v.get("level")), k) if k == "dob" else k
                      for k, v in (evidence or {}).items()
                      if isinstance(v, Mapping) and float(v.get("match_weight") or 0.0) > 0.0]
            parts: dict[str, Any] = {"model": evidence}
            if contact.get(pid):
                p = min(max(prob, 1e-9), 1 - 1e-9)
                prob = 1.0 / (1.0 + math.exp(-(math.log(p / (1 - p)) + self.weights.complainant)))
                parts["complainant"] = {"weight": self.weights.complainant, "evidence": contact[pid]}
                fields.append("complainant")
            if fields and set(fields) <= _NAME_FIELDS and prob > self.weights.name_only_cap:
                # the same policy as the rule scorer: a name alone is never a confident match
                prob = self.weights.name_only_cap
                parts["cap"] = f"name alone: capped at {self.weights.name_only_cap}"
            corroborated = bool(set(fields) & _IDENTIFIER_FIELDS) and any(
                f in ("given_name", "family_name", "aliases") or f.startswith("dob") for f in fields)
            if corroborated:
                parts["rank"] = "first: a shared identifier and an agreeing name or date of birth"
            out.append(ScoredCandidate(pid, round(prob, 4), fields or (["model"] if prob >= 0.5 else []),
                                       parts, prob >= self.confident_at))
        # candidates the model left out (records it cannot compare, such as placeholders known
        # only from an incident): scored by the rules, marked
        seen = {s.person_id for s in out}
        out += self._by_rules(subject, [c for c in candidates if str(c["person_id"]) not in seen])
        # The intake rule: a shared identifier plus a compatible name or birth date ranks first;
        # within each tier, by probability.
        out.sort(key=lambda s: ("rank" not in s.parts, -s.score, s.person_id))
        return out

    def _by_rules(self, subject: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]]) -> list[ScoredCandidate]:
        scored = DeterministicScorer(self.weights).score_subject(subject, candidates) if candidates else []
        for s in scored:
            s.parts["scorer"] = "deterministic: the model cannot compare this subject or record"
        return scored
