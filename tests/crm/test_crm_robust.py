"""CRM pulls under faults, tight rate limits, expiring tokens and very long property lists."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from typing import Any

import pandas as pd
import pytest
import requests
from helpers import configure, make_hub, stats

from hubspot_nb.http.client import DEFAULT_URL_BUDGET
from hubspot_nb.hub import Hub


def pulls(hub: Hub) -> dict[str, Any]:
    """The pulls compared with and without injected faults."""
    return {
        "default": hub.contacts(),
        "all": hub.contacts(properties="all"),
        "search": hub.search("contacts", filters={"lifecyclestage__in": ["lead", "customer"]}),
        "deals": hub.deals(associations=["companies"]),
    }


@pytest.mark.slow
def test_faults_change_nothing_in_the_frames(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(contacts=700, custom_properties=60)
    clean = pulls(make_hub(sb))
    configure(sb, fault_rate=0.15)
    faulty = pulls(make_hub(sb))
    faults = stats(sb)["faults"]
    assert sum(faults.values()) >= 10, faults
    assert len(set(faults)) >= 3, faults  # several kinds: 429s, 5xx, drops, truncated bodies
    for key, frame in clean.items():
        pd.testing.assert_frame_equal(faulty[key], frame, obj=key)


@pytest.mark.slow
def test_properties_all_never_hits_414_however_many(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(contacts=300, custom_properties=1500)
    hub = make_hub(sb)
    names = list(hub.properties("contacts")["name"])
    joined = ",".join(names)
    assert len(joined) > 16_000  # one request would be refused with 414
    frame = hub.contacts(properties="all", limit=250)  # list paging: names split into chunks
    assert set(names) <= set(frame.columns) and len(frame) == 250
    full = hub.contacts(properties="all")
    assert set(names) <= set(full.columns)
    assert len(full) == len(sb.portal.store("contacts").ids())
    seen = stats(sb)
    assert "URI too long" not in seen["requests"]
    assert seen["responses"].get("414", 0) == 0


def test_a_lower_url_limit_is_learned_from_its_first_414(fresh_sandbox: Any) -> None:
    """HubSpot's URL limit is unconfirmed (~16k measured, ~8 KB in one report). Under 8,192 the
    first list page's groups get 414s; the client builds smaller groups from then on, asks for the
    page again, and the frame is the one a 16,000-character limit gives."""
    frames, refused, budgets = {}, {}, {}
    for limit in (16_000, 8_192):
        sb = fresh_sandbox(contacts=250, max_url_length=limit)
        hub = make_hub(sb)
        frames[limit] = hub.contacts(properties="all")
        refused[limit] = stats(sb)["responses"].get("414", 0)
        budgets[limit] = hub.client.url_budget
    assert refused[16_000] == 0 and budgets[16_000] == DEFAULT_URL_BUDGET
    assert 1 <= refused[8_192] <= 4  # the first page's groups, once per list chain at most
    assert budgets[8_192] < 8_192
    pd.testing.assert_frame_equal(frames[8_192], frames[16_000])


@pytest.mark.slow
def test_the_default_portal_needs_the_split_for_all_properties(fresh_sandbox: Any) -> None:
    """HubSpot's own catalogue and 150 custom properties (the defaults): all names in one list URL
    would be over 16,000 characters, so every all-properties pull goes through split-and-merge."""
    sb = fresh_sandbox(contacts=250)
    hub = make_hub(sb)
    names = list(hub.properties("contacts")["name"])
    assert len(",".join(names).replace(",", "%2C")) > 16_000
    before = stats(sb)["requests"].get("GET /crm/objects/2026-09/{object_type}", 0)
    # limit= every record: plain list paging, so each page is listed (a full pull's search stream
    # takes a timing-dependent share of the pages, which made the count below race).
    frame = hub.contacts(properties="all", limit=len(sb.portal.store("contacts").ids()))
    seen = stats(sb)
    lists = seen["requests"].get("GET /crm/objects/2026-09/{object_type}", 0) - before
    pages = -(-len(frame) // 100)
    assert lists >= 2 * pages  # several list requests per page of records: the names were split
    assert seen["responses"].get("414", 0) == 0
    assert set(names) <= set(frame.columns) and len(frame) == len(sb.portal.store("contacts").ids())


@pytest.mark.slow
def test_tight_limits_give_zero_429s(fresh_sandbox: Any, monkeypatch: Any) -> None:
    # The burst limit is learned from HubSpot's headers; search sends none, so it is configured.
    monkeypatch.setenv("HUBSPOT_NB_SEARCH_RPS", "3")
    sb = fresh_sandbox(contacts=1500, burst=12, burst_window_ms=1000, search_rps=3, custom_properties=40)
    hub = make_hub(sb)
    frame = hub.contacts(properties="all")
    assert len(frame) == len(sb.portal.store("contacts").ids())
    hub.search("contacts", filters={"lifecyclestage": "lead"})
    assert stats(sb)["rate_limited"] == {}
    assert hub.client.api_usage["rate_limited"] == 0


@pytest.mark.slow
def test_tokens_expiring_mid_pull_are_refreshed(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(contacts=1500, latency_ms=60)
    expected = make_hub(sb).contacts()
    hub = make_hub(sb)
    stop = threading.Event()

    def expire_once_mid_pull() -> None:
        # One shot: every request in flight then gets 401 EXPIRED_AUTHENTICATION, refreshes
        # (single-flight) and retries once with the new token.
        if not stop.wait(0.3):
            requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10)

    before = stats(sb)["refreshes"]
    expirer = threading.Thread(target=expire_once_mid_pull)
    expirer.start()
    try:
        started = time.monotonic()
        frame = hub.contacts()
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        expirer.join()
    assert elapsed > 0.4  # the expirer fired during the pull
    assert stats(sb)["refreshes"] - before == 1  # single-flight: one refresh for all threads
    assert stats(sb)["responses"].get("401", 0) >= 1  # the 401 path really ran
    pd.testing.assert_frame_equal(frame, expected)


PROGRESS_SCRIPT = """
import sys
from hubspot_nb.auth.token import Token
from hubspot_nb.hub import Hub
hub = Hub(Token(sys.argv[2], kind="private-app"), api_base=sys.argv[1])
hub.contacts(limit=1000)
"""


@pytest.mark.slow
def test_progress_bar_on_long_pulls_and_silenced_by_env(fresh_sandbox: Any) -> None:
    """In a terminal (a fresh interpreter, as a user runs it) a pull of several seconds shows tqdm's
    text bar on stderr; ``HUBSPOT_NB_PROGRESS=0`` silences it. ``limit=`` pages the list one page
    after another: ten round trips of 0.3 s, well past the bar's 1 s delay."""
    token = "pat-na1-00000000-progress-bar"
    sb = fresh_sandbox(contacts=1500, latency_ms=300, private_tokens=[token])

    def stderr_of(**env: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", PROGRESS_SCRIPT, sb.base_url, token],
            capture_output=True, text=True, timeout=120, env={**os.environ, **env},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stderr

    shown = stderr_of()
    assert "contacts" in shown and "rec" in shown  # tqdm's text bar (a widget in notebooks)
    assert "contacts" not in stderr_of(HUBSPOT_NB_PROGRESS="0")
