"""Rate limits, scope checks and latency, seen from a client over real HTTP."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from .stub_routes import with_stubs
from .tools import bearer_session

SMALL = {"contacts": 10, "companies": 2, "deals": 2, "tickets": 2}
RATE_HEADERS = (
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
    "X-HubSpot-RateLimit-Interval-Milliseconds",
)


@pytest.fixture
def stubbed(fresh_sandbox):
    def make(**options):
        sb = with_stubs(fresh_sandbox(**{**SMALL, **options}))
        token = sb.oauth_token(["oauth", "crm.objects.contacts.read"])["access_token"]
        session = bearer_session(token)
        return sb, session

    return make


def test_burst_window_headers_and_429(stubbed):
    sb, session = stubbed(burst=3, burst_window_ms=1000)
    remaining = []
    for _ in range(3):
        resp = session.get(f"{sb.base_url}/stub/records", timeout=10)
        assert resp.status_code == 200
        assert resp.headers["X-HubSpot-RateLimit-Max"] == "3"
        assert resp.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "1000"
        remaining.append(resp.headers["X-HubSpot-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]

    refused = session.get(f"{sb.base_url}/stub/records", timeout=10)
    assert refused.status_code == 429
    assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert "Retry-After" not in refused.headers  # unconfirmed for HubSpot: clients use the headers
    body = refused.json()
    assert body["status"] == "error" and body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["groupName"].startswith("publicapi:") and body["groupName"].endswith(str(sb.hub_id))
    assert body["correlationId"]

    time.sleep(1.05)  # the rolling window has moved on: refused requests did not count
    again = session.get(f"{sb.base_url}/stub/records", timeout=10)
    assert again.status_code == 200 and again.headers["X-HubSpot-RateLimit-Remaining"] == "2"
    stats = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert stats["rate_limited"] == {"TEN_SECONDLY_ROLLING": 1}
    assert stats["responses"]["429"] == 1


def test_each_install_has_its_own_bucket(stubbed):
    sb, session = stubbed(burst=2, burst_window_ms=10_000)
    other = sb.oauth_token(["crm.objects.contacts.read"])["access_token"]
    for _ in range(2):
        assert session.get(f"{sb.base_url}/stub/records", timeout=10).status_code == 200
    assert session.get(f"{sb.base_url}/stub/records", timeout=10).status_code == 429
    headers = {"Authorization": f"Bearer {other}"}
    assert requests.get(f"{sb.base_url}/stub/records", headers=headers, timeout=10).status_code == 200


def test_unlimited_by_default_and_no_rate_headers(stubbed):
    sb, session = stubbed()
    for _ in range(30):
        resp = session.get(f"{sb.base_url}/stub/records", timeout=10)
        assert resp.status_code == 200
    assert not any(h in resp.headers for h in RATE_HEADERS)


def test_search_has_its_own_secondly_limit_and_no_headers(stubbed):
    sb, session = stubbed(search_rps=2, burst=100)
    codes = [session.post(f"{sb.base_url}/stub/search", json={}, timeout=10) for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    for resp in codes:
        assert not any(h in resp.headers for h in RATE_HEADERS)
    body = codes[2].json()
    assert body["policyName"] == "SECONDLY" and body["message"] == "You have reached your secondly limit."
    # Search does not spend the burst allowance.
    assert (
        session.get(f"{sb.base_url}/stub/records", timeout=10).headers["X-HubSpot-RateLimit-Remaining"]
        == "99"
    )
    time.sleep(1.05)
    assert session.post(f"{sb.base_url}/stub/search", json={}, timeout=10).status_code == 200


def test_missing_scope_is_hubspots_403(stubbed):
    sb, _ = stubbed()
    token = sb.oauth_token(["oauth", "forms"])["access_token"]
    resp = requests.get(
        f"{sb.base_url}/stub/records", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert resp.status_code == 403
    body = resp.json()
    assert body["category"] == "MISSING_SCOPES"
    assert body["message"] == "This app hasn't been granted all required scopes to make this call."
    assert body["errors"] == [
        {
            "message": "One or more of the following scopes are required.",
            "context": {"requiredGranularScopes": ["crm.objects.contacts.read"]},
        }
    ]


def test_latency_is_slept_per_request_and_overlaps_across_connections(stubbed):
    sb, session = stubbed(latency_ms=200)
    started = time.monotonic()
    assert session.get(f"{sb.base_url}/stub/records", timeout=10).status_code == 200
    assert time.monotonic() - started >= 0.2
    token = session.headers["Authorization"]

    def one(_):
        return requests.get(f"{sb.base_url}/stub/records", headers={"Authorization": token}, timeout=10)

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        assert all(r.status_code == 200 for r in pool.map(one, range(8)))
    assert time.monotonic() - started < 0.2 * 8 / 2  # served concurrently, not one after another


def test_per_record_latency(stubbed):
    sb, session = stubbed(per_record_ms=3)
    started = time.monotonic()
    session.get(f"{sb.base_url}/stub/records", params={"n": 100}, timeout=10)
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    session.get(f"{sb.base_url}/stub/records", params={"n": 0}, timeout=10)
    assert time.monotonic() - started < 0.1


def test_control_endpoints_are_never_slowed_or_limited(stubbed):
    sb, _ = stubbed(latency_ms=300, burst=1)
    started = time.monotonic()
    for _ in range(5):
        assert requests.get(f"{sb.base_url}/_sandbox/health", timeout=10).status_code == 200
    assert time.monotonic() - started < 0.3


def test_the_real_crm_routes_are_guarded_too(fresh_sandbox):
    sb = fresh_sandbox(search_rps=1, burst=50, **SMALL)
    url = f"{sb.base_url}/crm/v3/objects/contacts"
    assert requests.get(url, timeout=10).status_code == 401
    narrow = sb.oauth_token(["oauth"])["access_token"]
    assert requests.get(url, headers={"Authorization": f"Bearer {narrow}"}, timeout=10).status_code == 403
    session = bearer_session(sb.oauth_token()["access_token"])
    listed = session.get(url, timeout=10)
    assert listed.status_code == 200 and listed.headers["X-HubSpot-RateLimit-Max"] == "50"
    searches = [session.post(f"{url}/search", json={"limit": 1}, timeout=10) for _ in range(2)]
    assert [r.status_code for r in searches] == [200, 429]
    assert searches[1].json()["policyName"] == "SECONDLY"
    assert not any(h in r.headers for r in searches for h in RATE_HEADERS)


# -- limits as HubSpot applies them (issue 13) ------------------------------------------------------
PAT = "pat-na1-11111111-2222-3333-4444-555555555555"
DAILY_HEADERS = ("X-HubSpot-RateLimit-Daily", "X-HubSpot-RateLimit-Daily-Remaining")


def _token_call(sb, version="2026-03"):
    """A refused (400) call to the token endpoint: it still counts toward the endpoint's limit."""
    return requests.post(f"{sb.base_url}/oauth/{version}/token", data={"grant_type": "password"}, timeout=10)


