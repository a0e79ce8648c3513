"""HubSpot's own Python SDK (hubspot-api-client) logs in against the sandbox: proof that the
authorize URL it builds, the token exchange, the refresh and the error bodies match its wire format."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from hubspot import HubSpot
from hubspot.oauth.exceptions import ApiException
from hubspot.utils.oauth import AUTHORIZE_URL, get_auth_url


def test_official_client_exchanges_and_refreshes_tokens(fresh_sandbox):
    sb = fresh_sandbox(contacts=10, companies=2, deals=2, tickets=2, token_lifetime_s=600)
    url = get_auth_url(
        sb.client_id,
        sb.callback_url,
        scope=("oauth", "crm.objects.contacts.read"),
        optional_scope=("forms",),
        state="sdk-state",
    )
    # The SDK builds app.hubspot.com URLs; point the same query at the sandbox's consent page.
    url = url.replace(AUTHORIZE_URL, f"{sb.base_url}/oauth/authorize")
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "<code>forms</code>" in page.text
    form = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()} | {"decision": "approve"}
    approved = requests.post(f"{sb.base_url}/oauth/authorize", data=form, allow_redirects=False, timeout=10)
    code = parse_qs(urlsplit(approved.headers["Location"]).query)["code"][0]

    client = HubSpot(host=sb.base_url)  # the SDK's Configuration.host: where its requests go
    tokens = client.oauth.tokens_api.create(
        grant_type="authorization_code",
        code=code,
        redirect_uri=sb.callback_url,
        client_id=sb.client_id,
        client_secret=sb.client_secret,
    )
    assert tokens.token_type == "bearer" and tokens.expires_in == 600
    refreshed = client.oauth.tokens_api.create(
        grant_type="refresh_token",
        refresh_token=tokens.refresh_token,
        client_id=sb.client_id,
        client_secret=sb.client_secret,
    )
    assert refreshed.access_token != tokens.access_token

    info = client.oauth.access_tokens_api.get(refreshed.access_token)
    assert info.hub_id == sb.hub_id and info.user == sb.user_email
    assert sorted(info.scopes) == ["crm.objects.contacts.read", "forms", "oauth"]

    with pytest.raises(ApiException) as refused:
        client.oauth.tokens_api.create(
            grant_type="refresh_token",
            refresh_token="sbx-rt-never-issued",
            client_id=sb.client_id,
            client_secret=sb.client_secret,
        )
    assert refused.value.status == 400 and "BAD_REFRESH_TOKEN" in refused.value.body

    stats = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert stats["requests"]["POST /oauth/v1/token"] == 3  # the SDK speaks the v1 endpoint
    assert stats["refreshes"] == 1
