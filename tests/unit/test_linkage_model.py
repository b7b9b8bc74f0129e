"""Unsupervised training, the link rule, evidence, clusters, and model persistence."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from graphsvc.linkage import (
    LinkageModel,
    ModelError,
    cluster_pairs,
    dedupe,
    default_model,
    predict_pairs,
    prepare_persons,
    train_model,
)
from graphsvc.linkage.evaluation import pair_accuracy
from graphsvc.linkage.synth import generate_persons


@pytest.fixture(scope="module")
def register() -> tuple[list[dict], dict[str, str]]:
    return generate_persons(1500, seed=11)


@pytest.fixture(scope="module")
def model(register: tuple[list[dict], dict[str, str]]) -> LinkageModel:
    return train_model(prepare_persons(register[0]), seed=3, max_pairs_for_u=300_000)


def _true_pairs(truth: dict[str, str]) -> list[tuple[str, str]]:
    groups = collections.defaultdict(list)
    for rid, key in truth.items():
        groups[key].append(rid)
    return [(a, b) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1:]]


def test_training_is_unsupervised_and_complete(model: LinkageModel) -> None:
    # Every non-null level has m and u; agreement is evidence for, disagreement against.
    model.validate()
    for comp in ("given_name", "family_name", "dob", "phones", "postcodes"):
        levels = next(
            c for c in model.settings["comparisons"] if c["output_column_name"] == comp
        )["comparison_levels"]
        first, last = levels[1], levels[-1]
        assert first["m_probability"] / first["u_probability"] > 10
        assert last["m_probability"] / last["u_probability"] < 1
    assert set(model.tf_tables) == {"given_name", "family_name"}


def test_save_and_load_round_trip(model: LinkageModel, tmp_path: Path) -> None:
    path = model.save(tmp_path / "m.json")
    again = LinkageModel.load(path)
    assert again.settings == model.settings and again.tf_tables == model.tf_tables


def test_malformed_models_are_refused(model: LinkageModel, tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        LinkageModel.load(tmp_path / "missing.json")
    with pytest.raises(ModelError):
        LinkageModel.from_json("{not json")
    with pytest.raises(ModelError):
        LinkageModel.from_json(json.dumps({"format": "other"}))
    doc = json.loads(model.to_json())
    del doc["settings"]["comparisons"][0]["comparison_levels"][1]["m_probability"]
    with pytest.raises(ModelError, match="untrained"):
        LinkageModel.from_json(json.dumps(doc))


def test_dedupe_finds_the_people_and_the_rule_refuses_households(
    model: LinkageModel, register: tuple[list[dict], dict[str, str]]
) -> None:
    records, truth = register
    pairs = predict_pairs(model, records, threshold=0.5)
    truth_pairs = _true_pairs(truth)
    links = pairs[pairs["link_rule_passed"]]
    acc = pair_accuracy(zip(links["unique_id_l"], links["unique_id_r"]), truth_pairs)
    assert acc.precision >= 0.98 and acc.recall >= 0.95, acc
    # Households (same family name, phone and postcode, different person) score high but
    # fail the rule: the rule is what keeps precision up.
    raw = pair_accuracy(zip(pairs["unique_id_l"], pairs["unique_id_r"]), truth_pairs)
    assert raw.false_positives > acc.false_positives
    clusters = cluster_pairs(pairs, 0.5)
    assert all(len(c) >= 2 for c in clusters)


def test_never_linked_on_one_shared_identifier(model: LinkageModel) -> None:
    phone = "+447700900555"
    family = [
        {"id": "F-1", "source": "A", "given_name": "Darren", "family_name": "Ashford",
         "dob": "1970-05-06", "phones": [phone], "postcodes": ["B11AA"]},
        {"id": "F-2", "source": "B", "given_name": "Kayla", "family_name": "Ashford",
         "dob": "1999-11-20", "phones": [phone], "postcodes": ["B11AA"]},
        {"id": "F-3", "source": "C", "phones": [phone], "emails": ["x@example.org"]},
        {"id": "F-4", "source": "C", "phones": [phone], "emails": ["x@example.org"],
         "family_name": "Ashford"},
    ]
    pairs = predict_pairs(model, family, threshold=0.0)
    assert len(pairs) == 6
    assert not pairs["link_rule_passed"].any()
    proposals, clusters = dedupe(model, family, threshold=0.0, proposal_threshold=0.0)
    assert clusters == []
    assert all(not p.evidence["link_rule"]["passed"] for p in proposals)


def test_evidence_is_json_and_explains_the_weight(model: LinkageModel) -> None:
    people = [
        {"id": "A", "source": "X", "given_name": "Barry", "family_name": "Hollow",
         "aliases": ["Baz"], "dob": "1984-03-07", "phones": ["+447700900777"]},
        {"id": "B", "source": "Y", "given_name": "Baz", "family_name": "Hollow",
         "dob": "1984-07-03", "phones": ["+447700900777"]},
    ]
    proposals, clusters = dedupe(model, people, threshold=0.5, proposal_threshold=0.0)
    (p,) = proposals
    json.dumps(p.to_dict())
    assert p.evidence["given_name"]["level"] == "alias or nickname"
    assert p.evidence["dob"]["level"] == "day and month transposed"
    assert p.evidence["phones"]["level"] == "shared"
    assert p.evidence["link_rule"]["passed"]
    assert clusters == [["A", "B"]]
    prior = model.settings["probability_two_random_records_match"]
    import math

    total = math.log2(prior / (1 - prior)) + sum(
        v["match_weight"] for k, v in p.evidence.items() if k != "link_rule"
    )
    assert total == pytest.approx(p.match_weight, abs=1e-6)
    assert p.matched_on()[0] in {"phones", "family_name", "dob", "given_name"}


def test_preconditions(model: LinkageModel) -> None:
    with pytest.raises(ValueError):
        predict_pairs(model, [{"id": "A", "family_name": "X"}], threshold=2)
    with pytest.raises(ValueError):
        train_model(prepare_persons([{"id": "A", "family_name": "X"}]))
    with pytest.raises(ModelError):
        predict_pairs("not a model", [])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cluster_pairs([], threshold=-1)


def test_default_model_loads() -> None:
    m = default_model()
    assert m.meta.get("trained_on") == "graphsvc.linkage.synth"
