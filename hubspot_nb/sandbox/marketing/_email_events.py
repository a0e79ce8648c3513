"""The sandbox's e-mail events: generated once per seed, stored compactly, indexed by time and send.

Each sent marketing email is one or more *sends* (HubSpot's legacy ``emailCampaignId``: one per
email, two for A/B emails — variant A and B). Each recipient of a send gets a stream of events in
the life-cycle order HubSpot documents for its email events API::

    PROCESSED → DROPPED                                          (never sent)
    PROCESSED → SENT → BOUNCE
    PROCESSED → SENT → [DEFERRED] → DELIVERED → OPEN* → CLICK* → [SPAMREPORT] [STATUSCHANGE]

Storage is columnar (``array`` module, about 20 bytes an event) and sorted by time over all sends,
so a time window is two bisects. Per send we keep the positions of its events and one *stat code*
byte per event; the statistics of any window are then ``bytes.count`` calls on a slice (C speed),
never a rescan of Python objects. What the counters mean (the same numbers everywhere):

- ``sent``, ``delivered``, ``bounce`` (= ``hardbounced`` + ``softbounced``), ``dropped``,
  ``spamreport``: the number of those events;
- ``open`` / ``click``: **unique** — recipients whose *first* open (click) of that send falls in the
  window. Counting first events keeps every statistic additive: histogram buckets sum to the
  aggregate of the same span, and per-email numbers sum to per-campaign numbers;
- ``unsubscribed``: STATUSCHANGE events (each one unsubscribes its recipient from the email's
  subscription type);
- ``selected``: PROCESSED events (recipients the send selected); ``notsent`` = ``dropped``;
- ``deviceBreakdown`` splits the unique opens and clicks by device (computer / mobile / unknown).

The legacy ``/email/public/v1/campaigns/{id}`` counters are plain event counts instead (``open`` =
all OPEN events), as HubSpot's legacy API reports them.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

# Event types, in life-cycle order (the index is the stored type code).
TYPES = (
    "PROCESSED",
    "DROPPED",
    "SENT",
    "DEFERRED",
    "DELIVERED",
    "BOUNCE",
    "OPEN",
    "CLICK",
    "SPAMREPORT",
    "STATUSCHANGE",
)
PROCESSED, DROPPED, SENT, DEFERRED, DELIVERED, BOUNCE, OPEN, CLICK, SPAMREPORT, STATUSCHANGE = range(10)

DEVICES = ("computer", "mobile", "unknown")
DROP_REASONS = (
    "PREVIOUSLY_BOUNCED",
    "PREVIOUSLY_UNSUBSCRIBED_MESSAGE",
    "PREVIOUS_SPAM",
    "INVALID_TO_ADDRESS",
    "QUARANTINED_ADDRESS",
)
HARD_BOUNCES = ("UNKNOWN_USER", "POLICY", "SPAM", "DOMAIN_REPUTATION", "DNS_FAILURE")
SOFT_BOUNCES = ("MAILBOX_FULL", "TIMEOUT", "GREYLISTING", "TEMPORARY_PROBLEM")
BOUNCE_CATEGORIES = HARD_BOUNCES + SOFT_BOUNCES

# Stat codes: one byte per event, what it adds to the statistics.
(
    S_SELECTED,
    S_DROPPED,
    S_SENT,
    S_DEFERRED,
    S_DELIVERED,
    S_HARD,
    S_SOFT,
    S_OPEN_AGAIN,
    S_OPEN_COMPUTER,
    S_OPEN_MOBILE,
    S_OPEN_UNKNOWN,
    S_CLICK_AGAIN,
    S_CLICK_COMPUTER,
    S_CLICK_MOBILE,
    S_CLICK_UNKNOWN,
    S_SPAM,
    S_UNSUB,
) = range(17)
N_CODES = 17

_MINUTE = 60_000
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


@dataclass
class SendPlan:
    """One send (emailCampaignId) of a marketing email, as the data module plans it."""

    email_index: int
    email_campaign_id: int
    start_ms: int  # batch: when the send went out; automated: first enrolment
    spread_ms: int  # 0 for a batch send; automated sends enrol recipients over this span
    recipients: Sequence[int]  # indexes into the contact snapshot
    open_rate: float
    click_rate: float  # share of openers who click
    n_links: int
    end_ms: int  # nothing happens at or after this instant (the data anchor)


class EmailEventLog:
    """All events of all sends, sorted by time. Positions (``pos``) are stable for a seed."""

    def __init__(self, seed: int, plans: list[SendPlan]) -> None:
        self.seed = seed
        self.plans = plans
        self.send_index = {p.email_campaign_id: i for i, p in enumerate(plans)}
        created: list[int] = []
        types: list[int] = []
        sends: list[int] = []
        recips: list[int] = []
        details: list[int] = []
        codes: list[int] = []
        sent_ref: list[int] = []
        for s, plan in enumerate(plans):
            rng = random.Random(f"{seed}:events:{plan.email_campaign_id}")
            cols = (created, types, sends, recips, details, codes, sent_ref)
            for r in plan.recipients:
                _recipient_events(rng, plan, s, r, cols)
        order = sorted(range(len(created)), key=created.__getitem__)
        where = array("i", bytes(4 * len(order)))
        for new, old in enumerate(order):
            where[old] = new
        self.created = array("q", (created[i] for i in order))
        self.type = array("b", (types[i] for i in order))
        self.send = array("h", (sends[i] for i in order))
        self.recipient = array("i", (recips[i] for i in order))
        self.detail = array("i", (details[i] for i in order))
        self.sent_ref = array("i", (where[sent_ref[i]] if sent_ref[i] >= 0 else -1 for i in order))
        code_bytes = bytes(codes[i] for i in order)
        del created, types, sends, recips, details, codes, sent_ref, order, where
        # Per send: its positions, their times and their stat codes (all in time order).
        positions: list[array[int]] = [array("i") for _ in plans]
        for pos, s in enumerate(self.send):
            positions[s].append(pos)
        self.positions = positions
        self.send_created = [array("q", (self.created[p] for p in ps)) for ps in positions]
        self.send_codes = [bytes(code_bytes[p] for p in ps) for ps in positions]

    def __len__(self) -> int:
        return len(self.created)

    # -- statistics ---------------------------------------------------------------------------
    def code_counts(self, send: int, start_ms: int | None = None, end_ms: int | None = None) -> list[int]:
        """How many events of each stat code the send has in ``[start_ms, end_ms)``."""
        times = self.send_created[send]
        lo = 0 if start_ms is None else bisect.bisect_left(times, start_ms)
        hi = len(times) if end_ms is None else bisect.bisect_left(times, end_ms)
        if hi <= lo:
            return [0] * N_CODES
        chunk = self.send_codes[send][lo:hi]
        return [chunk.count(code) for code in range(N_CODES)]

    def type_counts(self, send: int) -> dict[str, int]:
        """All-time event counts per type (the legacy v1 campaign counters)."""
        counts = self.code_counts(send)
        return {
            "processed": counts[S_SELECTED],
            "dropped": counts[S_DROPPED],
            "sent": counts[S_SENT],
            "deferred": counts[S_DEFERRED],
            "delivered": counts[S_DELIVERED],
            "bounce": counts[S_HARD] + counts[S_SOFT],
            "open": sum(counts[S_OPEN_AGAIN : S_OPEN_UNKNOWN + 1]),
            "click": sum(counts[S_CLICK_AGAIN : S_CLICK_UNKNOWN + 1]),
            "spamreport": counts[S_SPAM],
            "statuschange": counts[S_UNSUB],
            "unsubscribed": counts[S_UNSUB],
        }

    def span(self, send: int) -> tuple[int, int] | None:
        """(first, last) event time of a send, or None when it has no events."""
        times = self.send_created[send]
        return (times[0], times[-1]) if times else None

    # -- lookups ------------------------------------------------------------------------------
    def window(self, start_ms: int | None, end_ms: int | None) -> tuple[int, int]:
        """Positions ``[lo, hi)`` of the events created in ``[start_ms, end_ms)``."""
        lo = 0 if start_ms is None else bisect.bisect_left(self.created, start_ms)
        hi = len(self.created) if end_ms is None else bisect.bisect_left(self.created, end_ms)
        return lo, max(lo, hi)

    def event_id(self, pos: int) -> str:
        """A stable UUID-shaped id for the event at ``pos`` (derived, not stored)."""
        h = hashlib.blake2b(f"{self.seed}:event:{pos}".encode(), digest_size=16).hexdigest()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _recipient_events(
    rng: random.Random, plan: SendPlan, s: int, r: int, cols: tuple[list[int], ...]
) -> None:
    """Append one recipient's events of one send to the column lists (times strictly increase)."""
    created, types, sends, recips, details, codes, sent_ref = cols

    def add(t: int, kind: int, detail: int, code: int, ref: int) -> int:
        created.append(t)
        types.append(kind)
        sends.append(s)
        recips.append(r)
        details.append(detail)
        codes.append(code)
        sent_ref.append(ref)
        return len(created) - 1

    t = plan.start_ms + (int(rng.random() * plan.spread_ms) if plan.spread_ms else rng.randrange(90_000))
    if t >= plan.end_ms:
        return
    add(t, PROCESSED, 0, S_SELECTED, -1)
    roll = rng.random()
    if roll < 0.012:
        add(t + 1 + rng.randrange(5_000), DROPPED, rng.randrange(len(DROP_REASONS)), S_DROPPED, -1)
        return
    t += 1 + rng.randrange(30_000)
    sent = add(t, SENT, 0, S_SENT, -1)
    if roll < 0.03:  # bounced: 70 % hard
        hard = rng.random() < 0.7
        category = (
            rng.randrange(len(HARD_BOUNCES)) if hard else len(HARD_BOUNCES) + rng.randrange(len(SOFT_BOUNCES))
        )
        add(t + 500 + rng.randrange(120_000), BOUNCE, category, S_HARD if hard else S_SOFT, sent)
        return
    if rng.random() < 0.04:
        t += 60_000 + rng.randrange(30 * _MINUTE)
        add(t, DEFERRED, 1, S_DEFERRED, sent)
    t += 500 + rng.randrange(60_000)
    add(t, DELIVERED, 0, S_DELIVERED, sent)
    end = plan.end_ms
    if rng.random() >= plan.open_rate:
        if rng.random() < 0.0005 and t + _HOUR < end:
            add(t + _HOUR + rng.randrange(3 * _DAY), SPAMREPORT, 0, S_SPAM, sent)
        return
    device = 0 if rng.random() < 0.52 else (1 if rng.random() < 0.88 else 2)
    # First open: mostly within hours, a long tail over days (expovariate, mean ~9 h).
    t_open = t + _MINUTE + int(rng.expovariate(1 / (9 * _HOUR)))
    n_opens = 1
    while rng.random() < 0.35 and n_opens < 6:
        n_opens += 1
    first_click = rng.random() < plan.click_rate
    open_times = sorted(t_open + (k and int(rng.expovariate(1 / (30 * _HOUR)))) for k in range(n_opens))
    events: list[tuple[int, int, int, int]] = []
    for k, when in enumerate(open_times):
        code = S_OPEN_COMPUTER + device if k == 0 else S_OPEN_AGAIN
        events.append((when, OPEN, device, code))
    if first_click:
        n_clicks = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
        t_click = t_open + 2_000 + rng.randrange(10 * _MINUTE)
        for k in range(n_clicks):
            when = t_click + k * (30_000 + rng.randrange(_HOUR))
            link = rng.randrange(max(1, plan.n_links))
            code = S_CLICK_COMPUTER + device if k == 0 else S_CLICK_AGAIN
            events.append((when, CLICK, device | (link << 2), code))
    if rng.random() < 0.004:
        events.append((t_open + 30_000 + rng.randrange(_DAY), STATUSCHANGE, 0, S_UNSUB))
    elif rng.random() < 0.0008:
        events.append((t_open + 60_000 + rng.randrange(_DAY), SPAMREPORT, 0, S_SPAM))
    events.sort()
    last = t
    for when, kind, detail, code in events:
        when = max(when, last + 1)  # keep strict order so first-open/first-click stay first
        if when >= end:
            break
        add(when, kind, detail, code, sent)
        last = when
