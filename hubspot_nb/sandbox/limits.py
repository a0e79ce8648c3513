"""Rate limits and fault injection: how the sandbox makes clients prove they cope.

Rate limits follow HubSpot (reference §7):

* a rolling burst window per install or static credential (``burst`` requests per
  ``burst_window_ms``), reported in ``X-HubSpot-RateLimit-*`` headers;
* a per-second limit for CRM search (``search_rps``) counted **per portal**, so every token of one
  account shares it; search replies carry no rate-limit headers;
* a daily allowance per portal (``daily_limit``) for static credentials (private-app tokens,
  service keys): their replies carry ``X-HubSpot-RateLimit-Daily``/``-Daily-Remaining``, OAuth
  replies never do, and OAuth calls neither count nor are refused (HubSpot puts daily limits on
  privately distributed apps). The day ends at midnight in the account's time zone;
* the OAuth token endpoints (``token_rps``, a bucket of ``token_burst`` calls refilled at that rate,
  one bucket for the sandbox's one app): 429 "You have reached your rate limit." with
  ``Retry-After`` in whole seconds, or without it when ``token_retry_after`` is off (whether HubSpot
  always sends it is unconfirmed).

A refused request does not count against any window, so a client that waits as told gets through.
API 429s (burst, search, daily) send no ``Retry-After``: HubSpot's behaviour there is unconfirmed,
so clients must back off from the headers and the ``policyName`` in the body alone.

Faults are drawn from a seeded RNG, so a run with the same seed and the same request order injects
the same faults.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .config import ACCOUNT_TIME_ZONE, Config
from .routing import ApiError

TEN_SECONDLY = "TEN_SECONDLY_ROLLING"
SECONDLY = "SECONDLY"
DAILY = "DAILY"
TOKEN_ENDPOINT = "TOKEN_ENDPOINT"  # the stats key of token-endpoint 429s (their body names no policy)
DAILY_HEADER = "X-HubSpot-RateLimit-Daily"
DAILY_REMAINING_HEADER = "X-HubSpot-RateLimit-Daily-Remaining"


class RateLimitError(ApiError):
    """A 429 shaped like HubSpot's real captures: ``errorType`` and ``policyName``, no ``category``."""

    def body(self) -> dict[str, Any]:
        body = super().body()
        del body["category"]
        return body

    @property
    def stats_key(self) -> str:
        """What ``/_sandbox/stats`` counts it under: the policy, or ``TOKEN_ENDPOINT``."""
        return str(self.extra.get("policyName") or TOKEN_ENDPOINT)


def rate_limit_error(policy: str, hub_id: int, headers: dict[str, str] | None = None) -> ApiError:
    """HubSpot's 429 body for ``policy`` (captures: hubspot-api-python#117, mk-node-hubspot#89; the
    DAILY one as HubSpot's usage guidelines print it, without a ``groupName``)."""
    if policy == DAILY:
        error = RateLimitError(
            429, "You have reached your daily limit.", "RATE_LIMITS", headers=headers, errorType="RATE_LIMIT"
        )
        error.extra.update(policyName=DAILY)
        return error
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


def token_rate_limit_error(retry_after_s: int | None) -> ApiError:
    """The token endpoint's 429: the message PostHog's logs quote (PostHog PR #64726), with
    ``Retry-After`` in seconds when the sandbox is set to send it."""
    headers = {"Retry-After": str(retry_after_s)} if retry_after_s is not None else None
    return RateLimitError(
        429, "You have reached your rate limit.", "RATE_LIMITS", headers=headers, errorType="RATE_LIMIT"
    )


def _account_zone() -> tzinfo:
    try:
        return ZoneInfo(ACCOUNT_TIME_ZONE)
    except ZoneInfoNotFoundError:  # no time zone database (Windows without tzdata): standard time
        return timezone(timedelta(hours=-5), "EST")


_ZONE = _account_zone()


def account_day(epoch: float) -> date:
    """The portal's calendar day at ``epoch``: daily limits reset at midnight account time."""
    return datetime.fromtimestamp(epoch, _ZONE).date()


