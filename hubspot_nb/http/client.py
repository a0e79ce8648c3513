"""The one HTTP client under every helper: Bearer auth, retries, rate limits and paging.

Calls flow one way: ``crm``/``marketing``/``auth`` → ``client`` → HTTP. This module returns plain
dicts and iterators (it never imports pandas).

* ``send()`` is the transient-failure loop every request goes through (also the OAuth token
  endpoint calls): 429s (honouring ``Retry-After``, else HubSpot's ``policyName`` and rate-limit
  headers), 5xx (HTML 502 pages too), dropped connections and truncated or invalid JSON bodies are
  retried, for GET and POST alike, a bounded number of times with jittered exponential backoff.
* ``HubSpotClient`` adds the token (refreshing once on 401 ``EXPIRED_AUTHENTICATION``), two shared
  client-side limiters (the portal's 10-second burst, learned from the headers, and the search
  per-second limit, which HubSpot announces nowhere), error mapping and paging in both styles
  HubSpot uses: cursors (``paging.next.after``) and the legacy offset/hasMore.
"""

from __future__ import annotations

import json as jsonlib
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol
from urllib.parse import urlsplit

import orjson
import requests
from requests.adapters import HTTPAdapter

from ..errors import ConfigError, NetworkError, error_from_response
from .ratelimit import BothLimits, Limits, RollingWindow, learn_from_headers, portal_search_limiter
from .urls import DEFAULT_API_BASE, DEFAULT_API_VERSION, check_api_version
from .urls import path as endpoint_path

log = logging.getLogger("hubspot_nb.http")

DEFAULT_BURST = 100  # HubSpot's smallest 10-second allowance; the headers teach us the real one
DEFAULT_SEARCH_RPS = 5  # CRM search: 5 requests per second per portal (no headers say so)
# Characters of URL a GET may use (property names go in the query). HubSpot answers 414 past a limit
# it does not document: ~16k measured, ~8 KB in one report (hubspot-2026.md). Start well under the
# first and learn down on a 414 (``shrink_url_budget``), to below the second if need be.
DEFAULT_URL_BUDGET = 10_000
MIN_URL_BUDGET = 2_000
_TRANSIENT_STATUSES = frozenset({500, 502, 503, 504, 520, 522, 524})
_NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
# Refreshes one call may make: a token refused as expired at once, on its first answer, right after
# the refresh that gave it means refreshing does not help (stop after that happens this often);
# tokens that expire later, while the call waits out 429s and 5xx, are real expiries (up to the cap).
MAX_IMMEDIATE_REFUSALS = 3
MAX_REFRESHES_PER_CALL = 10
_JSON_ATTR = "_hubspot_nb_json"  # where send() keeps the body it already parsed


class Limiter(Protocol):
    def acquire(self) -> Any: ...

    def settle(self, slot: Any) -> None: ...

    def block_for(self, seconds: float) -> None: ...


class TokenLike(Protocol):
    """What the client needs from ``hubspot_nb.auth.token.Token``."""

    @property
    def can_refresh(self) -> bool: ...

    def bearer(self) -> str: ...

    def refresh(self, stale: str | None = None) -> None: ...


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else None
    except ValueError:
        raise ConfigError(f"{name} must be a whole number of requests, not {value!r}.") from None


def _backoff(attempt: int, base: float = 0.25, cap: float = 8.0) -> float:
    """Jittered exponential backoff: about base·2^attempt, never more than ``cap``."""
    return float(min(cap, base * 2**attempt) * random.uniform(0.5, 1.0))


