"""Per-key rate limits: an in-process token bucket.

Each API key has a bucket of ``burst`` tokens refilled at ``rate_per_s``; a request takes one
token or is refused with the seconds until one is available (the ``Retry-After`` of a 429).
Buckets live in the process: under gunicorn with W workers a key may make up to W times the
rate in total. That bound is documented in docs/api.md; a shared limit (Redis, the load
balancer) is the step when it matters, described in docs/scaling.md.
"""

from __future__ import annotations

import math
import threading
import time

__all__ = ["TokenBucketLimiter"]


class TokenBucketLimiter:
    """Thread-safe token buckets keyed by any string (an API key id)."""

    def __init__(self, rate_per_s: float, burst: int, max_keys: int = 100_000) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be positive and burst at least 1")
        self.rate = float(rate_per_s)
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> int | None:
        """Take ``cost`` tokens: ``None`` if granted, else whole seconds to wait (at least 1)."""
        now = time.monotonic()
        with self._lock:
            tokens, updated = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - updated) * self.rate)
            if tokens >= cost:
                self._store(key, tokens - cost, now)
                return None
            self._store(key, tokens, now)
            return max(1, math.ceil((cost - tokens) / self.rate))

    def blocked(self, key: str) -> int | None:
        """Seconds until ``key`` has a whole token again (without taking one), else ``None``."""
        now = time.monotonic()
        with self._lock:
            if key not in self._buckets:
                return None
            tokens, updated = self._buckets[key]
            tokens = min(self.burst, tokens + (now - updated) * self.rate)
        return None if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.rate))

    def _store(self, key: str, tokens: float, now: float) -> None:
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            # Forget full buckets first: they carry no state worth keeping.
            for k in [k for k, (t, u) in self._buckets.items() if t + (now - u) * self.rate >= self.burst]:
                del self._buckets[k]
        self._buckets[key] = (tokens, now)
