"""Person records in: shape checks and the canonical forms the comparisons rely on."""

from __future__ import annotations

import pandas as pd
import pytest

from graphsvc.linkage import LinkageRecordError, blocking_keys, prepare_person, prepare_persons


def test_canonical_forms() -> None:
    row = prepare_person(
        {
            "id": "WMP-P-1",
            "source": "WMP",
            "given_name": " Zoë-Anne ",
            "family_name": "O'Neill",
            "aliases": ["Zed", "Zoe Smith"],
            "dob": "1990-04-03",
            "gender": "Female",
            "phones": ["+447700900123"],
            "emails": ["Zoe@Example.ORG"],
            "handles": ["Instagram:@ZedZed"],
            "vehicles": ["ab12 cde"],
            "postcodes": ["b1 1aa"],
            "addresses": [{"line1": "1 Street", "postcode": "cv1 2ab"}],
        }
    )
    assert row["given_name"] == "zoe anne"
    assert row["family_name"] == "o'neill"
    assert row["names"] == ["zoe anne", "zed", "zoe smith", "zoe", "smith"]
    assert row["gender"] == "female"
    assert row["emails"] == ["zoe@example.org"]
    assert row["handles"] == ["instagram:zedzed"]
    assert row["vehicles"] == ["AB12CDE"]
    assert row["postcodes"] == ["B11AA", "CV12AB"]
    assert row["dob_year"] == "1990"
    assert "phone:+447700900123" in row["identifiers"]
    assert "vehicle:AB12CDE" in row["identifiers"]


def test_empty_lists_become_null_so_they_are_no_evidence() -> None:
    row = prepare_person({"id": "A", "family_name": "Lee", "phones": [], "emails": None})
    assert row["phones"] is None and row["emails"] is None and row["identifiers"] is None


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"given_name": "A"}, "id"),
        ({"id": "bad id!", "given_name": "A"}, "id"),
        ({"id": "A", "dob": "03/04/1990", "given_name": "A"}, "dob"),
        ({"id": "A", "phones": ["07700 900123"]}, "phones"),
        ({"id": "A", "handles": ["zedzed"]}, "handles"),
        ({"id": "A", "emails": ["not-an-email"]}, "emails"),
        ({"id": "A", "aliases": "Zed", "given_name": "Z"}, "aliases"),
        ({"id": "A", "other_ids": ["12345"]}, "other_ids"),
        ({"id": "A", "gender": "f"}, "record"),
    ],
)
def test_malformed_records_are_named(record: dict[str, object], field: str) -> None:
    with pytest.raises(LinkageRecordError) as err:
        prepare_person(record, 7)
    assert err.value.field == field
    assert err.value.index == 7


def test_frame_input_and_duplicate_ids() -> None:
    frame = pd.DataFrame([{"id": "A", "family_name": "Lee"}, {"id": "B", "family_name": "Lee"}])
    assert list(prepare_persons(frame)["unique_id"]) == ["A", "B"]
    with pytest.raises(LinkageRecordError, match="more than once"):
        prepare_persons([{"id": "A", "family_name": "X"}, {"id": "A", "family_name": "Y"}])
    with pytest.raises(TypeError):
        prepare_persons("not records")  # type: ignore[arg-type]


def test_blocking_keys() -> None:
    row = prepare_person(
        {"id": "A", "given_name": "Ann", "family_name": "Lee", "dob": "1990-01-02",
         "phones": ["+447700900001"]}
    )
    keys = blocking_keys(row)
    assert "n:ann|lee" in keys
    assert "id:phone:+447700900001" in keys
    assert any(k.startswith("dn:1990-01-02|") for k in keys)
    assert any(k.startswith("fy:") for k in keys)
