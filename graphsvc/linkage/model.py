"""The Fellegi-Sunter person model: comparisons, unsupervised training, JSON persistence.

The model is a Splink 4 settings document (DuckDB dialect). Every comparison is written out
here as plain data, so the saved JSON is the whole model: levels, SQL conditions, and the
trained m and u probabilities. Training needs no labels:

1. ``probability_two_random_records_match`` (the prior) from deterministic rules with an
   assumed recall;
2. u probabilities from random record pairs (non-matches dominate a random sample);
3. m probabilities by expectation maximisation over blocked pairs, once blocked on date of
   birth (which trains the name and identifier comparisons) and once blocked on the full
   name (which trains the date of birth comparison).

Term-frequency adjustments apply to exact given and family name agreement: agreeing on a rare
surname is stronger evidence than agreeing on "smith". The frequency tables of the training
register are saved with the model, so scoring against a handful of candidates fetched from the
graph still uses register-wide frequencies.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from graphsvc.linkage.errors import ModelError
from graphsvc.linkage.records import prepare_persons, register_frame

__all__ = [
    "MODEL_FORMAT",
    "COMPARISONS",
    "LinkageModel",
    "build_settings",
    "train_model",
    "default_model",
]

MODEL_FORMAT = "graphsvc.linkage/1"
#: Smallest m or u probability a trained model keeps (see ``train_model``).
PROBABILITY_FLOOR = 1e-4

_JW = "jaro_winkler_similarity"


def _null(cond: str) -> dict[str, Any]:
    return {"sql_condition": cond, "label_for_charts": "null", "is_null_level": True}


def _lvl(cond: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": cond, "label_for_charts": label, **extra}


_ELSE = {"sql_condition": "ELSE", "label_for_charts": "else"}


def _list_shared(col: str, what: str) -> dict[str, Any]:
    return {
        "output_column_name": col,
        "comparison_description": f"{what}: at least one shared (exact, normalised)",
        "comparison_levels": [
            _null(f'"{col}_l" IS NULL OR "{col}_r" IS NULL'),
            _lvl(f'len(list_intersect("{col}_l", "{col}_r")) >= 1', "shared"),
            dict(_ELSE),
        ],
    }


def _comparisons() -> list[dict[str, Any]]:
    tf_given = {"tf_adjustment_column": "given_name", "tf_adjustment_weight": 1.0}
    tf_family = {"tf_adjustment_column": "family_name", "tf_adjustment_weight": 1.0}
    return [
        {
            "output_column_name": "given_name",
            "comparison_description": "given name, aliases and nicknames",
            "comparison_levels": [
                _null('"names_l" IS NULL OR "names_r" IS NULL'),
                _lvl('"given_name_l" = "given_name_r"', "exact", **tf_given),
                _lvl(
                    '"given_name_l" = "family_name_r" AND "family_name_l" = "given_name_r"',
                    "swapped with family name",
                ),
                _lvl('len(list_intersect("names_l", "names_r")) >= 1', "alias or nickname"),
                _lvl(f'{_JW}("given_name_l", "given_name_r") >= 0.92', "similar"),
                _lvl(
                    'damerau_levenshtein("given_name_l", "given_name_r") <= 1 '
                    'AND length("given_name_l") >= 4 AND length("given_name_r") >= 4',
                    "one typo",
                ),
                _lvl(f'{_JW}("given_name_l", "given_name_r") >= 0.8', "fuzzy"),
                dict(_ELSE),
            ],
        },
        {
            "output_column_name": "family_name",
            "comparison_description": "family name",
            "comparison_levels": [
                _null('"family_name_l" IS NULL OR "family_name_r" IS NULL'),
                _lvl('"family_name_l" = "family_name_r"', "exact", **tf_family),
                _lvl(
                    '"family_name_l" = "given_name_r" AND "given_name_l" = "family_name_r"',
                    "swapped with given name",
                ),
                _lvl(f'{_JW}("family_name_l", "family_name_r") >= 0.92', "similar"),
                _lvl(f'{_JW}("family_name_l", "family_name_r") >= 0.8', "fuzzy"),
                dict(_ELSE),
            ],
        },
        {
            "output_column_name": "dob",
            "comparison_description": "date of birth",
            "comparison_levels": [
                _null('"dob_l" IS NULL OR "dob_r" IS NULL'),
                _lvl('"dob_l" = "dob_r"', "exact"),
                _lvl(
                    'substr("dob_l", 1, 4) = substr("dob_r", 1, 4) '
                    'AND substr("dob_l", 6, 2) = substr("dob_r", 9, 2) '
                    'AND substr("dob_l", 9, 2) = substr("dob_r", 6, 2)',
                    "day and month transposed",
                ),
                _lvl('damerau_levenshtein("dob_l", "dob_r") <= 1', "one character differs"),
                _lvl('substr("dob_l", 1, 4) = substr("dob_r", 1, 4)', "same year"),
                dict(_ELSE),
            ],
        },
        {
            "output_column_name": "gender",
            "comparison_description": "gender",
            "comparison_levels": [
                _null('"gender_l" IS NULL OR "gender_r" IS NULL'),
                _lvl('"gender_l" = "gender_r"', "exact"),
                dict(_ELSE),
            ],
        },
        _list_shared("phones", "phone numbers (E.164)"),
        _list_shared("emails", "email addresses"),
        _list_shared("handles", "online handles (platform:handle)"),
        _list_shared("vehicles", "vehicle registrations"),
        _list_shared("other_ids", "other identifiers (scheme:value)"),
        _list_shared("postcodes", "postcodes"),
    ]


#: Output names of the comparisons, in model order.
COMPARISONS: tuple[str, ...] = tuple(c["output_column_name"] for c in _comparisons())

#: Blocking rules that generate candidate pairs for prediction (SQL over ``l`` and ``r``).
PREDICTION_BLOCKING_RULES: tuple[dict[str, Any], ...] = (
    {"blocking_rule": 'l."dob" = r."dob" AND l."given_key" = r."given_key"'},
    {"blocking_rule": 'l."dob" = r."dob" AND l."family_key" = r."family_key"'},
    {"blocking_rule": 'l."dob" = r."dob" AND l."given_key" = r."family_key"'},
    {"blocking_rule": 'l."dob" = r."dob" AND l."family_key" = r."given_key"'},
    {"blocking_rule": 'l."given_name" = r."given_name" AND l."family_name" = r."family_name"'},
    {"blocking_rule": 'l."family_key" = r."family_key" AND l."dob_year" = r."dob_year" '
     'AND substr(l."given_name", 1, 1) = substr(r."given_name", 1, 1)'},
    {
        "blocking_rule": 'l."identifiers" = r."identifiers"',
        "arrays_to_explode": ["identifiers"],
    },
)


def build_settings(
    *, link_type: str = "dedupe_only", blocking_rules: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Return an untrained Splink settings document for the person model.

    Parameters
    ----------
    link_type : {"dedupe_only", "link_only", "link_and_dedupe"}
        Splink's link type; ``link_only`` compares records of different sources only.
    blocking_rules : list of dict, optional
        Splink blocking-rule dicts for prediction; defaults to the model's rules (same date of
        birth and a similar-sounding name (either way round), the same full name, a similar-sounding family name
        with the same birth year and initial, or any shared identifier).

    Returns
    -------
    dict
        A JSON-serialisable Splink 4 settings dict (DuckDB dialect).
    """
    if link_type not in ("dedupe_only", "link_only", "link_and_dedupe"):
        raise ValueError(f"unknown link_type {link_type!r}")
    return {
        "link_type": link_type,
        "sql_dialect": "duckdb",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-4,
        "comparisons": _comparisons(),
        "blocking_rules_to_generate_predictions": copy.deepcopy(
            list(blocking_rules if blocking_rules is not None else PREDICTION_BLOCKING_RULES)
        ),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "em_convergence": 0.0001,
        "max_iterations": 25,
    }


