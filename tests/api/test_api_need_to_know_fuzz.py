"""Fuzzing need-to-know (contract section 5): an MPS key aims generated searches, checks and
record ids at GMP's victim (tests/need_to_know.py), and no answer names her or her force.

The inputs are her own details, transformed the way someone trying to find her would: case,
prefixes, wildcards and fuzzy operators, quotes, Lucene field syntax, other phone formats,
full-width letters, her name beside her stalker's, ids in other cases and encodings. Hypothesis
draws them deterministically (``derandomize``), so a failure is the same failure in CI, shrunk.

"Reveals" means: a search answer that holds her id, or says ``withheld_by`` with no hit to
explain it (it would name the force that holds her); a check answer in which she is more than
the stub ``{"person_id", "held_by", "withheld"}``; or any answer holding one of her secrets the
request did not itself contain.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.security import keys as auth
from tests.need_to_know import SECRETS, answer_text, headers, register

VICTIM = "G-V1"
NAMES = ("Hesper", "Quillane", "Hesper Quillane", "Quillane Hesper", "H Quillane")
PHONES = ("07700 900555", "+447700900555", "447700900555", "07700-900-555", "(07700) 900555", "0044 7700 900555")
OTHER = ("hesper.q@example.org", "HESPER.Q@EXAMPLE.ORG", "Secretary Lane", "3 Secretary Lane", "M5 4WT", "m54wt",
         "1991-07-14", "14/07/1991")

TRANSFORMS: dict[str, Callable[[str], str]] = {
    "same": lambda t: t,
    "upper": str.upper,
    "lower": str.lower,
    "swapcase": str.swapcase,
    "prefix": lambda t: t[: max(3, len(t) - 3)],
    "wildcard": lambda t: t + "*",
    "inner wildcard": lambda t: t[:2] + "*" + t[3:] if len(t) > 3 else t,
    "fuzzy": lambda t: t + "~",
    "quoted": lambda t: f'"{t}"',
    "field syntax": lambda t: f"family_name:{t}",
    "or everything": lambda t: f"{t} OR *",
    "beside her stalker": lambda t: f"Daniel Marsh {t}",
    "spaced": lambda t: f"  {t.replace(' ', '   ')}  ",
    "full-width": lambda t: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in t),
    "decomposed": lambda t: unicodedata.normalize("NFD", t.replace("e", "é")),
}
ID_VARIANTS = (VICTIM, VICTIM.lower(), f"{VICTIM} ", f" {VICTIM}", quote(VICTIM, safe=""), "G-V1%20", "G-V*",
               "G-V1%00", "G-V1.", "G%2DV1", "g-V1", "G-V01", "G-V1/../G-V1")
STUB_KEYS = {"person_id", "held_by", "withheld"}


def terms() -> st.SearchStrategy[str]:
    base = st.sampled_from(NAMES + PHONES + OTHER)
    steps = st.lists(st.sampled_from(sorted(TRANSFORMS)), max_size=3)
    return st.builds(lambda t, names: _apply(t, names), base, steps)


def _apply(term: str, names: list[str]) -> str:
    for name in names:
        term = TRANSFORMS[name](term)
    return term.strip() or term


def _secrets_shown(response: Any, asked: str) -> list[str]:
    text, asked = answer_text(response).lower(), asked.lower()
    return [s for s in SECRETS if s.lower() in text and s.lower() not in asked]


def _walk(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value, *(d for v in value.values() for d in _walk(v))]
    if isinstance(value, list):
        return [d for v in value for d in _walk(v)]
    return []


@pytest.fixture
def mps_key(db, load) -> str:  # type: ignore[no-untyped-def]
    load(register())
    return auth.create_key(db, role="investigator", name="mps-fuzz", agency="MPS")[0]


FUZZ = settings(max_examples=120, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(term=terms())
def test_a_search_aimed_at_another_agencys_victim_reveals_nothing(client, mps_key, term) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/search", query_string={"q": term}, headers=headers(mps_key))
    assert r.status_code in (200, 422), (term, r.status_code)
    if r.status_code == 200:
        body = r.get_json()
        assert VICTIM not in answer_text(r), term
        assert body["withheld_by"] == [] or body["persons"], (term, body)
    assert _secrets_shown(r, term) == [], term


@FUZZ
@given(term=terms(), field=st.sampled_from(["family_name", "given_name", "phones", "emails", "dob", "aliases"]))
def test_a_check_aimed_at_another_agencys_victim_gets_only_the_stub(client, mps_key, term, field) -> None:  # type: ignore[no-untyped-def]
    value: Any = [term] if field in ("phones", "emails", "aliases") else term
    subject = {field: value, **({"given_name": "Hesper"} if field == "family_name" else {})}
    r = client.post("/api/v1/check", json={"subject": subject}, headers=headers(mps_key))
    assert r.status_code in (200, 422), (subject, r.status_code)
    if r.status_code == 200:
        hers = [d for d in _walk(r.get_json()) if VICTIM in (d.get("person_id"), d.get("id"), d.get("victim_id"))]
        assert all(set(d) == STUB_KEYS and d["held_by"] == "GMP" for d in hers), (subject, hers)
    assert _secrets_shown(r, str(subject)) == [], subject


@FUZZ
@given(record_id=st.sampled_from(ID_VARIANTS),
       view=st.sampled_from(["", "/fixation", "/linked-victims", "/timeline", "/timeline?format=svg",
                             "/network?depth=2&format=csv"]))
def test_her_record_id_in_any_form_shows_no_more_than_the_contract_lets_cross(client, mps_key, record_id, view) -> None:  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/persons/{record_id}{view}", headers=headers(mps_key))
    assert r.status_code in (200, 400, 404, 422), (record_id, view, r.status_code)
    assert _secrets_shown(r, "") == [], (record_id, view)
