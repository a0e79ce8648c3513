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

``list_cost`` is 1 when the properties fit in the list URL and 2 when they do not (then each page of
100 ids needs a list call for the ids and a batch read with the properties in the body). ``extra``
is the burst-class requests every pull makes once (the property catalogue).

The floor is a true lower bound: it assumes unlimited concurrency and ignores that cursors chain
pages one after another; it is what the limits allow, not what a sequential client can reach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

LIST_PAGE = 100
SEARCH_PAGE = 200


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

    def describe(self) -> str:
        burst, search = self.list_requests, self.search_requests
        return f"{self.seconds:.2f} s ({burst} burst-class + {search} search requests)"


def pull_floor(n: int, limits: Limits, *, list_cost: int = 1, extra: int = 1) -> Floor:
    """The floor for pulling ``n`` records (see the module docstring for the formula)."""
    best: Floor | None = None
    # Unlimited search would make "all by search, all at once" the answer; only split when limited.
    max_search = math.ceil(n / SEARCH_PAGE) if limits.search_rps > 0 else 0
    for s in range(max_search + 1):
        rest = max(0, n - s * SEARCH_PAGE)
        burst_requests = math.ceil(rest / LIST_PAGE) * list_cost + extra
        seconds = requests_floor(burst_requests, s, limits)
        if best is None or seconds < best.seconds:
            best = Floor(seconds, burst_requests, s)
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
