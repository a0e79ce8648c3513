"""Service keys as the first way in: login by argument and environment, the per-portal cache (0600,
cache=False, a refused cached key), 401 and 403 explained in the exception, the terminal prompt,
connect(), logout, and the key never in a repr."""

from __future__ import annotations

import getpass
import stat

import pytest
from helpers import SMALL

import hubspot_nb as hnb
from hubspot_nb.auth.cache import TokenCache
from hubspot_nb.notebook import login as login_module

NARROW = ["crm.objects.companies.read"]


@pytest.fixture
def keyed(fresh_sandbox):
    """A sandbox that answers account info for keys, and one of its keys."""
    sb = fresh_sandbox(**SMALL)
    return sb, sb.issue_service_key()


def test_login_with_a_service_key_argument_connects_and_caches_per_portal(keyed):
    sb, key = keyed
    hub = hnb.login(service_key=key, api_base=sb.base_url)
    assert hub.connected and hub.info.hub_id == sb.hub_id == hub.token.hub_id
    assert hub.token.kind == "service-key" and hub.info.token_kind == "service-key"
    assert not hub.token.can_refresh and hub.token.expires_at is None
    hub.progress = False
    assert len(hub.contacts(limit=5)) == 5
    for text in (repr(hub), str(hub.token), repr(hub.info), repr(hub.client)):
        assert key not in text and key[:-4] not in text
    cache = TokenCache()
    [record] = cache.keys()
    assert record["access_token"] == key and record["hub_id"] == sb.hub_id and record["client_id"] is None
    path = cache.key_path(str(sb.hub_id))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert cache.entries() == []  # no OAuth entry was made

    # Tomorrow: nothing configured, no widget: the cached key connects.
    again = hnb.login(api_base=sb.base_url, interactive="widget")
    assert again.connected and again.token.kind == "service-key" and not hasattr(again, "login_widget")
    assert hnb.connect().token.access_token == key


def test_env_var_connects_without_writing_the_key_to_disk(keyed, monkeypatch):
    sb, key = keyed
    monkeypatch.setenv("HUBSPOT_SERVICE_KEY", key)
    monkeypatch.setenv("HUBSPOT_API_BASE", sb.base_url)
    hub = hnb.login()
    assert hub.connected and hub.token.kind == "service-key"
    assert TokenCache().keys() == []  # the environment already holds it


def test_precedence_argument_over_env_service_key_over_token(keyed, monkeypatch):
    sb, key = keyed
    pat = "pat-na1-00000000-1111-2222-3333-444444444444"
    monkeypatch.setenv("HUBSPOT_API_BASE", sb.base_url)
    monkeypatch.setenv("HUBSPOT_SERVICE_KEY", key)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", pat)
    assert hnb.login().token.kind == "service-key"  # both in the env: the key wins
    with pytest.raises(hnb.LoginFailed, match="access token"):
        hnb.login(access_token="pat-na1-unknown-to-this-sandbox")  # an argument beats the env key
    with pytest.raises(hnb.ConfigError, match="not both"):
        hnb.login(service_key=key, access_token=pat)
    with pytest.raises(hnb.ConfigError, match="empty"):
        hnb.login(service_key="  ")


def test_cache_false_keeps_the_key_in_memory_only(keyed):
    sb, key = keyed
    assert hnb.login(service_key=key, api_base=sb.base_url, cache=False).connected
    assert TokenCache().keys() == []


def test_a_refused_key_is_explained(sandbox):
    with pytest.raises(hnb.LoginFailed) as info:
        hnb.login(service_key="not-a-key-the-sandbox-made", api_base=sandbox.base_url)
    assert info.value.reason == "bad_key"
    assert "refused this key (401)" in str(info.value) and "Service keys" in str(info.value)
    assert "not-a-key-the-sandbox-made" not in str(info.value)


def test_a_key_without_account_info_falls_back_to_a_contacts_check(fresh_sandbox):
    sb = fresh_sandbox(service_key_account_info="needs_oauth_scope", **SMALL)
    hub = hnb.login(service_key=sb.issue_service_key(), api_base=sb.base_url, cache=False)
    assert hub.connected and hub.info.hub_id is None and "hub id unknown" in hub.info.describe()
    hub.progress = False
    assert len(hub.contacts(limit=3)) == 3
    # Cached under a digest of the key while its portal is unknown; connect() finds it.
    key = sb.issue_service_key()
    hnb.login(service_key=key, api_base=sb.base_url)
    [record] = TokenCache().keys()
    assert record["hub_id"] is None and hnb.connect().token.access_token == key
    # A key missing the contacts scope too: 403 with the scope named and what to do.
    with pytest.raises(hnb.LoginFailed) as info:
        hnb.login(service_key=sb.issue_service_key(NARROW), api_base=sb.base_url)
    text = str(info.value)
    assert info.value.reason == "missing_scopes"
    assert "lacks a scope (403: crm.objects.contacts.read)" in text and "Add new scope" in text


def test_a_cached_key_now_refused_is_deleted_and_the_widget_asks_again(fresh_sandbox):
    # One sandbox, the key cached, then the same API host forgets the key (a restart: a new sandbox
    # on the same port does not know it).
    sb = fresh_sandbox(service_keys=["rotated-key-0123456789"], **SMALL)
    port = sb.config.port
    hnb.login(service_key="rotated-key-0123456789", api_base=sb.base_url)
    sb.stop()
    again = fresh_sandbox(port=port, **SMALL)
    hub = hnb.login(api_base=again.base_url, interactive="widget")
    assert not hub.connected
    assert "refused by HubSpot (401)" in hub.login_widget.status_text
    assert TokenCache().keys() == []


def test_logout_deletes_the_cached_key(keyed):
    sb, key = keyed
    hub = hnb.login(service_key=key, api_base=sb.base_url)
    assert hnb.logout(hub) is False  # nothing to revoke
    assert TokenCache().keys() == []
    with pytest.raises(hnb.NotLoggedIn, match="Logged out"):
        hub.token  # noqa: B018
    with pytest.raises(hnb.NotLoggedIn, match="service_key="):
        hnb.connect()


def test_terminal_prompt_asks_for_a_key_with_getpass(keyed, monkeypatch, capsys):
    sb, key = keyed
    asked = []
    monkeypatch.setattr(login_module, "terminal_can_prompt", lambda: True)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or key)
    hub = hnb.login(api_base=sb.base_url, interactive="input")
    out = capsys.readouterr().out
    assert hub.connected and asked == ["Service key: "]
    assert "Development › Keys › Service keys" in out and "crm.objects.contacts.read" in out
    assert "Connected to" in out and key not in out
    assert TokenCache().keys()  # cached for tomorrow


def test_a_script_with_nothing_configured_is_told_what_to_set():
    with pytest.raises(hnb.ConfigError) as info:
        hnb.login(interactive="input")
    text = str(info.value)
    assert "service_key=" in text and "HUBSPOT_SERVICE_KEY" in text and "HUBSPOT_CLIENT_ID" in text
