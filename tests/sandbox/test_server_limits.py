"""Rate limits, scope checks and latency, seen from a client over real HTTP."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from .stub_routes import with_stubs

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
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
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
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sb.oauth_token()['access_token']}"
    listed = session.get(url, timeout=10)
    assert listed.status_code == 200 and listed.headers["X-HubSpot-RateLimit-Max"] == "50"
    searches = [session.post(f"{url}/search", json={"limit": 1}, timeout=10) for _ in range(2)]
    assert [r.status_code for r in searches] == [200, 429]
    assert searches[1].json()["policyName"] == "SECONDLY"
    assert not any(h in r.headers for r in searches for h in RATE_HEADERS)
