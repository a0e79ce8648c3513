"""The server's plumbing: control endpoints, error bodies for bad requests, keep-alive, stopping."""

from __future__ import annotations

import http.client
import logging

import pytest
import requests

from hubspot_nb.sandbox import run
from hubspot_nb.sandbox.config import RUNTIME_KNOBS

from .stub_routes import with_stubs

SMALL = {"contacts": 10, "companies": 2, "deals": 2, "tickets": 2}


def test_health(sandbox):
    body = requests.get(f"{sandbox.base_url}/_sandbox/health", timeout=10).json()
    assert body == {"status": "ok", "hub_id": sandbox.hub_id, "profile": "fast", "seed": 7}


def test_config_changes_are_validated_and_atomic(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)
    url = f"{sb.base_url}/_sandbox/config"
    assert requests.get(url, timeout=10).json()["burst"] == 0

    unknown = requests.post(url, json={"seed": 3}, timeout=10)
    assert unknown.status_code == 400
    body = unknown.json()
    assert body["category"] == "VALIDATION_ERROR" and "unknown setting 'seed'" in body["message"]
    assert body["context"]["validSettings"] == list(RUNTIME_KNOBS)

    # A bad value after a good one: nothing is applied.
    half_bad = requests.post(url, json={"latency_ms": 5, "fault_rate": 2}, timeout=10)
    assert half_bad.status_code == 400 and "fault_rate" in half_bad.json()["message"]
    assert requests.get(url, timeout=10).json()["latency_ms"] == 0
    for bad in ({"fault_kinds": ["meteor"]}, {"burst": -1}, {"rotate_refresh_tokens": "yes"}, {}, [1]):
        assert requests.post(url, json=bad, timeout=10).status_code == 400, bad
    assert requests.post(url, data=b"{not json", timeout=10).status_code == 400

    ok = requests.post(url, json={"burst": 5, "rotate_refresh_tokens": True}, timeout=10).json()
    assert sorted(ok["applied"]) == ["burst", "rotate_refresh_tokens"]
    assert sb.config.burst == 5 and sb.config.rotate_refresh_tokens is True


def test_stats_count_routes_statuses_and_reset(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)
    token = sb.oauth_token(["oauth"])["access_token"]
    for _ in range(3):
        requests.get(f"{sb.base_url}/account-info/v3/details", headers={"Authorization": f"Bearer {token}"})
    requests.get(f"{sb.base_url}/no/such/path", timeout=10)
    stats = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert stats["requests"]["GET /account-info/v3/details"] == 3
    assert stats["requests"]["POST /oauth/2026-03/token"] == 1
    assert stats["requests"]["unmatched"] == 1
    assert stats["responses"]["200"] >= 5 and stats["responses"]["404"] == 1
    assert stats["codes_issued"] == 1 and stats["tokens_issued"] == 1
    assert requests.post(f"{sb.base_url}/_sandbox/reset-stats", timeout=10).status_code == 200
    after = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert after["requests"] == {"GET /_sandbox/stats": 1} and after["tokens_issued"] == 0


def test_unknown_paths_and_methods_answer_hubspot_json(sandbox):
    missing = requests.get(f"{sandbox.base_url}/crm/v9/nothing", timeout=10)
    assert missing.status_code == 404 and missing.json()["category"] == "OBJECT_NOT_FOUND"
    wrong = requests.put(f"{sandbox.base_url}/_sandbox/stats", timeout=10)
    assert wrong.status_code == 405 and wrong.json()["status"] == "error"


def test_overlong_urls_get_414(sandbox):
    resp = requests.get(f"{sandbox.base_url}/crm/v3/objects/contacts", params={"properties": "p" * 17_000})
    assert resp.status_code == 414 and resp.json()["status"] == "error"


def test_handler_crash_is_a_500_and_the_server_carries_on(fresh_sandbox, caplog):
    sb = with_stubs(fresh_sandbox(**SMALL))
    token = sb.oauth_token(["oauth"])["access_token"]
    with caplog.at_level(logging.ERROR, logger="hubspot_nb.sandbox"):
        resp = requests.get(f"{sb.base_url}/stub/crash", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 500 and resp.json()["category"] == "INTERNAL_ERROR"
    assert "KeyError" in caplog.text  # the traceback is logged for whoever runs the sandbox
    assert requests.get(f"{sb.base_url}/_sandbox/health", timeout=10).status_code == 200


def test_path_parameters_are_percent_decoded(fresh_sandbox):
    sb = with_stubs(fresh_sandbox(**SMALL))
    body = requests.get(f"{sb.base_url}/stub/echo/ana%40example.com?a=1&a=2&b=", timeout=10).json()
    assert body == {"value": "ana@example.com", "query": {"a": ["1", "2"], "b": [""]}}


def test_keep_alive_and_chunked_bodies(sandbox):
    conn = http.client.HTTPConnection(sandbox.base_url.removeprefix("http://"), timeout=10)
    try:
        for _ in range(3):  # three requests, one connection
            conn.request("GET", "/_sandbox/health")
            resp = conn.getresponse()
            assert resp.status == 200 and resp.getheader("Connection") is None
            resp.read()
        conn.request(
            "POST", "/_sandbox/config", body=iter([b'{"latency_', b'ms": "x"}']), encode_chunked=True
        )
        resp = conn.getresponse()
        assert resp.status == 400 and b"latency_ms" in resp.read()  # the chunked body was read whole
    finally:
        conn.close()


def test_stop_frees_the_port_and_cuts_keep_alive_connections():
    with run(**SMALL) as sb:
        session = requests.Session()
        assert session.get(f"{sb.base_url}/_sandbox/health", timeout=10).status_code == 200
        url = sb.base_url
    assert not sb.running
    with pytest.raises(requests.ConnectionError):
        session.get(f"{url}/_sandbox/health", timeout=5)
    sb.stop()  # stopping twice is harmless


def test_repr_shows_no_secrets(fresh_sandbox):
    sb = fresh_sandbox(private_tokens=["pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"], **SMALL)
    token = sb.oauth_token(["oauth"])
    text = (
        repr(sb) + repr(sb.auth.access(token["access_token"])) + repr(sb.auth.grant(token["refresh_token"]))
    )
    for secret in (token["access_token"], token["refresh_token"], sb.private_token, sb.client_secret):
        assert secret not in text


def test_the_pytest_plugin_fixture_serves_a_sandbox(hubspot_sandbox):
    token = hubspot_sandbox.oauth_token(["oauth", "crm.objects.contacts.read"])["access_token"]
    resp = requests.get(
        f"{hubspot_sandbox.base_url}/crm/v3/objects/contacts",
        headers={"Authorization": f"Bearer {token}"},
        params={"limit": 5},
        timeout=10,
    )
    assert resp.status_code == 200 and len(resp.json()["results"]) == 5