def _stats(sb):
    return requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()


def test_token_endpoint_is_rate_limited_with_retry_after(fresh_sandbox):
    sb = fresh_sandbox(token_rps=1, token_burst=2, **SMALL)
    access = sb.oauth_token(["oauth"])["access_token"]  # the exchange spends one of the two calls
    assert _token_call(sb).status_code == 400
    refused = _token_call(sb, "v1")  # every token endpoint shares the one bucket
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"  # whole seconds, as HubSpot's are reported
    body = refused.json()
    assert body["message"] == "You have reached your rate limit."
    assert body["status"] == "error" and body["errorType"] == "RATE_LIMIT" and "category" not in body
    introspect = requests.post(
        f"{sb.base_url}/oauth/2026-03/token/introspect",
        data={"token": access, "client_id": sb.client_id, "client_secret": sb.client_secret},
        timeout=10,
    )
    assert introspect.status_code == 429
    # API calls do not spend the token endpoints' allowance.
    details = requests.get(
        f"{sb.base_url}/account-info/v3/details", headers={"Authorization": f"Bearer {access}"}, timeout=10
    )
    assert details.status_code == 200
    time.sleep(float(refused.headers["Retry-After"]))
    assert _token_call(sb).status_code == 400  # waited as told: through (refused calls did not count)
    assert _stats(sb)["rate_limited"] == {"TOKEN_ENDPOINT": 2}


def test_token_endpoint_429_without_retry_after_when_set(fresh_sandbox):
    sb = fresh_sandbox(token_rps=1, token_burst=1, token_retry_after=False, **SMALL)
    assert _token_call(sb).status_code == 400
    refused = _token_call(sb)
    assert refused.status_code == 429 and "Retry-After" not in refused.headers
    assert refused.json()["message"] == "You have reached your rate limit."


def test_token_endpoint_unlimited_in_fast_limited_in_hubspot_profile(fresh_sandbox):
    from hubspot_nb.sandbox.config import make_config

    assert make_config("fast").token_rps == 0
    assert make_config("hubspot").token_rps > 0 and make_config("hubspot").token_burst >= 5
    sb = fresh_sandbox(**SMALL)
    assert all(_token_call(sb).status_code == 400 for _ in range(30))
    requests.post(f"{sb.base_url}/_sandbox/config", json={"token_rps": 1, "token_burst": 1}, timeout=10)
    assert [_token_call(sb).status_code for _ in range(2)] == [400, 429]  # turned on: starts full


