"""Small helpers the benchmark scripts share (they run as ``python bench/NAME.py``, so this
folder is on ``sys.path`` and ``from benchlib import ...`` works)."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def free_port() -> int:
    """A free TCP port on loopback, for a benchmark's own Neo4j or service."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values``: the element at rank round(q * (n - 1))."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def process_cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU seconds of process ``pid`` so far (``/proc/PID/stat``; Linux), or of its
    thread ``tid`` (``/proc/PID/task/TID/stat``: ``/proc/TID/stat`` would give the whole process)."""
    stat = Path(f"/proc/{pid}/stat") if tid is None else Path(f"/proc/{pid}/task/{tid}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
