"""HubSpotClient and send() over real HTTP against the sandbox: retries, limits, refresh, errors."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
import requests
from helpers import configure, in_threads, stats

from hubspot_nb.auth.token import Token
from hubspot_nb.errors import MissingScopes, NetworkError
from hubspot_nb.http.client import HubSpotClient, send
from hubspot_nb.sandbox import Sandbox

DETAILS = "/account-info/v3/details"  # a burst-limited endpoint any valid token may call


def oauth(sb: Sandbox, scopes: list[str] | None = None) -> Token:
    return Token.from_response(
        sb.oauth_token(scopes),
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        api_base=sb.base_url,
        token_endpoint="2026-03",
    )


def test_get_returns_parsed_json_and_tracks_usage(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(burst=50)
    client = HubSpotClient(oauth(sb), sb.base_url)
    body = client.get(DETAILS)
    assert body["portalId"] == sb.hub_id
    assert client.api_usage["max"] == "50"
    assert int(client.api_usage["remaining"]) <= 49
    assert client.burst_limiter.learned and client.burst_limiter.max_calls == 48


@pytest.mark.slow
def test_faults_are_retried_until_every_call_succeeds(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox()
    client = HubSpotClient(oauth(sb), sb.base_url, max_retries=8)
    configure(sb, fault_rate=0.4, fault_kinds=["429_secondly", "502", "503", "drop", "truncate"])
    bodies = [client.get(DETAILS) for _ in range(30)]
    assert all(b["portalId"] == sb.hub_id for b in bodies)
    faults = stats(sb)["faults"]
    assert sum(faults.values()) >= 5, faults  # the run really went through faults
    assert {"drop", "truncate", "502"} <= set(faults), faults
    assert client.api_usage["retried"] >= 5


def test_send_raises_network_error_when_nobody_listens() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        send(requests.Session(), "GET", f"http://127.0.0.1:{port}/x", max_retries=2)
    assert "after 3 attempts" in str(info.value) and "run the cell again" in str(info.value)
    assert time.monotonic() - started < 10


@pytest.mark.slow
def test_limiter_keeps_concurrent_callers_under_a_small_burst(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(burst=8, burst_window_ms=1000)
    client = HubSpotClient(oauth(sb), sb.base_url)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(6):
                client.get(DETAILS)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    started = time.monotonic()
    in_threads(worker, [()] * 6)
    elapsed = time.monotonic() - started
    assert not errors
    assert stats(sb)["rate_limited"] == {}  # zero 429s
    assert client.api_usage["rate_limited"] == 0
    assert elapsed >= 36 / 8 - 1.5  # 36 calls at <= 6 per second cannot be faster


@pytest.mark.slow
def test_a_new_client_on_a_busy_token_learns_from_the_headers(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(burst=10, burst_window_ms=2000)
    token = oauth(sb)
    first = HubSpotClient(token, sb.base_url)
    for _ in range(7):
        first.get(DETAILS)
    second = HubSpotClient(token, sb.base_url)  # knows nothing of the first client's calls
    for _ in range(8):
        second.get(DETAILS)
    assert stats(sb)["rate_limited"] == {}


def test_expired_token_is_refreshed_once_and_the_call_retried(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox()
    token = oauth(sb)
    client = HubSpotClient(token, sb.base_url)
    client.get(DETAILS)
    before = token.access_token
    assert requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10).status_code == 200
    assert client.get(DETAILS)["portalId"] == sb.hub_id
    assert token.access_token != before
    assert token.refresh_count == 1
    assert stats(sb)["refreshes"] == 1


@pytest.mark.slow
def test_short_token_lifetime_refreshes_during_a_series_of_calls(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(token_lifetime_s=1.5)
    token = oauth(sb)
    client = HubSpotClient(token, sb.base_url)
    deadline = time.monotonic() + 4
    calls = 0
    while time.monotonic() < deadline:
        client.get(DETAILS)
        calls += 1
        time.sleep(0.1)
    assert calls >= 20
    assert stats(sb)["refreshes"] >= 2


def test_missing_scope_names_the_scope_and_says_to_log_in_again(sandbox: Sandbox) -> None:
    token = oauth(sandbox, ["oauth"])
    client = HubSpotClient(token, sandbox.base_url)
    with pytest.raises(MissingScopes) as info:
        client.get("/crm/v3/objects/contacts", {"limit": 1})
    text = str(info.value)
    assert "crm.objects.contacts.read" in text and "log in again" in text
    assert token.access_token not in text


def test_cursor_pages_follow_paging_next_after(sandbox: Sandbox, sandbox_token: dict[str, Any]) -> None:
    token = Token(sandbox_token["access_token"], kind="private-app")
    client = HubSpotClient(token, sandbox.base_url)
    ids: list[str] = []
    pages = 0
    for page in client.pages("/crm/v3/objects/companies", {"limit": 50}):
        pages += 1
        ids.extend(r["id"] for r in page["results"])
    expected = sandbox.portal.store("companies").ids()
    assert ids == expected
    assert pages == -(-len(expected) // 50)


def test_offset_pages_token_and_has_more_style(sandbox: Sandbox, sandbox_token: dict[str, Any]) -> None:
    client = HubSpotClient(Token(sandbox_token["access_token"], kind="private-app"), sandbox.base_url)
    window = {"startTimestamp": 0, "endTimestamp": int(time.time() * 1000)}
    paged: list[str] = []
    pages = 0
    for page in client.offset_pages(
        "/email/public/v1/events", {**window, "limit": 200, "eventType": "CLICK"}
    ):
        pages += 1
        paged.extend(e["id"] for e in page["events"])
    # the same events in pages of 1000, fetched by hand
    direct: list[str] = []
    params: dict[str, Any] = {**window, "limit": 1000, "eventType": "CLICK"}
    headers = {"Authorization": f"Bearer {sandbox_token['access_token']}"}
    while True:
        body = requests.get(f"{sandbox.base_url}/email/public/v1/events", params=params, headers=headers,
                            timeout=30).json()  # fmt: skip
        direct.extend(e["id"] for e in body["events"])
        if not body["hasMore"]:
            break
        params["offset"] = body["offset"]
    assert len(direct) > 400 and pages > 2
    assert paged == direct


def test_offset_pages_numeric_offset_and_total_style(sandbox: Sandbox, sandbox_token: dict[str, Any]) -> None:
    client = HubSpotClient(Token(sandbox_token["access_token"], kind="private-app"), sandbox.base_url)
    params = {"start": "20240101", "end": "20251231", "limit": 3}
    rows = []
    for page in client.offset_pages("/analytics/v2/reports/sources/total", params, has_more_key=None,
                                    total_key="total", results_key="breakdowns"):  # fmt: skip
        rows.extend(page["breakdowns"])
    whole = client.get("/analytics/v2/reports/sources/total", {**params, "limit": 1000})
    assert len(rows) == whole["total"] > 3
    assert rows == whole["breakdowns"]


@pytest.mark.slow
def test_two_hubs_of_one_portal_share_the_search_limit(fresh_sandbox: Any) -> None:
    # HubSpot counts search per account: two logins (two tokens) of one portal, searching at once,
    # must stay under 5 per second together, not 5 each.
    from helpers import login

    sb = fresh_sandbox(contacts=1600, search_rps=5)
    hub_a, hub_b = login(sb), login(sb)
    assert hub_a.token.access_token != hub_b.token.access_token
    assert hub_a.client.search_limiter is hub_b.client.search_limiter
    frames: dict[str, Any] = {}
    barrier = threading.Barrier(2)

    def pull(name: str, hub: Any) -> None:
        barrier.wait()
        frames[name] = hub.search("contacts", filters={"createdate__gte": "2000-01-01"})

    started = time.monotonic()
    in_threads(pull, [("a", hub_a), ("b", hub_b)])
    elapsed = time.monotonic() - started
    assert len(frames["a"]) == len(frames["b"]) > 1500  # (a few contacts lack a createdate)
    seen = stats(sb)
    searches = sum(n for route, n in seen["requests"].items() if route.endswith("/search"))
    assert searches >= 16  # 8 pages of 200 each …
    assert elapsed >= (searches - 5) / 5  # … more than 5 per second would have sent
    assert seen["rate_limited"].get("SECONDLY", 0) == 0
    assert hub_a.client.api_usage["rate_limited"] == hub_b.client.api_usage["rate_limited"] == 0


def test_search_limiter_per_portal_not_per_token_object(sandbox: Any, sandbox_token: Any) -> None:
    from hubspot_nb.http.ratelimit import portal_search_limiter

    one = HubSpotClient(oauth(sandbox), sandbox.base_url)
    two = HubSpotClient(oauth(sandbox), sandbox.base_url + "/")
    assert one.search_limiter is two.search_limiter
    unknown = HubSpotClient(Token(sandbox_token["access_token"], kind="private-app"), sandbox.base_url)
    assert unknown.search_limiter is not one.search_limiter  # portal not known: its own limiter
    other_host = portal_search_limiter("http://elsewhere.invalid", sandbox.hub_id, None, 5)
    assert other_host is not one.search_limiter
    pinned = HubSpotClient(oauth(sandbox), sandbox.base_url, search_rps=3)  # a configured limit wins
    assert pinned.search_limiter is one.search_limiter and one.search_limiter.max_calls == 3
