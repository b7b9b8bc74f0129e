"""Trend tests: the Mann-Kendall test, on severity and on frequency.

Why Mann-Kendall: incident severity is ordinal (a threat is worse than a call, but not "five
calls' worth" worse) and heavily tied, and incident series are short and irregular. The test
uses only the signs of pairwise differences, so it needs no distributional assumption and no
interval scale, it is robust to outliers, and its variance has an exact correction for ties.
Kendall's tau (``S`` over the number of pairs, ties excluded) is reported as the effect size.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from loaders.times import local_day

__all__ = ["mann_kendall", "weekly_counts", "MAX_POINTS", "MIN_POINTS"]

#: Series longer than this are reduced to this many consecutive block means before testing
#: (keeps the O(n^2) statistic bounded for offenders with thousands of incidents).
MAX_POINTS = 1000
#: Fewer points than this: no test, the trend is "stable" with the reason given.
MIN_POINTS = 4


@dataclass(frozen=True)
class MKResult:
    trend: str  # rising | stable | falling
    n: int
    s: int
    z: float
    p: float
    tau: float
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"trend": self.trend, "n": self.n, "s": self.s, "z": round(self.z, 4),
                               "p": round(self.p, 6), "tau": round(self.tau, 4)}
        if self.note:
            out["note"] = self.note
        return out


def _reduce(values: Sequence[float], max_points: int) -> list[float]:
    n = len(values)
    if n <= max_points:
        return list(values)
    edges = np.linspace(0, n, max_points + 1).astype(int)
    arr = np.asarray(values, dtype=float)
    return [float(arr[a:b].mean()) for a, b in zip(edges[:-1], edges[1:]) if b > a]


@lru_cache(maxsize=256)
def _cached_pairs(n: int) -> np.ndarray:
    return np.triu(np.ones((n, n), dtype=bool), k=1)


def _pairs(n: int) -> np.ndarray:
    """The mask of the pairs i < j of an n x n matrix; cached for the short series most victims
    have (the memory this costs per process is in docs/analysis.md), built each time for longer
    ones."""
    return _cached_pairs(n) if n <= 256 else np.triu(np.ones((n, n), dtype=bool), k=1)


def mann_kendall(values: Sequence[float], alpha: float = 0.05, max_points: int = MAX_POINTS) -> MKResult:
    """The Mann-Kendall trend test of ``values`` (in time order).

    Parameters
    ----------
    values : sequence of numbers
        Observations in time order.
    alpha : float
        Two-sided significance level; the trend is ``rising``/``falling`` only when ``p < alpha``.
    max_points : int
        Longer series are reduced to this many block means first.

    Returns
    -------
    MKResult
        ``trend``, ``n``, ``s`` (the statistic), ``z``, ``p`` (two-sided, normal approximation
        with the tie-corrected variance and a continuity correction), ``tau``.

    Examples
    --------
    >>> mann_kendall([1, 1, 2, 4, 6, 7]).trend
    'rising'
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    series = _reduce(values, max_points)
    n = len(series)
    if n < MIN_POINTS:
        return MKResult("stable", n, 0, 0.0, 1.0, 0.0, f"fewer than {MIN_POINTS} points: no trend test")
    arr = np.asarray(series, dtype=float)
    later = (arr[None, :] - arr[:, None])[_pairs(n)]  # x_j - x_i for every i < j
    s = int(np.count_nonzero(later > 0)) - int(np.count_nonzero(later < 0))
    ties = Counter(series)
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties.values() if t > 1)) / 18.0
    if var <= 0:
        return MKResult("stable", n, s, 0.0, 1.0, 0.0, "all values equal")
    if s > 0:
        z = (s - 1) / math.sqrt(var)
    elif s < 0:
        z = (s + 1) / math.sqrt(var)
    else:
        z = 0.0
    p = math.erfc(abs(z) / math.sqrt(2))
    pairs = n * (n - 1) / 2
    tau = s / pairs if pairs else 0.0
    trend = "stable"
    if p < alpha:
        trend = "rising" if s > 0 else "falling"
    return MKResult(trend, n, s, z, p, tau)


def weekly_counts(times: Sequence[dt.datetime], max_bins: int = 520) -> list[int]:
    """Incident counts per 7-day bin of calendar days in Europe/London (contract section 9:
    an incident at 00:55 BST is counted on its London day, not the UTC day before), from the
    first day to the last (bins widen past ``max_bins`` so a decade-long series stays bounded)."""
    if not times:
        return []
    days = [local_day(t).toordinal() for t in times]
    start = min(days)
    span_days = max(days) - start
    width = 7.0
    if span_days / width > max_bins:
        width = span_days / max_bins
    bins = int(span_days // width) + 1
    counts = [0] * bins
    last = bins - 1
    for d in days:
        k = int((d - start) // width)
        counts[k if k < last else last] += 1
    return counts
