"""Validation on several processes (``graphsvc load --bulk``): the same records, rejects and
order as one process, so the last copy of a record still wins. No database needed."""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path
from typing import Any

import pytest

from loaders.sources import read_path
from loaders.validate import validated_chunks, validated_in_parallel

pytestmark = pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="workers are forked")


def _register(path: Path, n: int) -> Path:
    """``n`` person lines: every 5th without a source (rejected), every 7th a copy of an earlier id
    with another name (so the order of copies matters), and one line that is not JSON."""
    lines = []
    for i in range(n):
        rid = f"P-{i // 7}" if i % 7 == 6 else f"P-{i}"
        record: dict[str, Any] = {"kind": "person", "id": rid, "source": "WMP", "given_name": f"Name {i}"}
        if i % 5 == 4:
            del record["source"]
        lines.append(json.dumps(record))
    lines.insert(n // 2, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _names(records: list[Any]) -> list[tuple[str, str]]:
    return [(r.id, r.given_name) for r in records]


def _flat(chunks: Any) -> tuple[list[tuple[str, str]], list[tuple[int, str | None, str | None]], int, int, list[str]]:
    rows: list[tuple[str, str]] = []
    rejects: list[tuple[int, str | None, str | None]] = []
    read = rejected = 0
    person_ids: list[str] = []
    for chunk in chunks:
        rows.extend(chunk.rows or [])
        rejects.extend((r.line, r.id, r.field) for r in chunk.rejects)
        read += chunk.read
        rejected += chunk.rejected
        person_ids.extend(chunk.person_ids)
    return rows, rejects, read, rejected, person_ids


@pytest.mark.parametrize("workers, size", [(2, 7), (3, 10), (4, 1), (2, 1000)])
def test_parallel_validation_gives_what_one_process_gives_in_input_order(tmp_path: Path, workers: int, size: int) -> None:
    path = _register(tmp_path / "r.jsonl", 103)
    one = _flat(validated_chunks(read_path(path), size, _names))
    many = _flat(validated_in_parallel(lambda: read_path(path), size, _names, workers))
    assert many == one
    rows, rejects, read, rejected, _ = many
    assert read == 104 and rejected == 20 + 1  # i % 5 == 4 for i < 103, and the line that is not JSON
    assert (1 + 51, None, None) in rejects  # the line that is not JSON, where it was
    # the copies arrive after their originals, as in the file: the last copy wins downstream
    assert rows.index(("P-0", "Name 6")) > rows.index(("P-0", "Name 0"))
    assert not mp.active_children()


def test_an_empty_input_gives_no_chunk(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    assert list(validated_in_parallel(lambda: read_path(path), 10, _names, 3)) == []


def test_a_workers_failure_is_raised_and_every_worker_stopped(tmp_path: Path) -> None:
    path = _register(tmp_path / "r.jsonl", 400)

    def failing(records: list[Any]) -> list[tuple[str, str]]:
        if any(r.id == "P-250" for r in records):
            raise ValueError("prepare failed on P-250")
        return _names(records)

    with pytest.raises(ValueError, match="P-250"):
        for _ in validated_in_parallel(lambda: read_path(path), 10, failing, 3):
            pass
    assert not mp.active_children()


def test_a_consumer_stopping_early_stops_the_workers(tmp_path: Path) -> None:
    path = _register(tmp_path / "r.jsonl", 2000)
    stream = validated_in_parallel(lambda: read_path(path), 10, _names, 2)
    first = next(stream)
    assert first.read == 10
    stream.close()
    assert not mp.active_children()