def test_search_limit_is_shared_by_every_token_of_the_portal(fresh_sandbox):
    sb = fresh_sandbox(search_rps=4, burst=100, private_tokens=[PAT], **SMALL)
    tokens = [sb.oauth_token()["access_token"], sb.oauth_token()["access_token"], PAT]  # 2 installs + PAT
    barrier = threading.Barrier(12)

    def search(token):
        barrier.wait()
        return requests.post(
            f"{sb.base_url}/crm/v3/objects/contacts/search",
            json={"limit": 1},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    started = time.monotonic()
    with ThreadPoolExecutor(12) as pool:
        replies = list(pool.map(search, tokens * 4))
    assert time.monotonic() - started < 0.9  # all within one second: one window
    codes = [r.status_code for r in replies]
    assert codes.count(200) == 4 and codes.count(429) == 8  # per token it would be 4 each: 12 × 200
    assert {r.json()["policyName"] for r in replies if r.status_code == 429} == {"SECONDLY"}
    assert _stats(sb)["rate_limited"] == {"SECONDLY": 8}
    # The burst windows stay per install.
    assert (
        requests.get(
            f"{sb.base_url}/crm/v3/objects/contacts",
            headers={"Authorization": f"Bearer {tokens[0]}"},
            timeout=10,
        ).headers["X-HubSpot-RateLimit-Remaining"]
        == "99"
    )


def test_daily_headers_for_static_credentials_only(fresh_sandbox):
    sb = fresh_sandbox(burst=100, private_tokens=[PAT], **SMALL)
    url = f"{sb.base_url}/crm/v3/objects/contacts"
    static = bearer_session(PAT)
    first, second = static.get(url, timeout=10), static.get(url, timeout=10)
    assert first.headers["X-HubSpot-RateLimit-Daily"] == "625000"  # Professional's daily allowance
    assert first.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "624999"
    assert second.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "624998"
    assert all(h in first.headers for h in RATE_HEADERS)
    searched = static.post(f"{url}/search", json={"limit": 1}, timeout=10)
    assert searched.status_code == 200
    assert not any(h in searched.headers for h in (*RATE_HEADERS, *DAILY_HEADERS))  # search: no headers
    assert static.get(url, timeout=10).headers["X-HubSpot-RateLimit-Daily-Remaining"] == "624996"
    oauth = requests.get(
        url, headers={"Authorization": f"Bearer {sb.oauth_token()['access_token']}"}, timeout=10
    )
    assert oauth.status_code == 200 and all(h in oauth.headers for h in RATE_HEADERS)
    assert not any(h in oauth.headers for h in DAILY_HEADERS)  # never on OAuth calls


def test_daily_limit_exhausted_is_a_daily_429(fresh_sandbox):
    sb = fresh_sandbox(daily_limit=3, private_tokens=[PAT], **SMALL)
    url = f"{sb.base_url}/crm/v3/objects/contacts"
    static = bearer_session(PAT)
    left = [static.get(url, timeout=10).headers["X-HubSpot-RateLimit-Daily-Remaining"] for _ in range(3)]
    assert left == ["2", "1", "0"]
    refused = static.get(url, timeout=10)
    assert refused.status_code == 429
    assert refused.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    assert "Retry-After" not in refused.headers
    body = refused.json()
    assert body["policyName"] == "DAILY" and body["message"] == "You have reached your daily limit."
    assert body["errorType"] == "RATE_LIMIT" and "category" not in body
    assert static.post(f"{url}/search", json={}, timeout=10).json()["policyName"] == "DAILY"
    oauth = requests.get(
        url, headers={"Authorization": f"Bearer {sb.oauth_token()['access_token']}"}, timeout=10
    )
    assert oauth.status_code == 200  # OAuth calls are outside the daily allowance
    assert _stats(sb)["rate_limited"] == {"DAILY": 2}
    requests.post(f"{sb.base_url}/_sandbox/config", json={"daily_limit": 5}, timeout=10)
    again = static.get(url, timeout=10)  # refused calls did not count: 3 of 5 used
    assert again.status_code == 200 and again.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "1"
    requests.post(f"{sb.base_url}/_sandbox/config", json={"daily_limit": 0}, timeout=10)
    assert not any(h in static.get(url, timeout=10).headers for h in DAILY_HEADERS)


def test_the_day_ends_at_midnight_account_time():
    from datetime import datetime, timezone

    from hubspot_nb.sandbox.limits import account_day

    def at(text):
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()

    # US/Eastern: midnight is 05:00 UTC in winter, 04:00 UTC in summer.
    assert account_day(at("2027-01-15T04:59:59")) != account_day(at("2027-01-15T05:00:00"))
    assert account_day(at("2027-01-15T05:00:00")) == account_day(at("2027-01-16T04:59:59"))
    assert account_day(at("2027-07-15T03:59:59")) != account_day(at("2027-07-15T04:00:00"))
