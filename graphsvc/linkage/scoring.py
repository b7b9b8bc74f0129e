"""Pairwise scoring, per-field evidence, the link rule, and clusters.

The probability is Splink's Fellegi-Sunter posterior. On top of it sits a deterministic **link
rule** (families share phones, addresses and family names, so one shared identifier must never
be enough):

Five kinds of agreement are counted, each at most once however many fields agree:

* NAME: the given names agree (exact, an alias or nickname in common, the names swapped,
  Jaro-Winkler >= 0.92, or one typo apart when both have at least 4 letters);
* FAMILY NAME: the family names agree the same way;
* DOB: exact, day and month transposed, or one character different;
* IDENTIFIER: at least one shared phone, email, handle or vehicle (all these kinds together
  count once: a household shares phones, emails and cars alike);
* PERSONAL ID: a shared ``other_ids`` value, an identifier issued to one person (national
  insurance or social security number, PNC ID, passport); never put a household's identifiers
  there;
* POSTCODE: at least one shared postcode.

A pair is a **link** only when ``match_probability >= threshold`` and at least **two** kinds
agree, one of them personal (NAME, DOB or PERSONAL ID). So a shared identifier alone, several shared
identifiers, or identifier + family name + postcode (a household) never link, whatever the
probability. Pairs that fail the rule are still returned as proposals (with
``link_rule.passed = False``) so a person can see them, but they never join clusters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from graphsvc.linkage.model import COMPARISONS, LinkageModel

__all__ = [
    "NAME_AGREE",
    "FAMILY_AGREE",
    "DOB_AGREE",
    "IDENTIFIER_COMPARISONS",
    "PERSONAL_ID_COMPARISON",
    "Proposal",
    "link_rule_mask",
    "link_rule_from_levels",
    "proposals_from_pairs",
    "cluster_pairs",
]

#: Given-name levels that count as NAME evidence.
NAME_AGREE = frozenset(
    {"exact", "swapped with family name", "alias or nickname", "similar", "one typo"}
)
#: Family-name levels that count as FAMILY NAME evidence.
FAMILY_AGREE = frozenset({"exact", "swapped with given name", "similar"})
#: Date-of-birth levels that count as DOB evidence.
DOB_AGREE = frozenset({"exact", "day and month transposed", "one character differs"})
#: Comparisons whose ``shared`` level counts as IDENTIFIER evidence.
IDENTIFIER_COMPARISONS = ("phones", "emails", "handles", "vehicles")
#: Comparison whose ``shared`` level counts as PERSONAL ID evidence.
PERSONAL_ID_COMPARISON = "other_ids"


@dataclass(frozen=True)
class Proposal:
    """A scored pair of person records.

    Attributes
    ----------
    id_l, id_r : str
        The two record ids (``id_l`` is the register record when scoring a new record).
    match_probability : float
        Fellegi-Sunter posterior probability that both are the same person.
    match_weight : float
        log2 of the posterior odds.
    link_rule_passed : bool
        Whether the pair satisfies the link rule (see module docs).
    evidence : dict
        ``{comparison: {"level", "bayes_factor", "match_weight"[, "tf_adjustment"]},
        "link_rule": {"name", "family_name", "dob", "identifier", "personal_id",
        "postcode", "passed"}}``; JSON-serialisable.
    """

    id_l: str
    id_r: str
    match_probability: float
    match_weight: float
    link_rule_passed: bool
    evidence: dict[str, Any]

    def is_link(self, threshold: float) -> bool:
        """True when the probability reaches ``threshold`` and the link rule holds."""
        return self.link_rule_passed and self.match_probability >= threshold

    def matched_on(self) -> list[str]:
        """Comparisons with positive evidence (match weight > 0), strongest first."""
        items = [
            (k, v["match_weight"])
            for k, v in self.evidence.items()
            if k != "link_rule" and v["match_weight"] > 0
        ]
        return [k for k, _ in sorted(items, key=lambda kv: -kv[1])]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "id_l": self.id_l,
            "id_r": self.id_r,
            "match_probability": self.match_probability,
            "match_weight": self.match_weight,
            "link_rule_passed": self.link_rule_passed,
            "evidence": self.evidence,
        }


def _labels(model: LinkageModel, pairs: pd.DataFrame, comp: str) -> pd.Series:
    mapping = model.level_labels()[comp]
    return pairs[f"gamma_{comp}"].map(mapping)


def link_rule_mask(model: LinkageModel, pairs: pd.DataFrame) -> pd.DataFrame:
    """Evaluate the link rule on Splink pair output, vectorised.

    Parameters
    ----------
    model : LinkageModel
        The model that scored the pairs (gives the level labels).
    pairs : pandas.DataFrame
        Splink predictions with ``gamma_<comparison>`` columns.

    Returns
    -------
    pandas.DataFrame
        Boolean columns ``name``, ``family_name``, ``dob``, ``identifier``, ``personal_id``,
        ``postcode`` and ``passed``, aligned to ``pairs``.
    """
    missing = [c for c in COMPARISONS if f"gamma_{c}" not in pairs.columns]
    if missing:
        raise ValueError(f"pairs lack gamma columns for {missing}")
    name = _labels(model, pairs, "given_name").isin(NAME_AGREE)
    family = _labels(model, pairs, "family_name").isin(FAMILY_AGREE)
    dob = _labels(model, pairs, "dob").isin(DOB_AGREE)
    ident = np.zeros(len(pairs), dtype=bool)
    for comp in IDENTIFIER_COMPARISONS:
        ident |= (_labels(model, pairs, comp) == "shared").to_numpy()
    ident_s = pd.Series(ident, index=pairs.index)
    personal = _labels(model, pairs, PERSONAL_ID_COMPARISON) == "shared"
    postcode = _labels(model, pairs, "postcodes") == "shared"
    kinds = (
        name.astype(int) + family.astype(int) + dob.astype(int)
        + ident_s.astype(int) + personal.astype(int) + postcode.astype(int)
    )
    passed = (name | dob | personal) & (kinds >= 2)
    return pd.DataFrame(
        {
            "name": name,
            "family_name": family,
            "dob": dob,
            "identifier": ident_s,
            "personal_id": personal,
            "postcode": postcode,
            "passed": passed,
        }
    )


def link_rule_from_levels(levels: Mapping[str, str]) -> dict[str, bool]:
    """The link rule for one pair, from ``{comparison: level label}`` (scalar twin of
    :func:`link_rule_mask`)."""
    name = levels.get("given_name") in NAME_AGREE
    family = levels.get("family_name") in FAMILY_AGREE
    dob = levels.get("dob") in DOB_AGREE
    ident = any(levels.get(c) == "shared" for c in IDENTIFIER_COMPARISONS)
    personal = levels.get(PERSONAL_ID_COMPARISON) == "shared"
    postcode = levels.get("postcodes") == "shared"
    kinds = sum((name, family, dob, ident, personal, postcode))
    return {
        "name": name,
        "family_name": family,
        "dob": dob,
        "identifier": ident,
        "personal_id": personal,
        "postcode": postcode,
        "passed": (name or dob or personal) and kinds >= 2,
    }


def _tf_comparisons(model: LinkageModel) -> set[str]:
    out = set()
    for c in model.settings["comparisons"]:
        if any(lvl.get("tf_adjustment_column") for lvl in c["comparison_levels"]):
            out.add(c["output_column_name"])
    return out


def proposals_from_pairs(model: LinkageModel, pairs: pd.DataFrame) -> Iterator[Proposal]:
    """Turn Splink pair output into :class:`Proposal` objects with per-field evidence.

    Parameters
    ----------
    model : LinkageModel
        The model that scored the pairs.
    pairs : pandas.DataFrame
        Output of :func:`~graphsvc.linkage.api.predict_pairs` (or Splink's ``predict`` with
        intermediate columns retained).

    Yields
    ------
    Proposal
        One per row, in the frame's order.
    """
    if pairs.empty:
        return
    rule = link_rule_mask(model, pairs)
    labels = model.level_labels()
    tf_comps = _tf_comparisons(model)
    cols: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
    for comp in COMPARISONS:
        tf = pairs[f"bf_tf_adj_{comp}"].to_numpy() if comp in tf_comps else None
        cols[comp] = (pairs[f"gamma_{comp}"].to_numpy(), pairs[f"bf_{comp}"].to_numpy(), tf)
    ids_l = pairs["unique_id_l"].astype(str).to_numpy()
    ids_r = pairs["unique_id_r"].astype(str).to_numpy()
    probs = pairs["match_probability"].to_numpy()
    weights = pairs["match_weight"].to_numpy()
    rule_cols = {c: rule[c].to_numpy() for c in rule.columns}
    for i in range(len(pairs)):
        ev: dict[str, Any] = {}
        for comp in COMPARISONS:
            gam, bf, tf = cols[comp]
            g = int(gam[i])
            b = float(bf[i])
            item: dict[str, Any] = {"level": labels[comp].get(g, str(g))}
            if tf is not None:
                t = tf[i]
                t = 1.0 if t is None or (isinstance(t, float) and math.isnan(t)) else float(t)
                item["tf_adjustment"] = t
                b *= t
            item["bayes_factor"] = b
            item["match_weight"] = math.log2(b) if b > 0 else float("-inf")
            ev[comp] = item
        ev["link_rule"] = {c: bool(v[i]) for c, v in rule_cols.items()}
        yield Proposal(
            id_l=str(ids_l[i]),
            id_r=str(ids_r[i]),
            match_probability=float(probs[i]),
            match_weight=float(weights[i]),
            link_rule_passed=bool(rule_cols["passed"][i]),
            evidence=ev,
        )


def cluster_pairs(
    pairs: pd.DataFrame | Iterable[Proposal],
    threshold: float = 0.9,
    *,
    ids: Iterable[str] | None = None,
) -> list[list[str]]:
    """Connected components of the links (pairs above ``threshold`` that pass the link rule).

    Parameters
    ----------
    pairs : pandas.DataFrame or iterable of Proposal
        A frame with ``unique_id_l``, ``unique_id_r``, ``match_probability`` and
        ``link_rule_passed`` columns (as :func:`~graphsvc.linkage.api.predict_pairs` returns),
        or proposals.
    threshold : float, optional (default 0.9)
        Minimum match probability for an edge.
    ids : iterable of str, optional
        All record ids; when given, records with no link come back as singleton clusters.

    Returns
    -------
    list of list of str
        Clusters (each sorted), largest first, then by first id.

    Raises
    ------
    ValueError
        If ``threshold`` is not in [0, 1].
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be in [0, 1]")
    g = nx.Graph()
    if ids is not None:
        g.add_nodes_from(str(i) for i in ids)
    if isinstance(pairs, pd.DataFrame):
        if not pairs.empty:
            keep = pairs[(pairs["match_probability"] >= threshold) & pairs["link_rule_passed"]]
            g.add_edges_from(
                zip(keep["unique_id_l"].astype(str), keep["unique_id_r"].astype(str))
            )
    else:
        g.add_edges_from((p.id_l, p.id_r) for p in pairs if p.is_link(threshold))
    comps = [sorted(c) for c in nx.connected_components(g)]
    comps.sort(key=lambda c: (-len(c), c[0]))
    return comps
