"""The marketing data module on its own: determinism, life-cycle invariants, scale and speed.

A tiny contact store stands in for the CRM's ObjectStore (same two methods) so sizes can be pushed far
beyond what the HTTP tests use."""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from hubspot_nb.sandbox.config import make_config
from hubspot_nb.sandbox.marketing import _email_events as ev
from hubspot_nb.sandbox.marketing._data import anchor_for, build_marketing
from hubspot_nb.sandbox.marketing._json import email_counts, statistics


class _Contacts:
    def __init__(self, n: int) -> None:
        self.n = n

    def ids(self) -> list[str]:
        return [str(i) for i in range(1, self.n + 1)]

    def value(self, record_id: str, name: str) -> str | None:
        if name == "email":
            return None if int(record_id) % 50 == 0 else f"person{record_id}@example.com"
        return f"{name}-{record_id}"


class _Portal:
    def __init__(self, n: int) -> None:
        self.contacts = _Contacts(n)

    def store(self, name: str) -> _Contacts:
        assert name == "contacts"
        return self.contacts


def _build(seed: int = 7, contacts: int = 500, **sizes: int):
    return build_marketing(make_config(seed=seed, **sizes), _Portal(contacts), hub_id=1234)


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = _build(), _build(), _build(seed=8)
    assert [(e.id, e.name, e.published_ms) for e in a.emails] == [
        (e.id, e.name, e.published_ms) for e in b.emails
    ]
    assert [x.id for x in a.campaigns] == [x.id for x in b.campaigns]
    assert [f.id for f in a.forms] == [f.id for f in b.forms]
    assert a.events.created == b.events.created and a.events.type == b.events.type
    assert a.events.event_id(17) == b.events.event_id(17)
    assert [e.id for e in a.emails] != [e.id for e in c.emails]
    assert a.anchor == anchor_for(7) and c.anchor != a.anchor


def test_sizes_follow_config_and_everything_happens_before_the_anchor() -> None:
    md = _build(emails=25, campaigns=5, forms=4)
    assert (len(md.emails), len(md.campaigns), len(md.forms)) == (25, 5, 4)
    log = md.events
    assert len(log) > 0
    assert md.start_ms <= log.created[0] and log.created[-1] < md.anchor_ms
    assert list(log.created) == sorted(log.created)
    assert all(e.created_ms < md.anchor_ms and e.updated_ms < md.anchor_ms for e in md.emails)
    drafts = [e for e in md.emails if not e.is_published]
    assert drafts and all(e.published_ms is None for e in drafts)
    assert not any(
        md.email_by_send[log.plans[s].email_campaign_id].published_ms is None for s in set(log.send)
    )


def test_each_recipient_follows_the_email_life_cycle() -> None:
    md = _build(contacts=300)
    log = md.events
    streams: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pos in range(len(log)):
        streams[(log.send[pos], log.recipient[pos])].append(pos)
    for positions in streams.values():
        kinds = [log.type[p] for p in positions]
        assert kinds[0] == ev.PROCESSED
        if len(kinds) > 1 and kinds[1] == ev.DROPPED:
            assert len(kinds) == 2
            continue
        if len(kinds) == 1:
            continue  # the anchor cut the stream right after processing
        assert kinds[1] == ev.SENT
        sent = positions[1]
        assert all(log.sent_ref[p] == sent for p in positions[2:])
        if ev.BOUNCE in kinds:
            assert ev.DELIVERED not in kinds and ev.OPEN not in kinds
        if ev.OPEN in kinds or ev.CLICK in kinds:
            assert kinds.index(ev.DELIVERED) < kinds.index(ev.OPEN)
        if ev.CLICK in kinds:
            assert kinds.index(ev.OPEN) < kinds.index(ev.CLICK)


def test_statistics_are_the_events_counted() -> None:
    md = _build(contacts=400)
    log = md.events
    for email in md.emails:
        sends = {log.send_index[k] for k in email.email_campaign_ids if k in log.send_index}
        positions = [p for p in range(len(log)) if log.send[p] in sends]
        by_type = Counter(ev.TYPES[log.type[p]] for p in positions)
        openers = {(log.send[p], log.recipient[p]) for p in positions if log.type[p] == ev.OPEN}
        clickers = {(log.send[p], log.recipient[p]) for p in positions if log.type[p] == ev.CLICK}
        stats = statistics(email_counts(md, email, None, None))
        counters = stats["counters"]
        assert counters["sent"] == by_type["SENT"]
        assert counters["delivered"] == by_type["DELIVERED"]
        assert counters["bounce"] == by_type["BOUNCE"] == counters["hardbounced"] + counters["softbounced"]
        assert counters["dropped"] == by_type["DROPPED"]
        assert counters["selected"] == by_type["PROCESSED"]
        assert counters["spamreport"] == by_type["SPAMREPORT"]
        assert counters["unsubscribed"] == by_type["STATUSCHANGE"]
        assert counters["open"] == len(openers)
        assert counters["click"] == len(clickers)
        assert sum(stats["deviceBreakdown"]["open_device_type"].values()) == counters["open"]
        assert sum(stats["deviceBreakdown"]["click_device_type"].values()) == counters["click"]
        if counters["delivered"]:
            assert abs(stats["ratios"]["openratio"] - 100 * counters["open"] / counters["delivered"]) < 1e-3
            assert 5 < stats["ratios"]["openratio"] < 70  # realistic open rates


def test_stats_of_adjacent_windows_add_up() -> None:
    md = _build(contacts=300)
    log = md.events
    email = next(e for e in md.emails if e.type == "BATCH_EMAIL" and e.published_ms is not None)
    first, _ = log.span(log.send_index[email.email_campaign_ids[0]])
    middle = first + 6 * 3_600_000
    whole = email_counts(md, email, None, None)
    early, late = email_counts(md, email, None, middle), email_counts(md, email, middle, None)
    assert [a + b for a, b in zip(early, late, strict=True)] == whole
    assert 0 < sum(early) < sum(whole)


def test_a_big_portal_builds_fast_and_small() -> None:
    """300 emails over 20,000 contacts: hundreds of thousands of events in a couple of seconds."""
    md = _build(contacts=20_000, emails=300, campaigns=40, forms=20)
    started = time.process_time()  # CPU time: other test runs on the machine do not count
    log = md.events
    took = time.process_time() - started
    assert len(log) > 100_000
    assert took < 6.0, f"building {len(log)} events took {took:.2f}s of CPU"
    # columnar storage: well under 100 bytes an event (arrays + per-send copies)
    per_event = sum(a.itemsize * len(a) for a in (log.created, log.type, log.send, log.recipient, log.detail))
    assert per_event / len(log) < 30
    assert sum(len(s) for s in md.submissions.values()) > 4_000
