"""In-process scoring of one record against a few candidates, with the trained Splink model.

Splink's ``find_matches_to_new_records`` re-plans and re-runs its SQL pipeline on every call
(about a second here, whatever the register size). The intake check and the loader need one
record scored in milliseconds, so this module evaluates the *same* model in Python: the same
comparison levels (each level's SQL condition in :mod:`graphsvc.linkage.model` has its Python
twin here, with the same string-similarity functions, from RapidFuzz, that DuckDB implements),
the same Bayes factors, the same term-frequency formula. ``tests/unit/test_linkage_incremental.py``
checks that both engines give the same levels and probabilities.

It also defines :func:`blocking_keys`: the keys the graph should be queried by to fetch the
candidates of a new record (the Python equivalent of the model's prediction blocking rules).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from graphsvc.linkage.errors import ModelError
from graphsvc.linkage.model import LinkageModel

__all__ = ["PythonScorer", "blocking_keys"]

Row = Mapping[str, Any]
Pred = Callable[[Row, Row], bool]


def _jw(x: str | None, y: str | None, t: float) -> bool:
    return x is not None and y is not None and JaroWinkler.similarity(x, y) >= t


def _eq(x: Any, y: Any) -> bool:
    return x is not None and y is not None and x == y


def _shared(col: str) -> Pred:
    return lambda a, b: bool(set(a[col]) & set(b[col]))


def _one_typo(a: Row, b: Row) -> bool:
    x, y = a["given_name"], b["given_name"]
    return (
        x is not None and y is not None and len(x) >= 4 and len(y) >= 4
        and DamerauLevenshtein.distance(x, y) <= 1
    )


def _transposed(a: Row, b: Row) -> bool:
    x, y = a["dob"], b["dob"]
    return bool(x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7])


# (null test, [(label, predicate)]) per comparison; order and labels match model.py.
_LEVELS: dict[str, tuple[Pred, list[tuple[str, Pred]]]] = {
    "given_name": (
        lambda a, b: a["names"] is None or b["names"] is None,
        [
            ("exact", lambda a, b: _eq(a["given_name"], b["given_name"])),
            (
                "swapped with family name",
                lambda a, b: _eq(a["given_name"], b["family_name"])
                and _eq(a["family_name"], b["given_name"]),
            ),
            ("alias or nickname", _shared("names")),
            ("similar", lambda a, b: _jw(a["given_name"], b["given_name"], 0.92)),
            ("one typo", _one_typo),
            ("fuzzy", lambda a, b: _jw(a["given_name"], b["given_name"], 0.8)),
        ],
    ),
    "family_name": (
        lambda a, b: a["family_name"] is None or b["family_name"] is None,
        [
            ("exact", lambda a, b: a["family_name"] == b["family_name"]),
            (
                "swapped with given name",
                lambda a, b: _eq(a["family_name"], b["given_name"])
                and _eq(a["given_name"], b["family_name"]),
            ),
            ("similar", lambda a, b: _jw(a["family_name"], b["family_name"], 0.92)),
            ("fuzzy", lambda a, b: _jw(a["family_name"], b["family_name"], 0.8)),
        ],
    ),
    "dob": (
        lambda a, b: a["dob"] is None or b["dob"] is None,
        [
            ("exact", lambda a, b: a["dob"] == b["dob"]),
            ("day and month transposed", _transposed),
            (
                "one character differs",
                lambda a, b: DamerauLevenshtein.distance(a["dob"], b["dob"]) <= 1,
            ),
            ("same year", lambda a, b: a["dob"][:4] == b["dob"][:4]),
        ],
    ),
    "gender": (
        lambda a, b: a["gender"] is None or b["gender"] is None,
        [("exact", lambda a, b: a["gender"] == b["gender"])],
    ),
    **{
        col: (
            (lambda c: (lambda a, b: a[c] is None or b[c] is None))(col),
            [("shared", _shared(col))],
        )
        for col in ("phones", "emails", "handles", "vehicles", "other_ids", "postcodes")
    },
}


class PythonScorer:
    """Evaluate a trained :class:`LinkageModel` on pairs of prepared rows, in Python.

    Parameters
    ----------
    model : LinkageModel

    Raises
    ------
    ModelError
        If the model's comparison levels are not the ones this scorer implements.
    """

    def __init__(self, model: LinkageModel) -> None:
        self.model = model
        prior = float(model.settings["probability_two_random_records_match"])
        self.log2_prior_odds = math.log2(prior / (1 - prior))
        self._comps: list[tuple[str, Pred, list[tuple[str, Pred, float, str | None, float]]]] = []
        for c in model.settings["comparisons"]:
            name = c["output_column_name"]
            null_pred, preds = _LEVELS[name]
            levels = [lvl for lvl in c["comparison_levels"] if not lvl.get("is_null_level")]
            labels = [lvl["label_for_charts"] for lvl in levels]
            if labels != [p[0] for p in preds] + ["else"]:
                raise ModelError(f"{name}: levels {labels} are not the ones the scorer knows")
            u_exact = next(
                (lvl["u_probability"] for lvl in levels if lvl["label_for_charts"] == "exact"),
                None,
            )
            compiled = []
            for lvl, (label, pred) in zip(levels, [*preds, ("else", lambda a, b: True)]):
                bf = lvl["m_probability"] / lvl["u_probability"]
                tf_col = lvl.get("tf_adjustment_column")
                compiled.append(
                    (label, pred, bf, tf_col, float(lvl.get("tf_adjustment_weight", 1.0)))
                )
            self._comps.append((name, null_pred, compiled))
            if any(x[3] for x in compiled) and u_exact is None:
                raise ModelError(f"{name}: term-frequency level without an exact level")
        self._u_exact = {
            c["output_column_name"]: next(
                (
                    lvl["u_probability"]
                    for lvl in c["comparison_levels"]
                    if lvl.get("label_for_charts") == "exact"
                ),
                None,
            )
            for c in model.settings["comparisons"]
        }

    def score(self, a: Row, b: Row) -> tuple[float, float, dict[str, Any]]:
        """Return ``(match_probability, match_weight, evidence)`` for one pair of rows.

        The evidence has the same shape as :class:`~graphsvc.linkage.scoring.Proposal`'s,
        without ``link_rule`` (see :func:`~graphsvc.linkage.scoring.link_rule_from_levels`).
        """
        total = self.log2_prior_odds
        ev: dict[str, Any] = {}
        tf_tables = self.model.tf_tables
        for name, null_pred, levels in self._comps:
            has_tf = any(x[3] for x in levels)
            if null_pred(a, b):
                item: dict[str, Any] = {"level": "null"}
                if has_tf:
                    item["tf_adjustment"] = 1.0
                item.update(bayes_factor=1.0, match_weight=0.0)
                ev[name] = item
                continue
            for label, pred, bf, tf_col, tf_w in levels:
                if pred(a, b):
                    break
            item = {"level": label}
            if has_tf:
                adj = 1.0
                if tf_col is not None:
                    table = tf_tables.get(tf_col, {})
                    vals = [v for v in (table.get(a[tf_col]), table.get(b[tf_col])) if v]
                    u_exact = self._u_exact[name]
                    if vals and u_exact is not None:
                        adj = (u_exact / max(vals)) ** tf_w
                item["tf_adjustment"] = adj
                bf = bf * adj
            item["bayes_factor"] = bf
            w = math.log2(bf) if bf > 0 else -math.inf
            item["match_weight"] = w
            total += w
            ev[name] = item
        prob = 1.0 / (1.0 + 2.0 ** (-total)) if total > -1000 else 0.0
        return prob, total, ev


def blocking_keys(row: Row) -> set[str]:
    """Blocking keys of a prepared row (see :func:`~graphsvc.linkage.records.prepare_person`).

    Two records are candidates when they share a key. The keys mirror the model's prediction
    blocking rules: ``dn:`` date of birth with the soundex of either name, ``n:`` the full
    name, ``fy:`` family-name soundex, birth year and initial, ``id:`` any identifier. The
    graph side should fetch candidates with the same keys.

    Examples
    --------
    >>> from graphsvc.linkage.records import prepare_person
    >>> sorted(blocking_keys(prepare_person({"id": "A", "family_name": "Lee",
    ...     "phones": ["+447700900001"]})))
    ['id:phone:+447700900001']
    """
    keys: set[str] = set()
    dob, g, f = row.get("dob"), row.get("given_name"), row.get("family_name")
    gk, fk = row.get("given_key"), row.get("family_key")
    if dob:
        for k in (gk, fk):
            if k:
                keys.add(f"dn:{dob}|{k}")
    if g and f:
        keys.add(f"n:{g}|{f}")
        if dob and fk:
            keys.add(f"fy:{fk}|{dob[:4]}|{g[0]}")
    for ident in row.get("identifiers") or ():
        keys.add(f"id:{ident}")
    return keys


def candidate_index(rows: Iterable[Row]) -> dict[str, list[int]]:
    """``{blocking key: [row positions]}`` for a list of prepared rows."""
    index: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        for k in blocking_keys(row):
            index.setdefault(k, []).append(i)
    return index
