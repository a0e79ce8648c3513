"""Rate limits and fault injection: how the sandbox makes clients prove they cope.

Rate limits follow HubSpot: a rolling burst window per install (``burst`` requests per
``burst_window_ms``), reported in ``X-HubSpot-RateLimit-*`` headers, and a separate per-second limit
for CRM search (``search_rps``), whose responses carry no rate-limit headers. A refused request does
not count against the window, so a client that waits as the headers say gets through.

A daily limit per account (``daily_limit``, HubSpot's Free/Starter 250,000 by default; the day ends
at midnight account time, US/Eastern here) counts every authenticated call. HubSpot reports it in
``X-HubSpot-RateLimit-Daily``/``-Daily-Remaining`` to private apps, never on OAuth calls; whether
service keys get them is unconfirmed (reference §7), so ``service_key_daily_headers`` decides.
Past the limit every call gets a 429 with ``policyName: DAILY``.

No ``Retry-After`` header is sent: HubSpot's behaviour is unconfirmed (reference §4), so clients
must back off from the headers and the ``policyName`` in the body alone.

Faults are drawn from a seeded RNG, so a run with the same seed and the same request order injects
the same faults.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from typing import Any

from .config import Config
from .routing import ApiError

TEN_SECONDLY = "TEN_SECONDLY_ROLLING"
SECONDLY = "SECONDLY"
DAILY = "DAILY"
ACCOUNT_UTC_OFFSET_S = -5 * 3600  # the portal's time zone (account details say US/Eastern, -05:00)


class RateLimitError(ApiError):
    """A 429 shaped like HubSpot's real captures: ``errorType`` and ``policyName``, no ``category``."""

    def body(self) -> dict[str, Any]:
        body = super().body()
        del body["category"]
        return body


def rate_limit_error(policy: str, hub_id: int, headers: dict[str, str] | None = None) -> ApiError:
    """HubSpot's 429 body for ``policy`` (captures: hubspot-api-python#117, mk-node-hubspot#89)."""
    if policy == SECONDLY:
        message = "You have reached your secondly limit."
        group = f"publicapi:oauth-api-calls-secondly:{hub_id}"
    elif policy == DAILY:
        message = "You have reached your daily limit."
        group = f"publicapi:api-calls-daily:{hub_id}"
    else:
        message = "You have reached your ten_secondly_rolling limit."
        group = f"publicapi:oauth-api-calls-ten-secondly:{hub_id}"
    error = RateLimitError(429, message, "RATE_LIMITS", headers=headers, errorType="RATE_LIMIT")
    error.extra.update(policyName=policy, groupName=group)
    return error


class RateLimiter:
    """Rolling windows per bucket (one bucket per install or private token)."""

    def __init__(self, config: Config, hub_id: int) -> None:
        self.config = config
        self.hub_id = hub_id
        self._lock = threading.Lock()
        self._burst: dict[str, deque[float]] = {}
        self._search: dict[str, deque[float]] = {}
        self._day: tuple[int, int] = (0, 0)  # (day number in account time, calls that day)

    def check(self, bucket: str, kind: str | None, *, daily_headers: bool = False) -> dict[str, str]:
        """Count one request; return the headers to send, or raise the 429 ``ApiError``.

        ``daily_headers``: the caller is a static credential that HubSpot tells its daily figures."""
        limit = self.config.daily_limit
        if limit > 0 and self._calls_today() >= limit:
            headers = {"X-HubSpot-RateLimit-Daily": str(limit), "X-HubSpot-RateLimit-Daily-Remaining": "0"}
            raise rate_limit_error(DAILY, self.hub_id, headers if daily_headers else None)
        headers = self._window_check(bucket, kind)
        used = self._count_today()
        if limit > 0 and daily_headers and kind != "search":
            headers["X-HubSpot-RateLimit-Daily"] = str(limit)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(max(0, limit - used))
        return headers

    def _today(self) -> int:
        return int((time.time() + ACCOUNT_UTC_OFFSET_S) // 86_400)

    def _calls_today(self) -> int:
        with self._lock:
            day, calls = self._day
            return calls if day == self._today() else 0

    def _count_today(self) -> int:
        with self._lock:
            today = self._today()
            day, calls = self._day
            self._day = (today, (calls if day == today else 0) + 1)
            return self._day[1]

    def _window_check(self, bucket: str, kind: str | None) -> dict[str, str]:
        if kind == "search":
            self._search_check(bucket)
            return {}
        if kind != "burst" or self.config.burst <= 0:
            return {}
        limit = self.config.burst
        window_ms = self.config.burst_window_ms
        now = time.monotonic()
        with self._lock:
            hits = _prune(self._burst.setdefault(bucket, deque()), now - window_ms / 1000)
            allowed = len(hits) < limit
            if allowed:
                hits.append(now)
            remaining = max(0, limit - len(hits))
        headers = {
            "X-HubSpot-RateLimit-Max": str(limit),
            "X-HubSpot-RateLimit-Remaining": str(remaining),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(window_ms),
        }
        if not allowed:
            raise rate_limit_error(TEN_SECONDLY, self.hub_id, headers)
        return headers

    def _search_check(self, bucket: str) -> None:
        limit = self.config.search_rps
        if limit <= 0:
            return
        now = time.monotonic()
        with self._lock:
            hits = _prune(self._search.setdefault(bucket, deque()), now - 1.0)
            if len(hits) >= limit:
                raise rate_limit_error(SECONDLY, self.hub_id)
            hits.append(now)


def _prune(hits: deque[float], cutoff: float) -> deque[float]:
    while hits and hits[0] <= cutoff:
        hits.popleft()
    return hits


class FaultInjector:
    """Decides, per API request, whether to inject a fault and which one."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        rate = self.config.fault_rate
        kinds = self.config.fault_kinds
        if rate <= 0 or not kinds:
            return None
        with self._lock:
            if self._rng.random() >= rate:
                return None
            return self._rng.choice(kinds)


BAD_GATEWAY_HTML = (
    b"<html><head><title>502 Bad Gateway</title></head><body>"
    b"<center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"
)
