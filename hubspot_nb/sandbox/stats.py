"""Counters the sandbox keeps about itself, served by ``GET /_sandbox/stats``.

Plain counters (``stats.incr("refreshes")``) and counters grouped by a key
(``stats.incr("requests", key="GET /crm/v3/objects/{object_type}")``). Benchmarks and tests read
them to prove what happened on the wire: how many requests, 429s, faults, refreshes.

Groups: ``requests`` per route, keyed by method and path template (each API version of an operation
is its own route: ``GET /crm/v3/objects/{object_type}``, ``GET /crm/objects/2026-09/{object_type}``),
plus ``unmatched`` and ``URI too long``; ``versions`` per API version the matched routes name
(``v3``, ``v4``, ``2026-09``, ``2026-09-beta`` …; the sandbox's pages and controls are not counted);
``responses`` per status (``dropped`` for injected drops); ``rate_limited`` per policy; ``faults`` per kind.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

# Always present in a snapshot, so readers need no ``.get(..., 0)``.
COUNTERS = ("requests_total", "tokens_issued", "refreshes", "codes_issued", "revocations")
GROUPS = ("requests", "responses", "rate_limited", "faults", "versions")


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: Counter[str] = Counter()
        self._groups: dict[str, Counter[str]] = {}
        self.reset()

    def incr(self, name: str, n: int = 1, *, key: str | None = None) -> None:
        """Add ``n`` to counter ``name``, or to ``name[key]`` when ``key`` is given."""
        with self._lock:
            if key is None:
                self._counters[name] += n
            else:
                self._groups.setdefault(name, Counter())[key] += n

    def get(self, name: str, key: str | None = None) -> int:
        with self._lock:
            if key is None:
                return self._counters[name]
            return self._groups.get(name, Counter())[key]

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = {name: self._counters[name] for name in COUNTERS}
            out.update((k, v) for k, v in self._counters.items() if k not in out)
            for name, group in self._groups.items():
                out[name] = dict(group)
            return out

    def reset(self) -> None:
        with self._lock:
            self._counters = Counter()
            self._groups = {name: Counter() for name in GROUPS}