def parse_json(body: bytes) -> Any:
    """A JSON body → Python values. Parsing is the largest CPU cost of a wide pull and runs under
    the GIL the typing needs too: orjson reads a 347-property page in ~6 ms where ``json`` takes
    9–13. Raises ValueError on a truncated or invalid body. ``json`` remains for the one thing
    orjson refuses, integers wider than 64 bits (HubSpot sends ids as strings, but just in case)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return jsonlib.loads(body.decode("utf-8"))


def _looks_like_json(resp: requests.Response) -> bool:
    ctype = resp.headers.get("Content-Type", "")
    return "json" in ctype.lower()


def json_body(resp: requests.Response) -> Any:
    """The parsed JSON body (parsed once, by ``send``, when it checked the body was whole)."""
    if hasattr(resp, _JSON_ATTR):
        return getattr(resp, _JSON_ATTR)
    value = resp.json() if resp.content else None
    setattr(resp, _JSON_ATTR, value)
    return value


def _rate_limit_wait(resp: requests.Response, attempt: int) -> float | None:
    """Seconds to wait before retrying a 429, or None when retrying makes no sense (daily limit)."""
    retry_after = resp.headers.get("Retry-After")
    if retry_after:
        try:
            return max(0.0, float(retry_after)) + random.uniform(0, 0.1)
        except ValueError:
            pass  # an HTTP date: fall through to the policy
    policy = None
    try:
        body = resp.json()
        policy = body.get("policyName") if isinstance(body, dict) else None
    except ValueError:
        body = None
    if policy == "DAILY":
        return None
    if policy == "SECONDLY":
        return 1.0 + random.uniform(0, 0.2)
    if policy == "TEN_SECONDLY_ROLLING":
        try:
            interval = int(resp.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")) / 1000
        except ValueError:
            interval = 10.0
        # Rolling window: the oldest request leaves it within one interval, usually much sooner.
        # Our limiter keeps us under, so a 429 is mostly someone else's burst: start short, and
        # grow toward the whole window if HubSpot keeps saying no.
        return _backoff(attempt, base=1.0, cap=interval)
    return _backoff(attempt, base=1.0)


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    params: Any = None,
    data: Any = None,
    json: Any = None,
    headers: Mapping[str, str] | None = None,
    max_retries: int = 5,
    timeout: float = 30,
    limiter: Limiter | None = None,
    on_response: Callable[[requests.Response], None] | None = None,
    max_wait_s: float | None = None,
    parse: Callable[[bytes], Any] = parse_json,
) -> requests.Response:
    """Send one request, retrying transient failures; return the final response.

    Retried (at most ``max_retries`` times, any method): 429 (``Retry-After`` honoured, else the
    policy's window), 5xx, dropped connections/timeouts, and 2xx JSON bodies that do not parse
    (truncated). Other statuses come back at once: the caller maps them with
    ``errors.error_from_response``. Raises ``NetworkError`` when the network stays down.
    ``limiter`` is acquired before every attempt; ``on_response`` sees every response (headers).
    ``max_wait_s`` caps the time spent waiting out 429s: one asking for more comes back at once.
    ``parse`` reads a 2xx JSON body (``json_body`` hands its result out); a ValueError means the
    body was cut off or invalid, and the request is retried.
    """
    last_problem = ""
    waited = 0.0  # seconds spent waiting out 429s
    for attempt in range(max_retries + 1):
        final = attempt == max_retries
        slot = limiter.acquire() if limiter is not None else None
        try:
            resp = session.request(
                method, url, params=params, data=data, json=json, headers=headers, timeout=timeout
            )
            _ = resp.content  # read the whole body now, so a dropped connection is retried here
        except _NETWORK_ERRORS as exc:
            last_problem = type(exc).__name__
            if final:
                break
            time.sleep(_backoff(attempt))
            continue
        finally:
            if limiter is not None:
                limiter.settle(slot)  # the slot's time is fixed once the answer is in
        if on_response is not None:
            on_response(resp)
        status = resp.status_code
        if status == 429:
            wait = _rate_limit_wait(resp, attempt)
            if wait is None or final or (max_wait_s is not None and waited + wait > max_wait_s):
                return resp
            waited += wait
            if limiter is not None:
                limiter.block_for(wait)
            else:
                time.sleep(wait)
            continue
        if status in _TRANSIENT_STATUSES:
            if final:
                return resp
            time.sleep(_backoff(attempt))
            continue
        if 200 <= status < 300 and resp.content and _looks_like_json(resp):
            try:
                setattr(resp, _JSON_ATTR, parse(resp.content))
            except ValueError:
                last_problem = "a truncated or invalid JSON body"
                if final:
                    return resp
                time.sleep(_backoff(attempt))
                continue
        return resp
    host = urlsplit(url).netloc or url
    raise NetworkError(
        f"Could not reach HubSpot at {host} after {max_retries + 1} attempts ({last_problem}). "
        "Check your network connection (and HUBSPOT_API_BASE if you set it), then run the cell again."
    )


class HubSpotClient:
    """Authenticated, rate-limited, retrying access to one portal's API. Returns parsed JSON.

    ``burst``/``burst_window_s``: the 10-second allowance to stay under (default: learned from
    HubSpot's headers, starting at 100); ``search_rps``: CRM search requests per second (default 5);
    ``max_workers``: threads for concurrent page fetches (``client.pool``). ``api_version``
    (``2026-09``, ``2026-03`` or ``legacy``) picks the paths ``client.path(name, **parts)`` gives.
    """

    def __init__(
        self,
        token: TokenLike,
        api_base: str = DEFAULT_API_BASE,
        *,
        api_version: str = DEFAULT_API_VERSION,
        session: requests.Session | None = None,
        burst: int | None = None,
        burst_window_s: float = 10.0,
        search_rps: int | None = None,
        search_counts_toward_burst: bool = False,
        max_retries: int = 6,
        timeout: float = 30,
        max_workers: int = 8,
    ) -> None:
        self.token = token
        self.api_base = api_base.rstrip("/")
        self.api_version = check_api_version(api_version)
        self.max_retries = max_retries
        self.timeout = timeout
        self.session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max_workers + 4)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # Margins: HubSpot counts arrivals, we count departures; a little slack keeps us under.
        burst = burst or _env_int("HUBSPOT_NB_BURST")
        search_rps = search_rps or _env_int("HUBSPOT_NB_SEARCH_RPS")
        self._burst_pinned = burst is not None
        self.burst_limiter = RollingWindow(burst or DEFAULT_BURST, burst_window_s, margin_s=0.25)
        # Search is limited per portal: clients of one portal in this process share one limiter.
        hub_id = getattr(token, "hub_id", None)
        self.search_limiter = portal_search_limiter(self.api_base, hub_id, search_rps, DEFAULT_SEARCH_RPS)
        self.search_counts_toward_burst = search_counts_toward_burst
        self.api_usage: dict[str, Any] = {"requests": 0, "retried": 0, "rate_limited": 0}
        self._usage_lock = threading.Lock()
        self._probe_lock = threading.Lock()  # the first request goes alone, to learn the limits
        self._probed = False
        self.max_workers = max_workers
        self._pool: ThreadPoolExecutor | None = None
        self.url_budget = DEFAULT_URL_BUDGET

    def __repr__(self) -> str:
        return f"<HubSpotClient {self.api_base} api_version={self.api_version}>"

    # -- plumbing --------------------------------------------------------------------------------
    @property
    def pool(self) -> ThreadPoolExecutor:
        """Threads for concurrent page fetches (shared; limiters keep them within HubSpot's limits)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.max_workers, thread_name_prefix="hubspot-nb")
        return self._pool

    def limits(self) -> Limits:
        """A snapshot of both limiters (for callers that plan how many requests to run at once)."""
        return Limits(burst=self.burst_limiter.state(), search=self.search_limiter.state())

    def shrink_url_budget(self, failed: int) -> bool:
        """A URL built to fit ``failed`` characters got a 414: build them to three quarters of that
        from now on (every thread of this client). False when it cannot go lower: the 414 stands."""
        with self._usage_lock:
            if self.url_budget < failed:
                return True  # another thread already shrank it
            if failed <= MIN_URL_BUDGET:
                return False
            self.url_budget = max(MIN_URL_BUDGET, failed * 3 // 4)
            return True

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self.session.close()

    def _observe(self, resp: requests.Response) -> None:
        headers = resp.headers
        with self._usage_lock:
            self.api_usage["requests"] += 1
            if resp.status_code == 429:
                self.api_usage["rate_limited"] += 1
                if _body_field(resp, "policyName") == "SECONDLY" and self.search_limiter.max_calls > 2:
                    # Search sends no headers: a secondly 429 is the only sign the limit is lower.
                    self.search_limiter.resize(self.search_limiter.max_calls - 1, 1.0)
            for name, value in headers.items():
                if name.lower().startswith("x-hubspot-ratelimit-"):
                    self.api_usage[name[len("X-HubSpot-RateLimit-") :].lower()] = value
        # A 429 says Remaining 0 for the moment it was refused; padding to it would stall a whole window.
        learn_from_headers(
            self.burst_limiter, headers, pinned=self._burst_pinned, pad=resp.status_code != 429
        )

    def path(self, name: str, **parts: object) -> str:
        """The path of endpoint ``name`` (``http.urls``) in this client's API version."""
        return endpoint_path(name, self.api_version, **parts)

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.api_base}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        search: bool = False,
        parse: Callable[[bytes], Any] = parse_json,
    ) -> Any:
        """One API call: token, limits, retries; returns the parsed JSON body or raises APIError.
        ``parse`` reads the body (a pull reads pages straight into columns, ``crm.pull``)."""
        limiter: Limiter = self.search_limiter if search else self.burst_limiter
        if search and self.search_counts_toward_burst:
            limiter = BothLimits(self.search_limiter, self.burst_limiter)
        refreshed_from: set[str] = set()  # tokens this call already refreshed away from
        immediate = 0  # tokens refused on their first answer right after this call's refresh
        while True:
            sent = self.token.bearer()
            headers = {"Authorization": f"Bearer {sent}", "Accept": "application/json"}
            if self._probed:
                resp, answers = self._send(method, path, params, json, headers, limiter, parse)
            else:
                with self._probe_lock:
                    resp, answers = self._send(method, path, params, json, headers, limiter, parse)
                    self._probed = True
            expired = resp.status_code == 401 and _body_field(resp, "category") == "EXPIRED_AUTHENTICATION"
            if expired and refreshed_from and answers == 1:
                immediate += 1
            fresh_expiry = sent not in refreshed_from and len(refreshed_from) < MAX_REFRESHES_PER_CALL
            if (
                expired
                and fresh_expiry
                and immediate < MAX_IMMEDIATE_REFUSALS
                and getattr(self.token, "can_refresh", False)
            ):
                # Refresh unless another thread already did (stale=sent), then retry. Once per token:
                # the new one can expire too while send() waits out 429s and 5xx on the retry.
                self.token.refresh(stale=sent)
                refreshed_from.add(sent)
                continue
            break
        if not 200 <= resp.status_code < 300:
            raise error_from_response(resp.status_code, resp.text, resp.headers)
        if not resp.content:
            return None
        try:
            return json_body(resp)
        except ValueError:
            raise NetworkError(
                f"HubSpot's answer to {method} {urlsplit(self.url(path)).path} kept arriving cut off "
                f"or malformed after {self.max_retries + 1} attempts. Run the cell again."
            ) from None

    def _send(
        self,
        method: str,
        path: str,
        params: Any,
        json: Any,
        headers: dict[str, str],
        limiter: Limiter,
        parse: Callable[[bytes], Any],
    ) -> tuple[requests.Response, int]:
        """The final response and how many answers ``send`` saw on the way (retries included)."""
        answers = 0

        def observe(resp: requests.Response) -> None:
            nonlocal answers
            answers += 1
            self._observe(resp)

        resp = send(self.session, method, self.url(path), params=params, json=json, headers=headers,
                    max_retries=self.max_retries, timeout=self.timeout, limiter=limiter,
                    on_response=observe, parse=parse)  # fmt: skip
        if answers > 1:
            with self._usage_lock:
                self.api_usage["retried"] += answers - 1
        return resp, answers

    # -- verbs ------------------------------------------------------------------------------------
    def get(self, path: str, params: Any = None, *, parse: Callable[[bytes], Any] = parse_json) -> Any:
        return self.request("GET", path, params=params, parse=parse)

    def post(
        self, path: str, json: Any = None, *, search: bool = False, parse: Callable[[bytes], Any] = parse_json
    ) -> Any:
        return self.request("POST", path, json=json, search=search, parse=parse)

    # -- paging -------------------------------------------------------------------------------------
    def pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        method: str = "GET",
        json: Mapping[str, Any] | None = None,
        search: bool = False,
        after: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Cursor paging (``paging.next.after``): yield each page's parsed body, first to last.

        GET sends the cursor as the ``after`` query parameter, POST (search) in the JSON body.
        """
        while True:
            if method.upper() == "GET":
                query = dict(params or {})
                if after is not None:
                    query["after"] = after
                page = self.request("GET", path, params=query)
            else:
                body = dict(json or {})
                if after is not None:
                    body["after"] = after
                page = self.request(method.upper(), path, params=params, json=body, search=search)
            yield page
            after = next_after(page)
            if after is None:
                return

    def offset_pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        offset_param: str = "offset",
        offset_key: str = "offset",
        has_more_key: str | None = "hasMore",
        total_key: str | None = None,
        results_key: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Legacy offset paging, both HubSpot styles; yields each page's parsed body.

        * token + flag (email events v1, email campaigns v1): the body carries ``offset`` (an
          opaque token) and ``hasMore``; send it back as ``offset=``.
        * numeric offset + total (analytics v2): pass ``has_more_key=None, total_key="total",
          results_key="results"``; the next offset is the previous one plus the rows received.
        """
        query = dict(params or {})
        while True:
            page = self.request("GET", path, params=query)
            yield page
            if not isinstance(page, dict):
                return
            if has_more_key is not None:
                if not page.get(has_more_key) or page.get(offset_key) in (None, ""):
                    return
                query[offset_param] = page[offset_key]
                continue
            rows = page.get(results_key or "results") or []
            start = int(query.get(offset_param) or 0)
            total = page.get(total_key) if total_key else None
            nxt = start + len(rows)
            if not rows or (total is not None and nxt >= int(total)):
                return
            query[offset_param] = nxt


def batch_results(body: Any) -> list[dict[str, Any]]:
    """The ``results`` of a batch read, whichever way its version reports ids it could not read:
    v3, v4 and 2026-03 answer 207 with ``errors``; 2026-09 declares no 207 and answers 200 with
    ``errors`` and ``numErrors`` in the body. Both are a success here (``request`` accepts any 2xx):
    unknown ids are simply absent from the results, and the errors are only logged."""
    if not isinstance(body, dict):
        return []
    errors = body.get("errors") or []
    if errors:
        log.debug(
            "hubspot_nb: a batch read reported %s error(s): %s",
            body.get("numErrors", len(errors)),
            sorted({str(e.get("category")) for e in errors if isinstance(e, dict)}),
        )
    return [r for r in body.get("results") or [] if isinstance(r, dict)]


def next_after(page: Any) -> str | None:
    """The cursor of the next page, or None on the last page."""
    if not isinstance(page, dict):
        return None
    nxt = (page.get("paging") or {}).get("next") or {}
    after = nxt.get("after")
    return str(after) if after not in (None, "") else None


def _body_field(resp: requests.Response, key: str) -> str | None:
    """One top-level field of an error body (``category``, ``policyName``), None if not JSON."""
    try:
        body = json_body(resp)
    except ValueError:
        return None
    return body.get(key) if isinstance(body, dict) else None
