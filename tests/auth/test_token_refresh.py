"""Token refresh against the sandbox with short real lifetimes: ahead of expiry, after a 401, single
flight across 16 threads and across 2 processes, rotated refresh tokens, and dead refresh tokens."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from helpers import SMALL, configure, in_threads, login, stats

import hubspot_nb as hnb
from hubspot_nb.auth.cache import TokenCache


def call_api(sb, token: hnb.Token) -> int:
    """One API call the way the client makes it: bearer(), and on a 401 EXPIRED_AUTHENTICATION
    refresh(stale=<what was sent>) and retry once."""
    url = f"{sb.base_url}/account-info/v3/details"
    sent = token.bearer()
    resp = requests.get(url, headers={"Authorization": f"Bearer {sent}"}, timeout=10)
    if resp.status_code == 401 and resp.json().get("category") == "EXPIRED_AUTHENTICATION":
        token.refresh(stale=sent)
        resp = requests.get(url, headers={"Authorization": f"Bearer {token.bearer()}"}, timeout=10)
    return resp.status_code


@pytest.mark.slow
def test_refreshes_ahead_of_expiry_with_a_short_lifetime(fresh_sandbox):
    sb = fresh_sandbox(token_lifetime_s=2, **SMALL)
    token = login(sb).token
    assert token.leeway == 1.0  # half of a 2 s lifetime, not 5 minutes
    first = token.bearer()
    assert stats(sb)["refreshes"] == 0
    time.sleep(1.2)  # inside the leeway: the next bearer() refreshes first
    second = token.bearer()
    assert second != first
    assert stats(sb)["refreshes"] == 1
    assert token.refresh_count == 1
    time.sleep(1.0)  # the first token is now really expired at the sandbox
    assert call_api(sb, token) == 200
    old = requests.get(
        f"{sb.base_url}/account-info/v3/details", headers={"Authorization": f"Bearer {first}"}, timeout=10
    )
    assert old.status_code == 401 and old.json()["category"] == "EXPIRED_AUTHENTICATION"


def test_sixteen_threads_finding_it_expired_refresh_once(fresh_sandbox):
    sb = fresh_sandbox(token_lifetime_s=2, **SMALL)
    token = login(sb).token
    time.sleep(1.1)
    barrier = threading.Barrier(16)
    seen: list[str] = []

    def worker():
        barrier.wait()
        seen.append(token.bearer())

    in_threads(worker, [()] * 16)
    assert len(seen) == 16 and len(set(seen)) == 1
    assert stats(sb)["refreshes"] == 1


def test_sixteen_threads_hit_by_401_refresh_once(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)  # 30-minute tokens: only the server knows they died
    token = login(sb).token
    assert requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10).status_code == 200
    barrier = threading.Barrier(16)
    codes: list[int] = []

    def worker():
        barrier.wait()
        codes.append(call_api(sb, token))

    in_threads(worker, [()] * 16)
    assert codes == [200] * 16
    assert stats(sb)["refreshes"] == 1


PROCESS_SCRIPT = r"""
import sys, time, hubspot_nb as hnb
hub = hnb.connect(cache_dir=sys.argv[1])
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
print(hub.token.bearer())
"""


@pytest.mark.slow
def test_two_processes_sharing_the_cache_refresh_once(fresh_sandbox, tmp_path):
    sb = fresh_sandbox(token_lifetime_s=4, **SMALL)
    store = TokenCache(tmp_path / "cache")
    hub = login(sb, cache=store)
    before = hub.token.access_token
    due = time.time() + 2.3  # past the 2 s leeway of a 4 s token: both processes find it due
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PROCESS_SCRIPT, str(store.directory), str(due)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    tokens = {out.strip() for out, _ in outputs}
    assert len(tokens) == 1 and before not in tokens
    assert stats(sb)["refreshes"] == 1
    record = json.loads(store.path(sb.client_id, sb.hub_id).read_text())
    assert record["access_token"] in tokens  # the cache holds the token both processes use
    # and this process adopts it instead of refreshing a third time
    time.sleep(max(0.0, due - time.time()))
    hub.token.refresh(stale=before)
    assert hub.token.access_token in tokens
    assert stats(sb)["refreshes"] == 1


def test_rotated_refresh_token_is_saved_and_used(fresh_sandbox, tmp_path):
    sb = fresh_sandbox(rotate_refresh_tokens=True, **SMALL)
    store = TokenCache(tmp_path)
    token = login(sb, cache=store).token
    first_rt = token.to_record()["refresh_token"]
    token.refresh()
    saved = store.load(sb.client_id, sb.hub_id)
    assert saved["refresh_token"] != first_rt
    assert saved["access_token"] == token.access_token
    # The old refresh token is dead at the sandbox; a new process using the cache still refreshes.
    later = hnb.connect(cache_dir=tmp_path).token
    later.refresh()
    assert stats(sb)["refreshes"] == 2


def test_revoked_refresh_token_raises_refresh_failed_and_clears_the_cache(fresh_sandbox, tmp_path):
    sb = fresh_sandbox(**SMALL)
    store = TokenCache(tmp_path)
    token = login(sb, cache=store).token
    refresh_token = token.to_record()["refresh_token"]
    gone = requests.delete(f"{sb.base_url}/oauth/v1/refresh-tokens/{refresh_token}", timeout=10)
    assert gone.status_code == 204
    with pytest.raises(hnb.RefreshFailed) as info:
        token.refresh()
    message = str(info.value)
    assert "hnb.login()" in message
    assert refresh_token not in message and sb.client_secret not in message
    assert store.load(sb.client_id, sb.hub_id) is None
    assert not store.path(sb.client_id, sb.hub_id).exists()
    assert not token.can_refresh
    with pytest.raises(hnb.NotLoggedIn):
        hnb.connect(cache_dir=tmp_path)


def test_network_failure_during_refresh_keeps_the_login(fresh_sandbox, tmp_path):
    sb = fresh_sandbox(**SMALL)
    store = TokenCache(tmp_path)
    token = login(sb, cache=store).token
    sb.stop()
    with pytest.raises(hnb.NetworkError):
        token.refresh()
    assert token.can_refresh
    assert store.load(sb.client_id, sb.hub_id) is not None


def test_private_app_token_never_refreshes():
    token = hnb.Token("pat-na1-11111111-2222-3333-4444-555555555555", kind="private-app")
    assert not token.can_refresh
    assert token.expires_at is None and not token.is_expired(10_000)
    assert token.bearer() == "pat-na1-11111111-2222-3333-4444-555555555555"
    with pytest.raises(hnb.RefreshFailed):
        token.refresh()


def test_reprs_and_messages_mask_every_secret(sandbox):
    token = login(sandbox).token
    record = token.to_record()
    secrets = [record["access_token"], record["refresh_token"], record["client_secret"]]
    for text in (repr(token), str(token), repr(login(sandbox)), repr(token.to_record.__self__)):
        for secret in secrets:
            assert secret not in text
            assert secret[:-4] not in text
    assert f"'…{record['access_token'][-4:]}'" in repr(token)
    assert "hub_id=" in repr(token) and "expires_in=" in repr(token) and "scopes=" in repr(token)


def test_token_pickles_and_still_refreshes(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)
    token = login(sb).token
    copy = pickle.loads(pickle.dumps(token))
    assert copy.access_token == token.access_token
    copy.refresh()
    assert copy.access_token != token.access_token
    assert stats(sb)["refreshes"] == 1


def test_cache_file_is_valid_after_concurrent_refreshes(fresh_sandbox, tmp_path):
    sb = fresh_sandbox(**SMALL)
    store = TokenCache(tmp_path)
    login(sb, cache=store)
    tokens = [hnb.connect(cache_dir=tmp_path).token for _ in range(4)]  # four independent objects

    def hammer(t):
        for _ in range(5):
            t.refresh()

    in_threads(hammer, [(t,) for t in tokens])
    record = json.loads(Path(store.path(sb.client_id, sb.hub_id)).read_text())
    assert record["access_token"] in {t.access_token for t in tokens}
    assert stats(sb)["refreshes"] == 20


def test_hub_client_refreshes_once_after_401_across_threads(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)
    hub = hnb.login(sandbox=sb, auto_approve=True)
    assert hub.client.get("/account-info/v3/details")["portalId"] == sb.hub_id
    requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10)
    barrier = threading.Barrier(16)
    portals: list[int] = []

    def worker():
        barrier.wait()
        portals.append(hub.client.get("/account-info/v3/details")["portalId"])

    in_threads(worker, [()] * 16)
    assert portals == [sb.hub_id] * 16
    counters = stats(sb)
    assert counters["refreshes"] == 1
    assert 1 <= counters["responses"]["401"] <= 16


# -- the token endpoint's rate limit (issue 13) -----------------------------------------------------
def _spend_token_endpoint(sb) -> None:
    """One call the token endpoint refuses (400) but counts: a bucket of one is then empty."""
    resp = requests.post(f"{sb.base_url}/oauth/2026-03/token", data={"grant_type": "password"}, timeout=10)
    assert resp.status_code == 400


@pytest.mark.parametrize("retry_after", [True, False], ids=["retry-after", "no-retry-after"])
@pytest.mark.slow
def test_sixteen_threads_refresh_once_through_the_token_endpoint_limit(fresh_sandbox, retry_after):
    sb = fresh_sandbox(**SMALL)
    hub = login(sb)
    rate = 0.5 if retry_after else 1.0  # Retry-After: 2 s; without it the backoff has to find the gap
    configure(sb, token_rps=rate, token_burst=1, token_retry_after=retry_after)
    _spend_token_endpoint(sb)
    assert requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10).status_code == 200
    barrier = threading.Barrier(16)
    portals: list[int] = []

    def worker():
        barrier.wait()
        portals.append(hub.client.get("/account-info/v3/details")["portalId"])

    started = time.monotonic()
    in_threads(worker, [()] * 16)
    elapsed = time.monotonic() - started
    assert portals == [sb.hub_id] * 16  # every call succeeded
    counters = stats(sb)
    assert counters["refreshes"] == 1 and hub.token.refresh_count == 1  # still single flight
    assert counters["rate_limited"].get("TOKEN_ENDPOINT", 0) >= 1  # the refresh met the limit …
    if retry_after:
        assert counters["rate_limited"] == {"TOKEN_ENDPOINT": 1}  # … and waited exactly as told
        assert elapsed >= 2.0
    else:
        assert elapsed >= 0.5  # … and backed off until it got through


def test_retry_after_past_the_bound_is_a_clear_error_and_keeps_the_login(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)
    hub = login(sb)
    token = hub.token
    configure(sb, token_rps=0.01, token_burst=1)  # one call per 100 s
    _spend_token_endpoint(sb)
    started = time.monotonic()
    with pytest.raises(hnb.RateLimited) as info:
        token.refresh()
    assert time.monotonic() - started < 5  # no waiting 100 s
    message = str(info.value)
    assert "asked to wait 100 s" in message and "30 s" in message and "run the cell again" in message
    assert info.value.retry_after == 100
    assert not any(secret in message for secret in token.secrets())
    assert not isinstance(info.value, hnb.RefreshFailed)  # the refresh token is still good …
    requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10)
    with pytest.raises(hnb.RateLimited):  # … an API call that needs the refresh says the same
        hub.client.get("/account-info/v3/details")
    configure(sb, token_rps=0)
    assert hub.client.get("/account-info/v3/details")["portalId"] == sb.hub_id  # … and works later
    assert stats(sb)["refreshes"] == 1


# -- how often one call refreshes -------------------------------------------------------------------
def test_tokens_refused_right_after_each_refresh_stop_the_call_after_three(fresh_sandbox):
    """A portal whose new tokens are already expired: refreshing cannot help, so the call stops
    after three tokens each refused on their first answer, with HubSpot's 401, not in a loop."""
    sb = fresh_sandbox(**SMALL)
    hub = hnb.login(sandbox=sb, auto_approve=True)
    configure(sb, token_lifetime_s=0)  # every token issued from now on is expired on arrival
    requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10)
    with pytest.raises(hnb.AuthenticationFailed, match="expired"):
        hub.client.get("/account-info/v3/details")
    assert stats(sb)["refreshes"] == 3
