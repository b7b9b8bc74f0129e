"""Synthetic stalking register with ground truth (``graphsvc generate``).

>>> from pathlib import Path
>>> summary = generate_register(people=200, seed=1, out=Path("/tmp/r.jsonl"))  # doctest: +SKIP

Records follow contract section 1; the truth file beside them (``truth_path_for(out)``) says
which records are the same human, who committed every incident (identified or not), who is
serial, who are namesakes, and carries intake-check probes. docs/synthetic.md documents both
formats and every rate.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from graphsvc.synthetic import params
from graphsvc.synthetic.generator import RegisterWriter

__all__ = ["generate_register", "truth_path_for"]


def truth_path_for(out: Path) -> Path:
    """``register.jsonl`` -> ``register.truth.jsonl``; other names get ``.truth.jsonl`` added."""
    out = Path(out)
    if out.name.endswith(".jsonl"):
        return out.with_name(out.name[: -len(".jsonl")] + ".truth.jsonl")
    return out.with_name(out.name + ".truth.jsonl")


def generate_register(people: int, seed: int, out: Path, progress: bool = False) -> dict[str, Any]:
    """Write a synthetic register of about ``people`` person records, and its ground truth.

    Parameters
    ----------
    people:
        Target number of *person records* (not humans). Chunks are generated until at least
        this many person records are written; the last chunk may overshoot by a few.
    seed:
        The same ``people`` and ``seed`` give byte-identical files.
    out:
        The records file (JSON Lines). The truth goes to :func:`truth_path_for` ``(out)``.
        Both are written to temporary names and renamed into place when complete.
    progress:
        Show a progress bar on stderr.

    Returns
    -------
    dict
        Counts (person records, incidents, orders, humans, offenders, serial offenders, ...),
        the two paths and the seconds taken.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    out = Path(out)
    truth = truth_path_for(out)
    tmp_out = out.with_name(out.name + ".part")
    tmp_truth = truth.with_name(truth.name + ".part")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=people, unit="person", file=sys.stderr, mininterval=0.5)
    try:
        with open(tmp_out, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as rec_f, \
                open(tmp_truth, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as truth_f:
            truth_f.write(json.dumps({
                "kind": "meta", "generator": "graphsvc.synthetic",
                "version": params.GENERATOR_VERSION, "people": people, "seed": seed,
                "as_of": params.AS_OF.isoformat(), "records_file": out.name,
            }, separators=(",", ":")) + "\n")
            writer = RegisterWriter(seed, rec_f, truth_f)
            written = 0
            while written < people:
                n = writer.chunk()
                written += n
                if bar is not None:
                    bar.update(n)
            counts: dict[str, Any] = dict(writer.counts)
            counts["phone_pool_size"] = writer.pool.size
            counts["phones_issued"] = writer.pool.issued
            counts["phone_pool_exhausted"] = writer.pool.exhausted
            truth_f.write(json.dumps({"kind": "summary", **counts}, separators=(",", ":")) + "\n")
        os.replace(tmp_out, out)
        os.replace(tmp_truth, truth)
    except BaseException:
        for tmp in (tmp_out, tmp_truth):
            tmp.unlink(missing_ok=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    return {
        "people_requested": people, "seed": seed, **counts,
        "records_path": str(out), "truth_path": str(truth),
        "seconds": round(time.perf_counter() - started, 2),
    }
