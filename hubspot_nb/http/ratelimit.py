"""Client-side rate limiting: stay under HubSpot's limits so a normal pull never sees a 429.

HubSpot counts requests per token (or app and portal) in a rolling window: about 100–190 per
10 seconds for normal calls (``X-HubSpot-RateLimit-Max`` / ``-Interval-Milliseconds`` say which),
and a separate budget of about 4–5 per second for CRM search, which sends no headers at all.

``RollingWindow`` is the one limiter for both: at most ``max_calls`` request *starts* in any
``window_s`` seconds, shared by every thread of a client. It learns the portal's real allowance from
the response headers, and pads itself when the headers show requests it did not send (another
process, or an earlier client with the same token), so that it never believes it has more room
than HubSpot thinks it has.

HubSpot counts search **per account**, not per token: ``portal_search_limiter`` hands every client
in this process that talks to one portal (same API host, same hub id) the same search limiter, so
two hubs of one portal searching at once stay under the limit together.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class WindowState:
    """What a ``RollingWindow`` allows and has used at one moment (a copy: it does not change)."""

    allowance: int  # requests allowed per window
    window_s: float
    used: int  # requests counted in the window now (in flight ones included)

    @property
    def rate(self) -> float:
        """The steady rate the window allows, requests per second."""
        return self.allowance / self.window_s

    @property
    def free(self) -> int:
        """Requests that could start at once."""
        return max(0, self.allowance - self.used)


@dataclass(frozen=True)
class Limits:
    """A client's two limiters at one moment: the portal's burst and the CRM search limit."""

    burst: WindowState
    search: WindowState


class RollingWindow:
    """At most ``max_calls`` requests in any ``window_s`` seconds (thread-safe, blocking).

    ``acquire()`` returns a slot; ``settle(slot)``, called when the answer came back, fixes the
    moment it counts from. HubSpot counts a request when it *arrives*, somewhere between our
    ``acquire`` and its answer. Counting from ``acquire`` is too early when a thread is held up
    before sending (GIL, a busy machine: CI once saw a 429 that way); counting from the answer is
    safe but wastes a whole round trip per slot, which on search (5 per second, 160 ms answers) is
    a sixth of the allowance. The slot counts from halfway: HubSpot does its work after the request
    arrives and the way back is as long as the way there, so arrival is before halfway unless we
    stalled longer than HubSpot took to answer. While a request is in flight its slot does not
    expire. ``margin_s`` lengthens the window a little more, for clocks HubSpot keeps elsewhere.
    """

    def __init__(self, max_calls: int, window_s: float, *, margin_s: float = 0.0) -> None:
        if max_calls < 1 or window_s <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and window_s > 0")
        self.max_calls = max_calls
        self.window_s = window_s
        self.margin_s = margin_s
        self.learned = False  # True once a response told us the real allowance
        self._slots: list[list[float]] = []  # [time it counts from (inf while in flight), acquired at]
        self._blocked_until = 0.0
        self._changed = threading.Condition()
        self.waited_s = 0.0  # total time callers spent waiting here (for benchmarks)

    def _span(self) -> float:
        return self.window_s + self.margin_s

    def _expire(self, now: float) -> None:
        oldest_kept = now - self._span()
        self._slots = [slot for slot in self._slots if slot[0] > oldest_kept]

    def acquire(self) -> list[float]:
        """Block until one more request may start; return its slot (give it to ``settle``)."""
        with self._changed:
            while True:
                now = time.monotonic()
                self._expire(now)
                if now < self._blocked_until:
                    wait = self._blocked_until - now
                elif len(self._slots) < self.max_calls:
                    slot = [math.inf, now]  # [counts from (in flight: never expires), acquired at]
                    self._slots.append(slot)
                    return slot
                else:  # full: until the oldest answered slot leaves the window, or an answer comes
                    wait = min(slot[0] for slot in self._slots) + self._span() - now
                wait = max(wait, 0.001)
                self.waited_s += min(wait, 60.0)
                self._changed.wait(None if math.isinf(wait) else wait)

    def settle(self, slot: list[float]) -> None:
        """The request of ``slot`` got its answer (or failed): it counts from halfway there."""
        with self._changed:
            acquired = slot[1]
            slot[0] = acquired + (time.monotonic() - acquired) / 2
            self._changed.notify_all()

    def block_for(self, seconds: float) -> None:
        """Let nobody start a request for ``seconds`` (after HubSpot said 429)."""
        with self._changed:
            self._blocked_until = max(self._blocked_until, time.monotonic() + seconds)

    def resize(self, max_calls: int, window_s: float) -> None:
        with self._changed:
            self.max_calls = max(1, max_calls)
            self.window_s = window_s
            self.learned = True
            self._changed.notify_all()

    def pad_to(self, used: int) -> None:
        """HubSpot says ``used`` requests are in its window: count at least that many ourselves."""
        with self._changed:
            now = time.monotonic()
            self._expire(now)
            missing = min(used, self.max_calls) - len(self._slots)
            self._slots.extend([now, now] for _ in range(max(0, missing)))

    def in_window(self) -> int:
        with self._changed:
            self._expire(time.monotonic())
            return len(self._slots)

    def state(self) -> WindowState:
        """Allowance, window and use now, read together under the lock."""
        with self._changed:
            self._expire(time.monotonic())
            return WindowState(self.max_calls, self.window_s, len(self._slots))


def learn_from_headers(
    limiter: RollingWindow,
    headers: Mapping[str, str],
    *,
    safety: int = 2,
    pinned: bool = False,
    pad: bool = True,
) -> None:
    """Adjust ``limiter`` from ``X-HubSpot-RateLimit-*`` headers (no-op when they are absent).

    ``safety`` requests of the allowance are kept back for other tabs and processes; ``pinned``
    (the user configured a limit) keeps the configured size and only pads.
    """
    raw_max = headers.get("X-HubSpot-RateLimit-Max")
    raw_interval = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
    raw_remaining = headers.get("X-HubSpot-RateLimit-Remaining")
    try:
        allowance = int(raw_max) if raw_max is not None else None
        interval_s = int(raw_interval) / 1000 if raw_interval is not None else None
        remaining = int(raw_remaining) if raw_remaining is not None else None
    except ValueError:
        return
    if allowance is None or allowance <= 0:
        return
    if not pinned:
        target = max(1, allowance - safety) if allowance > 2 * safety else max(1, allowance - 1)
        window = interval_s if interval_s and interval_s > 0 else limiter.window_s
        if target != limiter.max_calls or window != limiter.window_s or not limiter.learned:
            limiter.resize(target, window)
    if pad and remaining is not None:
        # Requests HubSpot counted that we did not (other clients on this token, an earlier run).
        limiter.pad_to(allowance - remaining)


class BothLimits:
    """Two limiters acquired together (for search calls that also count toward the burst)."""

    def __init__(self, first: RollingWindow, second: RollingWindow) -> None:
        self.first, self.second = first, second

    def acquire(self) -> tuple[list[float], list[float]]:
        return self.first.acquire(), self.second.acquire()

    def settle(self, slots: tuple[list[float], list[float]]) -> None:
        self.first.settle(slots[0])
        self.second.settle(slots[1])

    def block_for(self, seconds: float) -> None:
        self.first.block_for(seconds)


SEARCH_MARGIN_S = 0.1  # search window slack (see ``RollingWindow``); 0.04 s let a 429 through on busy CI
_portal_search: weakref.WeakValueDictionary[tuple[str, int], RollingWindow] = weakref.WeakValueDictionary()
_portal_search_lock = threading.Lock()


def portal_search_limiter(
    api_base: str, hub_id: int | None, max_calls: int | None, default: int
) -> RollingWindow:
    """The CRM search limiter of one portal, shared by every client of this process talking to it.

    ``max_calls`` is a configured limit (it resizes the shared limiter: the user said so), None for
    the ``default``, which only a new limiter takes. Without a ``hub_id`` (a token whose portal is not
    known yet) the client gets a limiter of its own. A portal's limiter lives while a client uses it.
    """
    if hub_id is None:
        return RollingWindow(max_calls or default, 1.0, margin_s=SEARCH_MARGIN_S)
    key = (api_base.rstrip("/"), int(hub_id))
    with _portal_search_lock:
        limiter = _portal_search.get(key)
        if limiter is None:
            limiter = RollingWindow(max_calls or default, 1.0, margin_s=SEARCH_MARGIN_S)
            _portal_search[key] = limiter
        elif max_calls is not None and max_calls != limiter.max_calls:
            limiter.resize(max_calls, 1.0)
        return limiter
