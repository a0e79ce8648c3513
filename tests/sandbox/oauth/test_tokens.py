"""Token endpoints over real HTTP: code exchange, refresh, rotation, expiry, introspection,
revocation and HubSpot's error bodies, on the v1, v3 and 2026-03 paths."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from hubspot_nb.sandbox import CLIENT_ID, CLIENT_SECRET

SMALL = {"contacts": 10, "companies": 2, "deals": 2, "tickets": 2}
VERSIONS = ("v1", "v3", "2026-03", "2026-09")


def new_code(sb, scope="oauth crm.objects.contacts.read"):
    redirect_uri = f"{sb.base_url}/oauth/callback"
    data = {"client_id": CLIENT_ID, "redirect_uri": redirect_uri, "scope": scope, "decision": "approve"}
    resp = requests.post(f"{sb.base_url}/oauth/authorize", data=data, allow_redirects=False, timeout=10)
    return parse_qs(urlsplit(resp.headers["Location"]).query)["code"][0]


def exchange(sb, code, version="2026-03", **overrides):
    """POST the code to a token endpoint; ``overrides`` replace (or, as "", blank) form fields."""
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"{sb.base_url}/oauth/callback",
        "code": code,
        **overrides,
    }
    return requests.post(f"{sb.base_url}/oauth/{version}/token", data=form, timeout=10)


def refresh(sb, refresh_token, version="2026-03"):
    form = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": refresh_token,
    }
    return requests.post(f"{sb.base_url}/oauth/{version}/token", data=form, timeout=10)


def account(sb, access_token):
    headers = {"Authorization": f"Bearer {access_token}"}
    return requests.get(f"{sb.base_url}/account-info/v3/details", headers=headers, timeout=10)


@pytest.mark.parametrize("version", VERSIONS)
def test_code_exchange_returns_hubspots_token_response(sandbox, version):
    resp = exchange(sandbox, new_code(sandbox), version)
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "bearer" and body["token_use"] == "access_token"
    assert body["expires_in"] == 1800
    assert body["hub_id"] == sandbox.hub_id and isinstance(body["user_id"], int)
    assert sorted(body["scopes"]) == ["crm.objects.contacts.read", "oauth"]
    assert len(body["access_token"]) >= 60 and len(body["refresh_token"]) >= 60
    assert body["access_token"] != body["refresh_token"]
    assert account(sandbox, body["access_token"]).json()["portalId"] == sandbox.hub_id


def test_a_code_works_once(sandbox):
    code = new_code(sandbox)
    assert exchange(sandbox, code).status_code == 200
    again = exchange(sandbox, code, "v1")
    assert again.status_code == 400
    body = again.json()
    assert body["status"] == "BAD_AUTH_CODE" and body["message"] == "missing or unknown auth code"
    assert re.fullmatch(r"[0-9a-f-]{36}", body["correlationId"])
    assert "error" not in body  # RFC 6749 fields only on the v3 and date-versioned endpoints


def test_v3_errors_add_rfc6749_fields(sandbox):
    body = exchange(sandbox, "na1-never-issued", "v3").json()
    assert body["status"] == "BAD_AUTH_CODE"
    assert body["error"] == "invalid_grant" and body["error_description"] == body["message"]
    bad_client = exchange(sandbox, new_code(sandbox), "2026-03", client_secret="wrong").json()
    assert (bad_client["status"], bad_client["error"]) == ("BAD_CLIENT_SECRET", "invalid_client")


def test_codes_expire(fresh_sandbox):
    sb = fresh_sandbox(code_lifetime_s=0.3, **SMALL)
    code = new_code(sb)
    time.sleep(0.5)
    body = exchange(sb, code).json()
    assert body["status"] == "EXPIRED_AUTH_CODE"


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"client_id": "other-app"}, "BAD_CLIENT_ID"),
        ({"client_id": ""}, "BAD_CLIENT_ID"),
        ({"client_secret": "nope"}, "BAD_CLIENT_SECRET"),
        ({"redirect_uri": "http://localhost:1/elsewhere"}, "BAD_REDIRECT_URI"),
        ({"grant_type": "client_credentials"}, "BAD_GRANT_TYPE"),
        ({"grant_type": ""}, "BAD_GRANT_TYPE"),
        ({"code": ""}, "BAD_AUTH_CODE"),
    ],
)
def test_bad_exchanges_answer_hubspots_statuses(sandbox, overrides, status):
    overrides = dict(overrides)
    code = overrides.pop("code", None)
    resp = exchange(sandbox, new_code(sandbox) if code is None else code, **overrides)
    assert resp.status_code == 400
    assert resp.json()["status"] == status


def test_v1_takes_query_parameters_but_v3_wants_the_body(sandbox):
    params = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"{sandbox.base_url}/oauth/callback",
        "code": new_code(sandbox),
    }
    v3 = requests.post(f"{sandbox.base_url}/oauth/v3/token", params=params, timeout=10)
    assert v3.status_code == 400 and v3.json()["status"] == "BAD_GRANT_TYPE"
    v1 = requests.post(f"{sandbox.base_url}/oauth/v1/token", params=params, timeout=10)
    assert v1.status_code == 200 and v1.json()["access_token"]


@pytest.mark.parametrize("version", VERSIONS)
def test_refresh_mints_a_new_access_token_and_keeps_the_refresh_token(fresh_sandbox, version):
    sb = fresh_sandbox(**SMALL)
    first = exchange(sb, new_code(sb)).json()
    second = refresh(sb, first["refresh_token"], version).json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] == first["refresh_token"]  # HubSpot's observed behaviour
    assert second["scopes"] == first["scopes"]
    # The old access token stays valid until it expires; both work.
    assert account(sb, first["access_token"]).status_code == 200
    assert account(sb, second["access_token"]).status_code == 200
    stats = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert (stats["refreshes"], stats["tokens_issued"], stats["codes_issued"]) == (1, 2, 1)


def test_rotation_replaces_the_refresh_token_and_kills_the_old_one(fresh_sandbox):
    sb = fresh_sandbox(rotate_refresh_tokens=True, **SMALL)
    first = exchange(sb, new_code(sb)).json()
    second = refresh(sb, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    dead = refresh(sb, first["refresh_token"], "v1")
    assert dead.status_code == 400
    assert dead.json() == {
        "status": "BAD_REFRESH_TOKEN",
        "message": "missing or invalid refresh token",
        "correlationId": dead.json()["correlationId"],
    }
    assert refresh(sb, second["refresh_token"]).status_code == 200


def test_expired_access_token_is_a_hubspot_401_and_refresh_recovers(fresh_sandbox):
    sb = fresh_sandbox(token_lifetime_s=1, **SMALL)
    token = exchange(sb, new_code(sb)).json()
    assert token["expires_in"] == 1
    assert account(sb, token["access_token"]).status_code == 200
    time.sleep(1.2)
    resp = account(sb, token["access_token"])
    assert resp.status_code == 401
    assert resp.headers["x-hubspot-auth-failure"] == "401 Unauthorized"
    body = resp.json()
    assert body["category"] == "EXPIRED_AUTHENTICATION"
    assert re.fullmatch(
        r"The OAuth token used to make this call expired \d+ second\(s\) ago\.", body["message"]
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["context"]["expire time"][0])
    fresh = refresh(sb, token["refresh_token"]).json()
    assert account(sb, fresh["access_token"]).status_code == 200


def test_expire_tokens_ends_every_access_token_but_not_refresh_or_private_tokens(fresh_sandbox):
    pat = "pat-na1-11111111-2222-3333-4444-555555555555"
    sb = fresh_sandbox(private_tokens=[pat], **SMALL)
    tokens = [exchange(sb, new_code(sb)).json() for _ in range(2)]
    expired = requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10).json()
    assert expired == {"expired": 2}
    for token in tokens:
        assert account(sb, token["access_token"]).json()["category"] == "EXPIRED_AUTHENTICATION"
        assert account(sb, refresh(sb, token["refresh_token"]).json()["access_token"]).status_code == 200
    assert account(sb, pat).status_code == 200


def test_unknown_and_missing_tokens_are_invalid_authentication(sandbox):
    for headers in ({}, {"Authorization": "Bearer sbx-at-made-up"}, {"Authorization": "Basic abc"}):
        resp = requests.get(f"{sandbox.base_url}/account-info/v3/details", headers=headers, timeout=10)
        assert resp.status_code == 401
        assert resp.headers["x-hubspot-auth-failure"] == "401 Unauthorized"
        body = resp.json()
        assert body["category"] == "INVALID_AUTHENTICATION" and body["status"] == "error"
        assert body["message"].startswith("Authentication credentials not found.")


def test_private_app_tokens_never_expire_and_hold_every_scope(fresh_sandbox):
    pat = "pat-na1-0b6a5c2e-7d1f-4c8e-9a3b-2f4e6d8c0a1b"
    sb = fresh_sandbox(private_tokens=[pat], token_lifetime_s=0.1, **SMALL)
    assert sb.private_token == pat
    time.sleep(0.2)
    assert account(sb, pat).status_code == 200
    with pytest.raises(ValueError, match="pat-na1"):
        fresh_sandbox(private_tokens=["not-a-pat"], **SMALL)


def test_v1_introspection_of_access_and_refresh_tokens(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)
    token = exchange(sb, new_code(sb)).json()
    info = requests.get(f"{sb.base_url}/oauth/v1/access-tokens/{token['access_token']}", timeout=10).json()
    assert info["token"] == token["access_token"] and info["hub_id"] == sb.hub_id
    assert info["user"] == sb.user_email and info["hub_domain"] == sb.hub_domain
    assert info["app_id"] == sb.app_id and info["user_id"] == token["user_id"]
    assert 1790 <= info["expires_in"] <= 1800 and info["token_type"] == "bearer"
    assert sorted(info["scopes"]) == sorted(token["scopes"])
    rinfo = requests.get(f"{sb.base_url}/oauth/v1/refresh-tokens/{token['refresh_token']}", timeout=10).json()
    assert rinfo["client_id"] == CLIENT_ID and rinfo["hub_id"] == sb.hub_id
    unknown = requests.get(f"{sb.base_url}/oauth/v1/access-tokens/sbx-at-nope", timeout=10)
    assert unknown.status_code == 404


def test_v1_revocation_kills_the_refresh_token_only(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)
    token = exchange(sb, new_code(sb)).json()
    url = f"{sb.base_url}/oauth/v1/refresh-tokens/{token['refresh_token']}"
    deleted = requests.delete(url, timeout=10)
    assert deleted.status_code == 204 and deleted.content == b""
    assert refresh(sb, token["refresh_token"]).json()["status"] == "BAD_REFRESH_TOKEN"
    assert requests.get(url, timeout=10).json()["status"] == "BAD_REFRESH_TOKEN"
    assert requests.delete(url, timeout=10).status_code == 400
    # Access tokens already minted keep working (HubSpot: revoking does not uninstall).
    assert account(sb, token["access_token"]).status_code == 200


@pytest.mark.parametrize("version", ("v3", "2026-03", "2026-09"))
def test_introspect_and_revoke(fresh_sandbox, version):
    sb = fresh_sandbox(**SMALL)
    token = exchange(sb, new_code(sb)).json()
    creds = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}

    def introspect(value, hint=None):
        form = {**creds, "token": value, **({"token_type_hint": hint} if hint else {})}
        return requests.post(f"{sb.base_url}/oauth/{version}/token/introspect", data=form, timeout=10).json()

    live = introspect(token["access_token"])
    assert live["active"] is True and live["token_use"] == "access_token"
    assert live["client_id"] == CLIENT_ID and live["hub_id"] == sb.hub_id and live["expires_in"] > 0
    rlive = introspect(token["refresh_token"], "refresh_token")
    assert rlive["active"] is True and rlive["token_use"] == "refresh_token"
    assert introspect("sbx-at-unknown") == {"active": False}

    def revoke(value):
        form = {**creds, "token": value}
        return requests.post(f"{sb.base_url}/oauth/{version}/token/revoke", data=form, timeout=10)

    resp = revoke(token["refresh_token"])
    assert resp.status_code == 200 and resp.content == b""
    assert introspect(token["refresh_token"]) == {"active": False}
    assert refresh(sb, token["refresh_token"]).status_code == 400
    assert revoke(token["access_token"]).status_code == 200
    assert introspect(token["access_token"]) == {"active": False}
    assert account(sb, token["access_token"]).status_code == 401
    assert revoke("never-issued").status_code == 200  # RFC 7009: unknown tokens are not an error
    bad = requests.post(
        f"{sb.base_url}/oauth/{version}/token/introspect",
        data={"client_id": CLIENT_ID, "client_secret": "x", "token": "t"},
        timeout=10,
    ).json()
    assert bad["error"] == "invalid_client"


def test_oauth_token_helper_runs_the_whole_flow(sandbox):
    token = sandbox.oauth_token(["oauth", "forms"])
    assert sorted(token["scopes"]) == ["forms", "oauth"]
    full = sandbox.oauth_token()
    assert set(full["scopes"]) == set(sandbox.all_scopes())
