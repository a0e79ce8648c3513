"""Injected faults as a client sees them: each kind, its statistics, and determinism per seed."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from .stub_routes import with_stubs

SMALL = {"contacts": 10, "companies": 2, "deals": 2, "tickets": 2}


def faulty(fresh_sandbox, kinds, rate=1.0, seed=7):
    """A sandbox with a token, then faults switched on (so the login itself is not hit)."""
    sb = with_stubs(fresh_sandbox(seed=seed, **SMALL))
    token = sb.oauth_token()["access_token"]
    change = {"fault_rate": rate, "fault_kinds": list(kinds)}
    assert requests.post(f"{sb.base_url}/_sandbox/config", json=change, timeout=10).status_code == 200
    return sb, {"Authorization": f"Bearer {token}"}


def stats(sb):
    return requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()


def test_injected_429s_look_like_hubspots(fresh_sandbox):
    sb, headers = faulty(fresh_sandbox, ["429"])
    resp = requests.get(f"{sb.base_url}/stub/records", headers=headers, timeout=10)
    assert resp.status_code == 429 and resp.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    requests.post(f"{sb.base_url}/_sandbox/config", json={"fault_kinds": ["429_secondly"]}, timeout=10)
    resp = requests.get(f"{sb.base_url}/stub/records", headers=headers, timeout=10)
    assert resp.status_code == 429 and resp.json()["message"] == "You have reached your secondly limit."
    counted = stats(sb)
    assert counted["faults"] == {"429": 1, "429_secondly": 1}
    assert counted["rate_limited"] == {"TEN_SECONDLY_ROLLING": 1, "SECONDLY": 1}


def test_502_is_an_html_page_and_503_is_json(fresh_sandbox):
    sb, headers = faulty(fresh_sandbox, ["502"])
    resp = requests.get(f"{sb.base_url}/stub/records", headers=headers, timeout=10)
    assert resp.status_code == 502 and resp.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        resp.json()
    requests.post(f"{sb.base_url}/_sandbox/config", json={"fault_kinds": ["503"]}, timeout=10)
    resp = requests.get(f"{sb.base_url}/stub/records", headers=headers, timeout=10)
    assert resp.status_code == 503 and resp.json()["status"] == "error"


def test_drop_closes_the_connection_without_an_answer(fresh_sandbox):
    sb, headers = faulty(fresh_sandbox, ["drop"])
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sb.base_url}/stub/records", headers=headers, timeout=10)
    assert stats(sb)["faults"] == {"drop": 1} and stats(sb)["responses"]["dropped"] == 1


def test_truncate_sends_full_length_then_half_the_body(fresh_sandbox):
    sb, headers = faulty(fresh_sandbox, ["truncate"])
    # requests notices the short body (Content-Length promised more) ...
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{sb.base_url}/stub/records", headers=headers, timeout=10)
    # ... and on the wire the body is half a JSON document.
    host, port = sb.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        request = (
            f"GET /stub/records?n=20 HTTP/1.1\r\nHost: x\r\nAuthorization: {headers['Authorization']}\r\n\r\n"
        )
        conn.sendall(request.encode())
        raw = b""
        while chunk := conn.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))[15:]
    )
    assert head.startswith(b"HTTP/1.1 200") and len(body) == length // 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_faults_skip_login_pages_and_control_endpoints(fresh_sandbox):
    sb, _ = faulty(fresh_sandbox, ["503"])
    params = {"client_id": sb.client_id, "redirect_uri": sb.callback_url, "scope": "oauth"}
    for _ in range(5):
        assert requests.get(f"{sb.base_url}/oauth/authorize", params=params, timeout=10).status_code == 200
        assert requests.get(f"{sb.base_url}/oauth/callback?code=x", timeout=10).status_code == 200
        assert requests.get(f"{sb.base_url}/_sandbox/health", timeout=10).status_code == 200
    assert stats(sb)["faults"] == {}


def status_sequence(fresh_sandbox, seed):
    sb, headers = faulty(fresh_sandbox, ["429", "502", "503"], rate=0.4, seed=seed)
    with requests.Session() as session:
        return [
            session.get(f"{sb.base_url}/stub/records", headers=headers, timeout=10).status_code
            for _ in range(40)
        ]


def test_faults_are_deterministic_for_a_seed(fresh_sandbox):
    first = status_sequence(fresh_sandbox, seed=11)
    assert first == status_sequence(fresh_sandbox, seed=11)
    assert first != status_sequence(fresh_sandbox, seed=12)
    assert 6 <= sum(code != 200 for code in first) <= 30  # about 40 % of 40
