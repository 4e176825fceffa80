"""Seeded faults for the replay, decided per URL and attempt so a run is reproducible whatever the order in
which a concurrent crawler asks.

A URL never fails more than ``max_in_a_row`` times in a row: a crawler that retries enough always gets through,
which lets tests demand that every article ends up stored. Permanent failures are asked for explicitly
(``fail_paths``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from dataclasses import dataclass, field

__all__ = ["FAULT_KINDS", "FaultPlan"]

#: what a fault can be: an HTTP error (429: too many requests), Sina's rate-limit page (456, or 200 with the
#: page), an answer slower than the crawler's timeout, a body cut short
FAULT_KINDS = ("http_500", "http_503", "http_403", "http_429", "rate_limit_456", "kinsoku_200", "slow", "truncated")


def _unit(seed: int, *parts: object) -> float:
    digest = hashlib.sha256(":".join(map(str, (seed, *parts))).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class FaultPlan:
    rate: float = 0.0
    seed: int = 0
    max_in_a_row: int = 3
    kinds: tuple[str, ...] = FAULT_KINDS
    _attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _in_a_row: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_fault(self, url_key: str) -> str | None:
        """The fault to answer this request of ``url_key`` with, or None for a good answer."""
        if self.rate <= 0:
            return None
        with self._lock:
            attempt = self._attempts[url_key]
            self._attempts[url_key] += 1
            if self._in_a_row[url_key] >= self.max_in_a_row or _unit(self.seed, url_key, attempt) >= self.rate:
                self._in_a_row[url_key] = 0
                return None
            self._in_a_row[url_key] += 1
        return self.kinds[int(_unit(self.seed, "kind", url_key, attempt) * len(self.kinds))]
