"""Batch prediction, incremental scoring against a register, and subject scoring."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pandas as pd

from graphsvc.linkage.errors import ModelError
from graphsvc.linkage.model import LinkageModel, default_model, quiet_splink
from graphsvc.linkage.records import prepare_person, prepare_persons, register_frame
from graphsvc.linkage.fastscore import PythonScorer, blocking_keys, candidate_index
from graphsvc.linkage.scoring import (
    Proposal,
    cluster_pairs,
    link_rule_from_levels,
    link_rule_mask,
    proposals_from_pairs,
)

__all__ = [
    "predict_pairs",
    "dedupe",
    "Register",
    "score_new_record",
    "score_subject",
]

_TF_COLUMNS = ("given_name", "family_name")


def _as_frame(persons: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    if isinstance(persons, pd.DataFrame) and "unique_id" in persons.columns:
        return persons
    return prepare_persons(persons)


def _linker(con: duckdb.DuckDBPyConnection, tables: str | list[str], settings: dict[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    return Linker(tables, settings, DuckDBAPI(connection=con), set_up_basic_logging=False)


def _register_tf(linker: Any, model: LinkageModel) -> None:
    for col in _TF_COLUMNS:
        table = model.tf_tables.get(col)
        if table:
            frame = pd.DataFrame({col: list(table), f"tf_{col}": list(table.values())})
            linker.table_management.register_term_frequency_lookup(frame, col, overwrite=True)


def _check_model(model: LinkageModel) -> None:
    if not isinstance(model, LinkageModel):
        raise ModelError("model must be a LinkageModel (train_model or LinkageModel.load)")


def predict_pairs(
    model: LinkageModel,
    persons: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    threshold: float = 0.5,
    across_sources_only: bool = False,
    blocking_rules: list[dict[str, Any]] | None = None,
    use_model_tf: bool = False,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """Score all blocked pairs of a register and keep those at or above ``threshold``.

    Parameters
    ----------
    model : LinkageModel
        A trained model.
    persons : pandas.DataFrame or iterable of dict
        Normalised person records, or a frame from :func:`prepare_persons`.
    threshold : float, optional (default 0.5)
        Minimum match probability of a returned pair.
    across_sources_only : bool, optional
        Compare only records of different ``source`` values (Splink ``link_only``).
    blocking_rules : list of dict, optional
        Splink blocking-rule dicts; default the model's.
    use_model_tf : bool, optional
        Use the model's saved name frequencies instead of this register's.
    memory_limit : str, optional
        DuckDB memory limit (e.g. ``"3GB"``); DuckDB spills to disk beyond it.
    threads : int, optional
        DuckDB worker threads (default: all cores).

    Returns
    -------
    pandas.DataFrame
        ``unique_id_l``, ``unique_id_r``, ``match_probability``, ``match_weight``,
        ``gamma_*``/``bf_*``/``bf_tf_adj_*`` per comparison, and ``link_rule_passed``.

    Raises
    ------
    ValueError
        If ``threshold`` is not in [0, 1], or ``across_sources_only`` with fewer than two
        sources.
    """
    _check_model(model)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be in [0, 1]")
    frame = _as_frame(persons)
    con = duckdb.connect()
    try:
        if memory_limit is not None:
            con.execute("SET memory_limit = ?", [memory_limit])
        if threads is not None:
            con.execute("SET threads = ?", [int(threads)])
        if across_sources_only:
            sources = [s for s in frame["source"].dropna().unique()]
            if len(sources) < 2 or frame["source"].isna().any():
                raise ValueError("across_sources_only needs a source on every record, two or more")
            tables = [
                register_frame(con, frame[frame["source"] == s], f"persons_{i}")
                for i, s in enumerate(sources)
            ]
            settings = model.settings_for(link_type="link_only", blocking_rules=blocking_rules)
            linker = _linker(con, tables, settings)
        else:
            table = register_frame(con, frame, "persons")
            settings = model.settings_for(link_type="dedupe_only", blocking_rules=blocking_rules)
            linker = _linker(con, table, settings)
        if use_model_tf:
            _register_tf(linker, model)
        with quiet_splink():
            pred = linker.inference.predict(threshold_match_probability=threshold)
            out = pred.as_pandas_dataframe()
    finally:
        con.close()
    out["link_rule_passed"] = link_rule_mask(model, out)["passed"] if len(out) else []
    return out


def dedupe(
    model: LinkageModel,
    persons: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    threshold: float = 0.9,
    proposal_threshold: float = 0.5,
) -> tuple[list[Proposal], list[list[str]]]:
    """Pairwise proposals and clusters for a register.

    Parameters
    ----------
    model : LinkageModel
    persons : pandas.DataFrame or iterable of dict
    threshold : float, optional (default 0.9)
        Links (cluster edges) need this probability and the link rule.
    proposal_threshold : float, optional (default 0.5)
        Proposals returned at or above this probability (whether or not they pass the rule).

    Returns
    -------
    (proposals, clusters)
        Proposals best first; clusters with two or more records, largest first.
    """
    if not 0.0 <= proposal_threshold <= threshold <= 1.0:
        raise ValueError("need 0 <= proposal_threshold <= threshold <= 1")
    pairs = predict_pairs(model, persons, threshold=proposal_threshold)
    pairs = pairs.sort_values("match_probability", ascending=False, kind="stable")
    return list(proposals_from_pairs(model, pairs)), cluster_pairs(pairs, threshold)


_SCORERS: dict[int, tuple[LinkageModel, PythonScorer]] = {}


def _scorer_for(model: LinkageModel) -> PythonScorer:
    """One compiled scorer per model object (compiling reads every level once)."""
    hit = _SCORERS.get(id(model))
    if hit is None or hit[0] is not model:
        hit = (model, PythonScorer(model))
        _SCORERS.clear()  # keep one: models are few and long-lived
        _SCORERS[id(model)] = hit
    return hit[1]


class Register:
    """A warm register for scoring new records one at a time without re-running the linkage.

    The register frame is whatever persons the caller supplies: the whole register, or (the
    intended use) the persons fetched from Neo4j by the new record's blocking keys
    (:func:`~graphsvc.linkage.fastscore.blocking_keys`). Name frequencies come from the model,
    so a small candidate set still gets register-wide term-frequency adjustments.

    Parameters
    ----------
    model : LinkageModel
        A trained model.
    persons : pandas.DataFrame or iterable of dict
        Normalised person records (may be empty: nothing will match).
    compare_all : bool or None, optional
        Compare the new record with every register record (right for a candidate set fetched
        by blocking keys). None (default): all when the register has at most 5,000 records,
        else only records sharing a blocking key.
    engine : {"python", "splink"}, optional
        ``python`` (default) evaluates the model in-process (milliseconds); ``splink`` calls
        Splink's ``find_matches_to_new_records`` on DuckDB (about a second per call; the
        reference the Python engine is tested against).

    Examples
    --------
    >>> reg = Register(default_model(), [{"id": "A", "source": "X", "given_name": "Ann",
    ...     "family_name": "Lee", "dob": "1990-01-02", "phones": ["+447700900001"]}])
    >>> p = reg.score({"id": "N", "given_name": "Ann", "family_name": "Lee",
    ...     "dob": "1990-02-01"})[0]
    >>> p.id_l, p.evidence["dob"]["level"]
    ('A', 'day and month transposed')
    """

    def __init__(
        self,
        model: LinkageModel,
        persons: pd.DataFrame | Iterable[Mapping[str, Any]],
        *,
        compare_all: bool | None = None,
        engine: str = "python",
        prepared: bool = False,
    ) -> None:
        _check_model(model)
        if engine not in ("python", "splink"):
            raise ValueError("engine must be 'python' or 'splink'")
        self.model = model
        self.engine = engine
        self._con: duckdb.DuckDBPyConnection | None = None
        if engine == "python":
            # No DataFrame on this path: a candidate set is a handful of dicts, and pandas
            # set-up would cost more than the scoring.
            if prepared and not isinstance(persons, pd.DataFrame):
                self._rows: list[dict[str, Any]] = [dict(r) for r in persons]  # rows of prepare_person already
            elif isinstance(persons, pd.DataFrame) and "unique_id" in persons.columns:
                self._rows = persons.to_dict("records")
            else:
                rows = persons.to_dict("records") if isinstance(persons, pd.DataFrame) else persons
                self._rows = [prepare_person(r, i) for i, r in enumerate(rows)]
            self._size = len(self._rows)
            self.compare_all = self._size <= 5_000 if compare_all is None else compare_all
            self._scorer = _scorer_for(model)
            self._index = {} if self.compare_all else candidate_index(self._rows)
            return
        self.frame = _as_frame(persons)
        self._size = len(self.frame)
        self.compare_all = self._size <= 5_000 if compare_all is None else compare_all
        if self._size:
            self._con = duckdb.connect()
            table = register_frame(self._con, self.frame, "register")
            self._linker = _linker(self._con, table, model.settings_for(link_type="dedupe_only"))
            _register_tf(self._linker, model)
            self._rules: list[Any] = (
                ["1=1"]
                if self.compare_all
                else list(model.settings["blocking_rules_to_generate_predictions"])
            )

    def __len__(self) -> int:
        return self._size

    def close(self) -> None:
        """Release the in-memory database (Splink engine)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _score_splink(self, row: dict[str, Any], min_probability: float) -> list[Proposal]:
        if self._con is None:
            raise RuntimeError("register is closed")
        name = "new_" + uuid.uuid4().hex[:12]
        register_frame(self._con, pd.DataFrame([row]), name)
        try:
            with quiet_splink():
                out = self._linker.inference.find_matches_to_new_records(
                    name, blocking_rules=self._rules, match_weight_threshold=-1000
                ).as_pandas_dataframe()
        finally:
            self._con.execute(f"DROP TABLE IF EXISTS {name}")
        # Splink puts the new record on the right; never compare a record with itself.
        out = out[out["unique_id_l"].astype(str) != row["unique_id"]]
        out = out[out["match_probability"] >= min_probability]
        return list(proposals_from_pairs(self.model, out))

    def _score_python(self, row: dict[str, Any], min_probability: float) -> list[Proposal]:
        if self.compare_all:
            cands: Iterable[int] = range(self._size)
        else:
            seen: set[int] = set()
            for k in blocking_keys(row):
                seen.update(self._index.get(k, ()))
            cands = sorted(seen)
        out = []
        for i in cands:
            other = self._rows[i]
            if other["unique_id"] == row["unique_id"]:
                continue
            prob, weight, ev = self._scorer.score(other, row)
            if prob < min_probability:
                continue
            ev["link_rule"] = link_rule_from_levels({k: v["level"] for k, v in ev.items()})
            out.append(
                Proposal(
                    id_l=str(other["unique_id"]),
                    id_r=str(row["unique_id"]),
                    match_probability=prob,
                    match_weight=weight,
                    link_rule_passed=ev["link_rule"]["passed"],
                    evidence=ev,
                )
            )
        return out

    def score(
        self,
        record: Mapping[str, Any],
        *,
        min_probability: float = 0.0,
        limit: int | None = None,
    ) -> list[Proposal]:
        """Score one normalised person record against the register.

        Parameters
        ----------
        record : mapping
            A person in the normalised shape; ``id`` may be missing.
        min_probability : float, optional
            Drop candidates below this probability.
        limit : int, optional
            Keep at most this many, best first.

        Returns
        -------
        list of Proposal
            ``id_l`` is the register record, ``id_r`` the new record; best first (ties by id).

        Raises
        ------
        LinkageRecordError
            If the record is malformed.
        ValueError
            If ``min_probability`` is not in [0, 1] or ``limit`` is not positive.
        """
        if not 0.0 <= min_probability <= 1.0:
            raise ValueError("min_probability must be in [0, 1]")
        if limit is not None and limit < 1:
            raise ValueError("limit must be positive")
        row = prepare_person(record, 0, require_id=False)
        if not self._size:
            return []
        if self.engine == "python":
            props = self._score_python(row, min_probability)
        else:
            props = self._score_splink(row, min_probability)
        props.sort(key=lambda p: (-p.match_probability, p.id_l))
        return props[:limit] if limit is not None else props


