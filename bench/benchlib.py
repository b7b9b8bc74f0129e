"""Small helpers the benchmark scripts share (they run as ``python bench/NAME.py``, so this
folder is on ``sys.path`` and ``from benchlib import ...`` works)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import sys
import tempfile
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphsvc.config import Settings


def free_port() -> int:
    """A free TCP port on loopback, for a benchmark's own Neo4j or service."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def neo4j(*, heap_mib: int = 1024, pagecache_mib: int = 512, home: Path | None = None,
          from_env: bool = False, timeout_s: float = 180.0) -> Iterator[Settings]:
    """The settings of a Neo4j for one benchmark.

    A fresh local Neo4j on a free loopback port with ``heap_mib`` of heap and ``pagecache_mib``
    of page cache, in ``home`` (kept) or else a temporary folder (deleted at the end), stopped
    when the block ends. Every other setting comes from the environment as for any ``graphsvc``
    command (``GRAPHSVC_NEO4J_SETTINGS``, ``GRAPHSVC_NEO4J_JAVA_OPTS``, ``GRAPHSVC_CHECK_SCORER``
    ...), but not the database: with ``from_env`` and ``NEO4J_URI`` set, the database the
    environment names is used instead and left as it is.
    """
    from graphsvc.config import Settings
    from graphsvc.graph import localdb

    env = Settings.from_env()
    if from_env and env.neo4j_uri is not None:
        yield env
        return
    own_home = home is None
    folder = Path(tempfile.mkdtemp(prefix="graphsvc-bench-")) if home is None else home
    settings = dataclasses.replace(
        env, neo4j_uri=None, neo4j_user="neo4j", neo4j_password=None, neo4j_database="neo4j", home=folder,
        local_bolt_host="127.0.0.1", local_bolt_port=free_port(), local_heap_mib=heap_mib,
        local_pagecache_mib=pagecache_mib,
    )
    print(f"starting a local Neo4j for the benchmark in {folder} ...", file=sys.stderr)
    try:
        localdb.start(settings, timeout_s=timeout_s)
        yield settings
    finally:
        localdb.stop(settings)
        if own_home:
            shutil.rmtree(folder, ignore_errors=True)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values``: the element at rank round(q * (n - 1))."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed_ms(fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    """``fn`` once to warm, then ``repeats`` times: the p50 and p99 in milliseconds."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": round(statistics.median(times), 2), "p99_ms": round(percentile(times, 0.99), 2)}


def link_as_truth(db: Any, entities: list[dict[str, Any]]) -> int:
    """Joins each true human's person records (the truth's ``entity`` lines, their
    ``person_ids``) by confirmed identity links: an oracle for resolution plus review. How many."""
    pairs = [{"a": e["person_ids"][0], "b": other} for e in entities if len(e["person_ids"]) > 1
             for other in e["person_ids"][1:]]
    db.execute("UNWIND $pairs AS p MATCH (a:Person {id: p.a}), (b:Person {id: p.b}) "
               "CREATE (a)-[:POSSIBLY_SAME_AS {status: 'confirmed', probability: 1.0, "
               "evidence: $evidence, decided_by: 'bench'}]->(b)", pairs=pairs,
               evidence=json.dumps({"source": "truth"}))
    return len(pairs)


def process_cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU seconds of process ``pid`` so far (``/proc/PID/stat``; Linux), or of its
    thread ``tid`` (``/proc/PID/task/TID/stat``: ``/proc/TID/stat`` would give the whole process)."""
    stat = Path(f"/proc/{pid}/stat") if tid is None else Path(f"/proc/{pid}/task/{tid}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def register_file(people: int, seed: int) -> Path:
    """The synthetic register of ``people`` and ``seed``, generated once into bench/out/."""
    from graphsvc.synthetic import generate_register

    out = Path(__file__).resolve().parent / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"register-{people}-{seed}.jsonl"
    if not path.exists():
        generate_register(people=people, seed=seed, out=path, progress=False)
    return path


def register_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON Lines register (``graphsvc generate``'s output), one dict each."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def check_probes(truth: Path, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` intake-check probes (``kind: check`` lines) of a ground-truth file."""
    probes: list[dict[str, Any]] = []
    with truth.open(encoding="utf-8") as handle:
        for line in handle:
            if '"kind":"check"' in line:
                probes.append(json.loads(line))
                if len(probes) >= limit:
                    break
    return probes
