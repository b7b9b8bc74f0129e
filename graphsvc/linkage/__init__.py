"""Identity resolution: probabilistic record linkage of person records.

One perpetrator often sits behind many records (several victims, several forces). This package
scores pairs of person records with a Fellegi-Sunter model (Splink 4, DuckDB), trained without
labels, and adds a deterministic link rule so that no link ever rests on one shared identifier.
It knows nothing of Neo4j: callers pass person records (normalised, as dicts or a DataFrame) and
get proposals with per-field evidence, clusters, or scored candidates back.

See docs/identity-resolution.md for the model, the rule and the measured accuracy.
"""

from __future__ import annotations

from graphsvc.linkage.api import Register, dedupe, predict_pairs, score_new_record, score_subject
from graphsvc.linkage.fastscore import PythonScorer, blocking_keys
from graphsvc.linkage.errors import LinkageError, ModelError, LinkageRecordError
from graphsvc.linkage.model import LinkageModel, build_settings, default_model, train_model
from graphsvc.linkage.records import prepare_person, prepare_persons
from graphsvc.linkage.scoring import (
    Proposal,
    cluster_pairs,
    link_rule_from_levels,
    link_rule_mask,
    proposals_from_pairs,
)

__all__ = [
    "LinkageError",
    "LinkageModel",
    "ModelError",
    "Proposal",
    "LinkageRecordError",
    "Register",
    "PythonScorer",
    "blocking_keys",
    "build_settings",
    "cluster_pairs",
    "dedupe",
    "default_model",
    "link_rule_from_levels",
    "link_rule_mask",
    "predict_pairs",
    "prepare_person",
    "prepare_persons",
    "proposals_from_pairs",
    "score_new_record",
    "score_subject",
    "train_model",
]
