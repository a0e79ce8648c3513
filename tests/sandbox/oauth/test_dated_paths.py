"""OAuth and account info on the date-versioned paths: a whole login against ``/oauth/2026-09``,
account details at 2026-03/2026-09 equal to v3's, and the per-route counts that show it."""

from __future__ import annotations

import requests

from hubspot_nb.sandbox.config import CLIENT_ID

SMALL = {"contacts": 10, "companies": 2, "deals": 2, "tickets": 2}


def test_login_refresh_introspect_and_account_info_on_2026_09(fresh_sandbox) -> None:
    sb = fresh_sandbox(**SMALL)
    token = sb.oauth_token(["oauth", "crm.objects.contacts.read"], version="2026-09")
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    legacy = requests.get(f"{sb.base_url}/account-info/v3/details", headers=headers, timeout=10)
    for version in ("2026-03", "2026-09"):
        dated = requests.get(f"{sb.base_url}/account-info/{version}/details", headers=headers, timeout=10)
        assert dated.status_code == legacy.status_code == 200 and dated.json() == legacy.json()
    assert legacy.json()["portalId"] == sb.hub_id
    form = {"client_id": CLIENT_ID, "client_secret": sb.client_secret}
    refreshed = requests.post(
        f"{sb.base_url}/oauth/2026-09/token",
        data={**form, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        timeout=10,
    )
    assert refreshed.status_code == 200 and refreshed.json()["access_token"] != token["access_token"]
    # 2026-09 keeps only authorization_code and refresh_token, as the sandbox always has.
    creds = requests.post(
        f"{sb.base_url}/oauth/2026-09/token", data={**form, "grant_type": "client_credentials"}
    )
    assert creds.status_code == 400 and creds.json()["error"] and creds.json()["status"] == "BAD_GRANT_TYPE"
    # Its spec declares only `active` (required); the sandbox's answer carries it, like every version.
    info = requests.post(
        f"{sb.base_url}/oauth/2026-09/token/introspect", data={**form, "token": token["access_token"]}
    )
    same = requests.post(
        f"{sb.base_url}/oauth/2026-03/token/introspect", data={**form, "token": token["access_token"]}
    )
    assert info.json()["active"] is True and info.json()["expires_in"] > 0
    assert {k: v for k, v in info.json().items() if k != "expires_in"} == {
        k: v for k, v in same.json().items() if k != "expires_in"
    }
    stats = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert stats["requests"]["POST /oauth/2026-09/token"] == 3  # exchange, refresh, refused grant
    assert stats["requests"]["GET /account-info/2026-09/details"] == 1
    assert stats["requests"]["GET /account-info/2026-03/details"] == 1
    assert stats["requests"]["GET /account-info/v3/details"] == 1
    assert stats["requests"]["POST /oauth/2026-09/token/introspect"] == 1
    assert "POST /oauth/2026-03/token" not in stats["requests"]