@dataclass
class LinkageModel:
    """A trained person model: Splink settings plus register-wide name frequencies.

    Parameters
    ----------
    settings : dict
        The Splink 4 settings document with trained m and u probabilities.
    tf_tables : dict
        ``{"given_name": {value: relative frequency}, "family_name": {...}}`` from the training
        register; used when scoring against a few candidates.
    meta : dict
        Free provenance (training size, seed, dates).
    """

    settings: dict[str, Any]
    tf_tables: dict[str, dict[str, float]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Check the model is complete; raise :class:`ModelError` otherwise."""
        if not isinstance(self.settings, dict):
            raise ModelError("settings must be a dict")
        comps = self.settings.get("comparisons")
        if not isinstance(comps, list):
            raise ModelError("settings have no comparisons")
        names = tuple(c.get("output_column_name") for c in comps)
        if names != COMPARISONS:
            raise ModelError(f"comparisons {names} do not match this library's {COMPARISONS}")
        prior = self.settings.get("probability_two_random_records_match")
        if not isinstance(prior, (int, float)) or not 0 < prior < 1:
            raise ModelError("probability_two_random_records_match must be in (0, 1)")
        for c in comps:
            for lvl in c["comparison_levels"]:
                if lvl.get("is_null_level"):
                    continue
                for p in ("m_probability", "u_probability"):
                    v = lvl.get(p)
                    if not isinstance(v, (int, float)) or not 0 < v <= 1:
                        raise ModelError(
                            f"{c['output_column_name']}/{lvl['label_for_charts']}: {p} untrained"
                        )
        for col, table in self.tf_tables.items():
            if col not in ("given_name", "family_name") or not isinstance(table, dict):
                raise ModelError(f"bad term-frequency table {col!r}")

    def settings_for(
        self, *, link_type: str | None = None, blocking_rules: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """A copy of the settings, optionally with another link type or blocking rules."""
        s = copy.deepcopy(self.settings)
        if link_type is not None:
            s["link_type"] = link_type
        if blocking_rules is not None:
            s["blocking_rules_to_generate_predictions"] = copy.deepcopy(blocking_rules)
        s["retain_intermediate_calculation_columns"] = True
        s["retain_matching_columns"] = True  # Splink only emits gamma_* columns with it
        return s

    def level_labels(self) -> dict[str, dict[int, str]]:
        """``{comparison: {gamma: label}}``; gamma -1 is the null level."""
        out: dict[str, dict[int, str]] = {}
        for c in self.settings["comparisons"]:
            levels = [lvl for lvl in c["comparison_levels"] if not lvl.get("is_null_level")]
            n = len(levels)
            labels = {n - 1 - i: lvl["label_for_charts"] for i, lvl in enumerate(levels)}
            labels[-1] = "null"
            out[c["output_column_name"]] = labels
        return out

    def to_json(self) -> str:
        """Serialise the model (settings, frequencies, provenance) as JSON text."""
        return json.dumps(
            {
                "format": MODEL_FORMAT,
                "settings": self.settings,
                "tf_tables": self.tf_tables,
                "meta": self.meta,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> LinkageModel:
        """Load a model from :meth:`to_json` text; raise :class:`ModelError` if malformed."""
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(f"model is not JSON: {exc}") from exc
        if not isinstance(doc, dict) or doc.get("format") != MODEL_FORMAT:
            raise ModelError(f"not a {MODEL_FORMAT} model document")
        return cls(doc["settings"], doc.get("tf_tables") or {}, doc.get("meta") or {})

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` (JSON) and return the path."""
        p = Path(path)
        p.write_text(self.to_json(), encoding="utf-8")
        return p

    @classmethod
    def load(cls, path: str | Path) -> LinkageModel:
        """Read a model written by :meth:`save`."""
        p = Path(path)
        if not p.is_file():
            raise ModelError(f"no model file at {p}")
        return cls.from_json(p.read_text(encoding="utf-8"))


@contextlib.contextmanager
def quiet_splink(level: int = logging.ERROR) -> Iterator[None]:
    """Silence Splink's progress chatter (INFO and training WARNINGs) for a block."""
    logger = logging.getLogger("splink")
    old = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(old)


def _linker(con: duckdb.DuckDBPyConnection, tables: list[str], settings: dict[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    return Linker(
        tables if len(tables) > 1 else tables[0],
        settings,
        DuckDBAPI(connection=con),
        set_up_basic_logging=False,
    )


def _train(
    con: duckdb.DuckDBPyConnection,
    train: pd.DataFrame,
    seed: int,
    max_pairs_for_u: int,
    prior_recall: float,
    blocking_rules: list[dict[str, Any]] | None,
) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    from splink import block_on

    table = register_frame(con, train, "persons_train")
    settings = build_settings(link_type="dedupe_only", blocking_rules=blocking_rules)
    linker = _linker(con, [table], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "dob")], recall=prior_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_for_u, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name"), estimate_without_term_frequencies=True
    )
    trained: dict[str, Any] = linker.misc.save_model_to_json()
    tf_tables: dict[str, dict[str, float]] = {}
    for col in ("given_name", "family_name"):
        tf = linker.table_management.compute_tf_table(col).as_pandas_dataframe()
        tf_tables[col] = {
            str(k): float(v) for k, v in zip(tf[col], tf[f"tf_{col}"]) if k is not None
        }
    return trained, tf_tables


def train_model(
    persons: pd.DataFrame,
    *,
    seed: int = 42,
    max_pairs_for_u: int = 2_000_000,
    prior_recall: float = 0.7,
    sample_size: int | None = 200_000,
    link_type: str = "dedupe_only",
    blocking_rules: list[dict[str, Any]] | None = None,
) -> LinkageModel:
    """Train the person model on unlabelled records.

    Parameters
    ----------
    persons : pandas.DataFrame
        A comparison frame from :func:`~graphsvc.linkage.records.prepare_persons` (or raw
        records, which are prepared first).
    seed : int, optional
        Seed for the random pairs that estimate u.
    max_pairs_for_u : int, optional
        Random pairs sampled to estimate u.
    prior_recall : float, optional
        Assumed recall of the deterministic rule (same given name, family name and date of
        birth) that estimates the prior probability that two records match.
    sample_size : int or None, optional
        Train on a random sample of at most this many records (None: all). Parameters are
        per-pair rates, so a large sample estimates them as well as the whole register.
    link_type : str, optional
        Saved into the model; predictions may override it.
    blocking_rules : list of dict, optional
        Prediction blocking rules to save with the model (default: the library's).

    Returns
    -------
    LinkageModel

    Raises
    ------
    ValueError
        If there are fewer than 10 records or ``prior_recall`` is not in (0, 1].
    ModelError
        If some parameter could not be estimated (too little data for a comparison level).
    """
    if not isinstance(persons, pd.DataFrame) or "unique_id" not in persons.columns:
        persons = prepare_persons(persons)
    if len(persons) < 10:
        raise ValueError("need at least 10 records to train")
    if not 0 < prior_recall <= 1:
        raise ValueError("prior_recall must be in (0, 1]")
    train = persons
    if sample_size is not None and len(persons) > sample_size:
        train = persons.sample(n=sample_size, random_state=seed)

    con = duckdb.connect()
    try:
        with quiet_splink():
            trained, tf_tables = _train(con, train, seed, max_pairs_for_u, prior_recall,
                                        blocking_rules)
    finally:
        con.close()
    trained["link_type"] = link_type
    for c in trained["comparisons"]:
        for lvl in c["comparison_levels"]:
            for p in ("m_probability", "u_probability"):
                v = lvl.get(p)
                if isinstance(v, float) and math.isnan(v):
                    lvl.pop(p)
                elif isinstance(v, (int, float)):
                    # Smoothing: no level is ever infinitely decisive (a level never seen
                    # among matches in training can still occur: people move, marry).
                    lvl[p] = max(float(v), PROBABILITY_FLOOR)
    _fill_unobserved(trained)
    meta = {"records": len(train), "seed": seed, "prior_recall": prior_recall}
    return LinkageModel(trained, tf_tables, meta)


def _fill_unobserved(settings: dict[str, Any]) -> None:
    """Give levels never observed in training a small, neutral-leaning probability.

    EM leaves m unset for a level no blocked pair reached (e.g. no swapped names in the
    data). Such a level gets m = u when u is known (Bayes factor 1: no evidence either way),
    or a tiny m and u otherwise. Documented in docs/identity-resolution.md.
    """
    for c in settings["comparisons"]:
        for lvl in c["comparison_levels"]:
            if lvl.get("is_null_level"):
                continue
            m, u = lvl.get("m_probability"), lvl.get("u_probability")
            if u is None:
                u = PROBABILITY_FLOOR
                lvl["u_probability"] = u
            if m is None:
                lvl["m_probability"] = u


_DEFAULT_MODEL_PATH = Path(__file__).with_name("models") / "person_default.json"


@functools.lru_cache(maxsize=1)
def default_model() -> LinkageModel:
    """The packaged model, trained without labels on a synthetic register (loaded once and
    shared: do not mutate it).

    Built by ``bench/linkage_train_default.py``; see docs/identity-resolution.md.
    """
    return LinkageModel.load(_DEFAULT_MODEL_PATH)