class RateLimiter:
    """Every limit the sandbox applies, under one lock: burst windows per bucket (one per install or
    static credential), the search window and the daily count of the portal, the token endpoints'
    bucket."""

    def __init__(self, config: Config, hub_id: int) -> None:
        self.config = config
        self.hub_id = hub_id
        self._lock = threading.Lock()
        self._burst: dict[str, deque[float]] = {}
        self._search: deque[float] = deque()  # one portal, one search window, whatever the token
        self._daily_day: date | None = None
        self._daily_used = 0
        self._token_level: float | None = None  # calls left in the token bucket; None: full
        self._token_at = 0.0

    def check(self, bucket: str, kind: str | None, *, static: bool = False) -> dict[str, str]:
        """Count one API request; return the headers to send, or raise the 429 ``ApiError``.

        ``bucket`` is the token's burst bucket; ``kind`` the route's limit (``burst``, ``search`` or
        None); ``static``: the credential is a private-app token or service key (daily limit)."""
        if kind not in ("burst", "search"):
            return {}
        now = time.monotonic()
        with self._lock:
            daily = self._daily_headers(static)
            if daily and int(daily[DAILY_REMAINING_HEADER]) <= 0:
                raise rate_limit_error(DAILY, self.hub_id, None if kind == "search" else daily)
            if kind == "search":
                self._search_check(now)
                self._spend_daily(static)
                return {}  # HubSpot's search replies carry no rate-limit headers
            headers = self._burst_check(bucket, now, daily)
            self._spend_daily(static)
            if daily:
                headers.update(self._daily_headers(static))
            return headers

    def _burst_check(self, bucket: str, now: float, daily: dict[str, str]) -> dict[str, str]:
        limit = self.config.burst
        if limit <= 0:
            return {}
        window_ms = self.config.burst_window_ms
        hits = _prune(self._burst.setdefault(bucket, deque()), now - window_ms / 1000)
        allowed = len(hits) < limit
        if allowed:
            hits.append(now)
        headers = {
            "X-HubSpot-RateLimit-Max": str(limit),
            "X-HubSpot-RateLimit-Remaining": str(max(0, limit - len(hits))),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(window_ms),
        }
        if not allowed:
            raise rate_limit_error(TEN_SECONDLY, self.hub_id, {**headers, **daily})
        return headers

    def _search_check(self, now: float) -> None:
        limit = self.config.search_rps
        if limit <= 0:
            return
        hits = _prune(self._search, now - 1.0)
        if len(hits) >= limit:
            raise rate_limit_error(SECONDLY, self.hub_id)
        hits.append(now)

    def _daily_headers(self, static: bool) -> dict[str, str]:
        """The daily headers a static credential gets ({} for OAuth, or with no daily limit)."""
        limit = self.config.daily_limit
        if not static or limit <= 0:
            return {}
        today = account_day(time.time())
        if today != self._daily_day:
            self._daily_day, self._daily_used = today, 0
        return {DAILY_HEADER: str(limit), DAILY_REMAINING_HEADER: str(max(0, limit - self._daily_used))}

    def _spend_daily(self, static: bool) -> None:
        if static and self.config.daily_limit > 0:
            self._daily_used += 1

    def check_token_endpoint(self) -> None:
        """Count one call to an OAuth token endpoint; raise the 429 when its bucket is empty."""
        rate = self.config.token_rps
        now = time.monotonic()
        with self._lock:
            if rate <= 0:
                self._token_level = None  # unlimited; turned on again, the bucket starts full
                return
            size = float(max(1, self.config.token_burst))
            level = size if self._token_level is None else self._token_level
            level = min(size, level + (now - self._token_at) * rate)
            self._token_at = now
            if level >= 1.0:
                self._token_level = level - 1.0
                return
            self._token_level = level
            wait = max(1, math.ceil((1.0 - level) / rate))
        raise token_rate_limit_error(wait if self.config.token_retry_after else None)


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