def score_new_record(
    model: LinkageModel,
    record: Mapping[str, Any],
    register: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    min_probability: float = 0.0,
    limit: int | None = None,
) -> list[Proposal]:
    """Score one new record against register persons (one-shot form of :class:`Register`).

    For many records in a row, build one :class:`Register` and call its ``score``: the
    one-shot form prepares the register each time.
    """
    with Register(model, register) as reg:
        return reg.score(record, min_probability=min_probability, limit=limit)


def score_subject(
    subject: Mapping[str, Any],
    candidates: list[dict[str, Any]],
    *,
    model: LinkageModel | None = None,
    min_probability: float = 0.0,
    prepared: bool = False,
) -> list[tuple[str, float, dict[str, Any]]]:
    """Score a subject as a complainant describes them against candidate persons.

    Parameters
    ----------
    subject : mapping
        Whatever the complainant knows, in the normalised person shape, no ``id`` needed:
        e.g. ``{"aliases": ["Baz"], "dob": "1984-03-07", "phones": ["+447700900123"]}``.
        A nickname may go in ``given_name`` or ``aliases``: both are compared with the
        candidates' given names and aliases.
    candidates : list of dict
        Normalised person records (e.g. fetched from the graph by the subject's blocking keys).
    model : LinkageModel, optional
        Default: the packaged model (:func:`~graphsvc.linkage.model.default_model`).
    min_probability : float, optional
        Drop candidates below this probability.
    prepared : bool, optional
        The candidates are already rows of :func:`prepare_person` (checked by the caller), so
        they are not prepared twice.

    Returns
    -------
    list of (person_id, probability, evidence)
        Best first. ``evidence`` holds each field's level, Bayes factor and match weight, and
        ``link_rule`` (whether the agreement would be enough to link the records: a
        candidate matched on one identifier alone is reported, but ``passed`` is False).

    Raises
    ------
    LinkageRecordError
        If the subject or a candidate is malformed, or the subject has neither a name nor an
        identifier.
    TypeError
        If ``candidates`` is not a list.

    Examples
    --------
    >>> hits = score_subject({"given_name": "Ann", "dob": "1990-01-02"},
    ...     [{"id": "A", "source": "X", "given_name": "Ann", "family_name": "Lee",
    ...       "dob": "1990-01-02"}])
    >>> hits[0][0], hits[0][2]["link_rule"]["passed"]
    ('A', True)
    """
    if not isinstance(candidates, list):
        raise TypeError("candidates must be a list of person dicts")
    prepare_person(subject, 0, require_id=False)  # precondition: fail before any set-up
    if not candidates:
        return []
    m = model if model is not None else default_model()
    subj = dict(subject)
    subj["id"] = "__subject__"
    with Register(m, candidates, compare_all=True, prepared=prepared) as reg:
        props = reg.score(subj, min_probability=min_probability)
    return [(p.id_l, p.match_probability, p.evidence) for p in props]
