"""Service keys in the sandbox: configured or issued, scoped, answered by account info (both ways
HubSpot may behave), never introspectable, and told the daily rate-limit figures like private apps."""

from __future__ import annotations

import pytest
import requests

from hubspot_nb.sandbox import start

SMALL = {"contacts": 10, "companies": 2, "deals": 2, "tickets": 2}
DAILY = ("X-HubSpot-RateLimit-Daily", "X-HubSpot-RateLimit-Daily-Remaining")


def get(sb, path, token, **params):
    return requests.get(f"{sb.base_url}{path}", params=params, headers={"Authorization": f"Bearer {token}"})


def test_configured_and_issued_keys_read_data_and_account_info(fresh_sandbox):
    sb = fresh_sandbox(service_keys=["my-key-1"], **SMALL)
    assert sb.service_key == "my-key-1"
    for key in ("my-key-1", sb.issue_service_key()):
        assert get(sb, "/crm/v3/objects/contacts", key, limit=1).status_code == 200
        details = get(sb, "/account-info/v3/details", key)
        assert details.status_code == 200 and details.json()["portalId"] == sb.hub_id
    assert get(sb, "/crm/v3/objects/contacts", "some-other-key").status_code == 401


def test_a_key_holds_only_its_scopes(fresh_sandbox):
    sb = fresh_sandbox(service_keys={"narrow": ["crm.objects.contacts.read"]}, **SMALL)
    assert get(sb, "/crm/v3/objects/contacts", "narrow").status_code == 200
    refused = get(sb, "/crm/v3/objects/deals", "narrow")
    assert refused.status_code == 403 and refused.json()["category"] == "MISSING_SCOPES"
    assert "crm.objects.deals.read" in refused.text
    issued = sb.issue_service_key(["crm.objects.companies.read"])
    assert get(sb, "/crm/v3/objects/contacts", issued).status_code == 403


def test_account_info_can_demand_the_oauth_scope(fresh_sandbox):
    sb = fresh_sandbox(
        service_keys={"plain": None, "with-oauth": ["oauth", "crm.objects.contacts.read"]},
        service_key_account_info="needs_oauth_scope",
        **SMALL,
    )
    refused = get(sb, "/account-info/v3/details", "plain")
    assert refused.status_code == 403 and '"oauth"' in refused.text
    assert get(sb, "/crm/v3/objects/contacts", "plain", limit=1).status_code == 200  # the key works
    assert get(sb, "/account-info/v3/details", "with-oauth").status_code == 200
    oauth = sb.oauth_token(["oauth", "crm.objects.contacts.read"])["access_token"]
    assert get(sb, "/account-info/v3/details", oauth).status_code == 200  # OAuth tokens unaffected


def test_keys_cannot_be_introspected_or_revoked_through_oauth(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)
    key = sb.issue_service_key()
    form = {"token": key, "client_id": sb.client_id, "client_secret": sb.client_secret}
    reply = requests.post(f"{sb.base_url}/oauth/2026-03/token/introspect", data=form)
    assert reply.json() == {"active": False}
    assert requests.get(f"{sb.base_url}/oauth/v1/access-tokens/{key}").status_code == 404
    requests.post(f"{sb.base_url}/oauth/2026-03/token/revoke", data=form)
    assert get(sb, "/crm/v3/objects/contacts", key).status_code == 200
    requests.post(f"{sb.base_url}/_sandbox/expire-tokens")
    assert get(sb, "/crm/v3/objects/contacts", key).status_code == 200  # keys do not expire


def test_daily_headers_for_static_credentials_never_for_oauth(fresh_sandbox):
    pat = "pat-na1-00000000-1111-2222-3333-444444444444"
    sb = fresh_sandbox(private_tokens=[pat], daily_limit=1000, **SMALL)
    key = sb.issue_service_key()
    oauth = sb.oauth_token()["access_token"]
    for token in (pat, key):
        first = get(sb, "/crm/v3/objects/contacts", token, limit=1).headers
        second = get(sb, "/crm/v3/objects/contacts", token, limit=1).headers
        assert first["X-HubSpot-RateLimit-Daily"] == "1000"
        assert (
            int(second["X-HubSpot-RateLimit-Daily-Remaining"])
            == int(first["X-HubSpot-RateLimit-Daily-Remaining"]) - 1
        )
    assert not set(DAILY) & set(get(sb, "/crm/v3/objects/contacts", oauth).headers)
    requests.post(f"{sb.base_url}/_sandbox/config", json={"service_key_daily_headers": False})
    assert not set(DAILY) & set(get(sb, "/crm/v3/objects/contacts", key).headers)
    assert "X-HubSpot-RateLimit-Daily" in get(sb, "/crm/v3/objects/contacts", pat).headers


def test_past_the_daily_limit_every_call_gets_a_daily_429(fresh_sandbox):
    sb = fresh_sandbox(daily_limit=3, **SMALL)
    key = sb.issue_service_key()
    codes = [get(sb, "/crm/v3/objects/contacts", key, limit=1).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = get(sb, "/crm/v3/objects/contacts", key)
    assert refused.json()["policyName"] == "DAILY"
    assert refused.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


@pytest.mark.parametrize(
    "keys, words",
    [(["has space"], "without spaces"), ([""], "non-empty"), ({"k": ["no.such.scope"]}, "no.such.scope")],
)
def test_bad_service_key_settings_are_refused(keys, words):
    with pytest.raises(ValueError, match=words):
        start(service_keys=keys, **SMALL)


def test_account_info_setting_is_checked(fresh_sandbox):
    sb = fresh_sandbox(**SMALL)
    reply = requests.post(f"{sb.base_url}/_sandbox/config", json={"service_key_account_info": "maybe"})
    assert reply.status_code == 400 and "needs_oauth_scope" in reply.text
