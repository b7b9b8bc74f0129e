"""Scoring one new record against a register, and a complainant's subject against candidates."""

from __future__ import annotations

import json
import time

import pytest

from graphsvc.linkage import (
    LinkageRecordError,
    Register,
    default_model,
    score_new_record,
    score_subject,
)
from graphsvc.linkage.synth import generate_persons


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return generate_persons(1200, seed=21)[0]


def test_python_engine_agrees_with_splink(records: list[dict]) -> None:
    model = default_model()
    register = records[:250]
    with Register(model, register, engine="python") as fast, Register(
        model, register, engine="splink"
    ) as ref:
        compared = 0
        for rec in records[250:262]:
            new = dict(rec, id="NEW-" + rec["id"])
            a = {p.id_l: p for p in fast.score(new)}
            b = {p.id_l: p for p in ref.score(new)}
            assert a.keys() == b.keys()
            for k, pa in a.items():
                pb = b[k]
                assert pa.evidence["link_rule"] == pb.evidence["link_rule"]
                for comp, ev in pa.evidence.items():
                    if comp != "link_rule":
                        assert ev["level"] == pb.evidence[comp]["level"]
                        assert ev["match_weight"] == pytest.approx(
                            pb.evidence[comp]["match_weight"], abs=1e-9
                        )
                assert pa.match_weight == pytest.approx(pb.match_weight, abs=1e-9)
                assert pa.link_rule_passed == pb.link_rule_passed
                compared += 1
    assert compared == 12 * 250


def test_blocked_register_finds_the_same_best_match(records: list[dict]) -> None:
    model = default_model()
    everyone = Register(model, records, compare_all=True)
    blocked = Register(model, records, compare_all=False)
    for rec in records[:40]:
        new = dict(rec, id="NEW-" + rec["id"])
        best_all = everyone.score(new, min_probability=0.5, limit=1)
        best_blocked = blocked.score(new, min_probability=0.5, limit=1)
        assert [p.id_l for p in best_all] == [p.id_l for p in best_blocked]


def test_latency_one_record_against_candidates(records: list[dict]) -> None:
    model = default_model()
    reg = Register(model, records, compare_all=False)
    news = [dict(r, id="NEW-" + r["id"]) for r in records[:200]]
    reg.score(news[0])
    start = time.perf_counter()
    for new in news:
        reg.score(new)
    per_record_ms = (time.perf_counter() - start) * 1000 / len(news)
    assert per_record_ms <= 50, per_record_ms


def test_own_record_is_not_a_match(records: list[dict]) -> None:
    hits = score_new_record(default_model(), records[0], records[:20])
    assert records[0]["id"] not in {p.id_l for p in hits}


def test_subject_nickname_dob_phone() -> None:
    candidates = [
        {"id": "P-1", "source": "WMP", "given_name": "Barry", "family_name": "Holloway",
         "aliases": ["Baz"], "dob": "1984-03-07", "phones": ["+447700900123"]},
        {"id": "P-2", "source": "WMP", "given_name": "Tegan", "family_name": "Holloway",
         "dob": "1988-10-30", "phones": ["+447700900123"]},
        {"id": "P-3", "source": "GMP", "given_name": "Barry", "family_name": "Ridley",
         "dob": "1962-01-15"},
    ]
    hits = score_subject(
        {"given_name": "Baz", "dob": "1984-07-03", "phones": ["+447700900123"]}, candidates
    )
    assert [h[0] for h in hits][0] == "P-1"
    top_id, top_p, top_ev = hits[0]
    assert top_p > 0.9
    assert top_ev["given_name"]["level"] == "alias or nickname"
    assert top_ev["link_rule"]["passed"]
    json.dumps(hits)
    # The sister shares only the phone (and family name): reported, never enough to link.
    sister = next(h for h in hits if h[0] == "P-2")
    assert not sister[2]["link_rule"]["passed"]
    assert sister[1] < top_p


def test_subject_with_only_a_phone_is_scored_but_not_linkable() -> None:
    hits = score_subject(
        {"phones": ["+447700900999"]},
        [{"id": "P-9", "source": "X", "family_name": "Lee", "phones": ["+447700900999"]}],
    )
    ((pid, prob, ev),) = hits
    assert pid == "P-9" and ev["phones"]["level"] == "shared"
    assert not ev["link_rule"]["passed"]


def test_subject_preconditions() -> None:
    with pytest.raises(LinkageRecordError):
        score_subject({}, [{"id": "A", "family_name": "X"}])
    with pytest.raises(LinkageRecordError):
        score_subject({"phones": ["0770090012"]}, [])
    with pytest.raises(TypeError):
        score_subject({"given_name": "A"}, ({"id": "A"},))  # type: ignore[arg-type]
    assert score_subject({"given_name": "A"}, []) == []
