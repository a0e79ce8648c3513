"""The floor: the least time HubSpot's rate limits allow for a pull, whatever the client does.

A pull of ``n`` records can use two endpoint classes, each with its own limit:

- list (``GET /crm/v3/objects/{type}``, 100 records a page) and batch read: the *burst* limit,
  ``burst`` requests in any rolling ``burst_window_ms`` (HubSpot: 110 per 10 s);
- search (``POST /crm/v3/objects/{type}/search``, 200 records a page): ``search_rps`` requests in
  any rolling second (HubSpot: 5 per s).

With an allowance that starts full (a fresh token, or a portal idle for one window), ``r`` requests
in a class limited to ``a`` per window ``w`` cannot all have *started* before
``(ceil(r / a) - 1) * w``: the first ``a`` go at once, the next ``a`` one window later, and so on.
The classes are independent, so a client may split the records between them; the floor takes the
best split. The last request of each class still needs its own round trip (``latency_ms`` plus
``per_record_ms`` for each record of a full page), so::

    floor(n) = min over splits (l list pages, s search pages, 100 l + 200 s >= n) of
                   max( (ceil((l * list_cost + extra) / burst) - 1) * window + rtt(100 records),
                        (ceil(s / search_rps) - 1) * 1 s                 + rtt(200 records) )

    rtt(k) = latency_ms + k * per_record_ms

``list_cost`` is the burst-class requests one list page of 100 records costs (``list_strategy``): 1
when the requested names fit in one list URL; else the cheaper of two ways to get a page's records
with every property, both burst class:

- *split URLs*: the names in ``k`` groups that each fit a URL (``url_groups``), one list call per
  group for the same 100 records, joined on id: ``k`` requests;
- *ids, then batch read*: one list call naming no properties (the ids and the cursor) and one
  ``POST …/batch/read`` of those 100 ids with every name in the body: 2 requests, whatever ``k``.

So ``list_cost = min(k, 2)``. Search pages are not affected: the names go in the POST body (the
sandbox accepts bodies up to 32 MB; HubSpot's search body limit is unconfirmed, and a 200-record
page naming ~500 properties is ~16 KB of body), so wide records cost search nothing extra, and the
best split of a wide pull moves records from the list (now 2 requests per 100) to search (1 per
200). ``extra`` is the burst-class requests every pull makes once (the property catalogue).

The floor is a true lower bound: it assumes unlimited concurrency and ignores that cursors chain
pages one after another; it is what the limits allow, not what a sequential client can reach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

LIST_PAGE = 100
SEARCH_PAGE = 200
MAX_URL_CHARS = 16_000  # the 414 threshold measured on HubSpot; the sandbox default (max_url_length)
LIST_PATH = "/crm/v3/objects/contacts"


@dataclass(frozen=True)
class Limits:
    """The sandbox knobs the floor depends on (names as in ``hubspot_nb/sandbox/config.py``)."""

    latency_ms: float = 0.0
    per_record_ms: float = 0.0
    burst: int = 0  # 0 = unlimited
    burst_window_ms: int = 10_000
    search_rps: int = 0  # 0 = unlimited

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Limits:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in config.items() if k in names})


URL_NAMES = 8_000  # characters of property names per URL when a plain script pulls every property


def name_groups(names: list[str], room: int = URL_NAMES) -> list[list[str]]:
    """Property names in groups whose joined length fits a URL (``room`` characters each): how the
    official-client and ``requests`` contenders, and the warm-up, split ``properties="all"``."""
    groups: list[list[str]] = [[]]
    for name in names:
        if groups[-1] and sum(len(n) + 3 for n in groups[-1]) + len(name) > room:
            groups.append([])
        groups[-1].append(name)
    return groups


def url_groups(names: list[str], *, path: str = LIST_PATH, limit: int = MAX_URL_CHARS) -> int:
    """The fewest groups ``names`` split into so that each group's list URL (path, ``limit=100``, a
    cursor, ``archived`` and ``properties=`` the group) stays under ``limit`` characters."""
    fixed = len(urlencode({"limit": 100, "after": "x" * 24, "archived": "false", "properties": ""}))
    room = limit - len(path) - 1 - fixed
    groups, used = 1, 0
    for name in names:
        cost = len(quote(name, safe="")) + (3 if used else 0)  # the comma, URL-encoded as %2C
        if used and used + cost > room:
            groups, used = groups + 1, len(quote(name, safe=""))
        else:
            used += cost
    return groups


@dataclass(frozen=True)
class ListStrategy:
    cost: int  # burst-class requests per list page of 100 records
    how: str  # one line: which way, and why

    @classmethod
    def for_groups(cls, groups: int) -> ListStrategy:
        if groups <= 1:
            return cls(1, "the names fit one list URL: 1 request per page")
        if groups == 2:
            return cls(2, "the names need 2 URL-sized groups: 2 list calls per page (ids + batch read "
                          "would also cost 2)")  # fmt: skip
        return cls(2, f"the names need {groups} URL-sized groups; ids + batch read costs 2 per page, fewer")


def list_strategy(names: list[str] | None) -> ListStrategy:
    """How a list page with ``names`` (None: the default properties) is cheapest to fetch."""
    return ListStrategy.for_groups(1 if not names else url_groups(names))


def class_time(requests: int, allowance: int, window_s: float) -> float:
    """Seconds before the last of ``requests`` may start under a rolling limit that starts full."""
    if requests <= 0 or allowance <= 0:
        return 0.0
    return (math.ceil(requests / allowance) - 1) * window_s


def round_trip(limits: Limits, records: int) -> float:
    return (limits.latency_ms + limits.per_record_ms * records) / 1000


@dataclass(frozen=True)
class Floor:
    seconds: float
    list_requests: int  # burst-class requests in the best split (catalogue included)
    search_requests: int
    list_cost: int = 1  # burst-class requests per list page
    list_pages: int = 0

    def describe(self) -> str:
        burst, search = self.list_requests, self.search_requests
        if self.list_cost == 1:
            return f"{self.seconds:.2f} s ({burst} burst-class + {search} search requests)"
        return (
            f"{self.seconds:.2f} s ({self.list_pages} list pages × {self.list_cost} = {burst} burst-class "
            f"requests with the catalogue, + {search} search requests)"
        )


def pull_floor(n: int, limits: Limits, *, list_cost: int = 1, extra: int = 1) -> Floor:
    """The floor for pulling ``n`` records (see the module docstring for the formula)."""
    best: Floor | None = None
    # Unlimited search would make "all by search, all at once" the answer; only split when limited.
    max_search = math.ceil(n / SEARCH_PAGE) if limits.search_rps > 0 else 0
    for s in range(max_search + 1):
        rest = max(0, n - s * SEARCH_PAGE)
        pages = math.ceil(rest / LIST_PAGE)
        burst_requests = pages * list_cost + extra
        seconds = requests_floor(burst_requests, s, limits)
        if best is None or seconds < best.seconds:
            best = Floor(seconds, burst_requests, s, list_cost, pages)
    assert best is not None
    return best


def requests_floor(burst_requests: int, search_requests: int, limits: Limits) -> float:
    """The floor for a given set of requests: each class's last request starts no earlier than its
    limit allows and then takes one round trip of a full page; the pull ends with the later class.

    Also a diagnostic: applied to the requests a contender actually made, it separates time lost to
    extra calls from time lost to scheduling.
    """
    window_s = limits.burst_window_ms / 1000
    ends = [0.0]
    if burst_requests > 0:
        ends.append(class_time(burst_requests, limits.burst, window_s) + round_trip(limits, LIST_PAGE))
    if search_requests > 0:
        ends.append(class_time(search_requests, limits.search_rps, 1.0) + round_trip(limits, SEARCH_PAGE))
    return max(ends)
