"""``login()``: the terminal prompt, reuse of a cached token (no UI, no network), the pending hub,
private-app tokens, the embedded sandbox (also behind JupyterHub's proxy) and settings precedence."""

from __future__ import annotations

import builtins
import re
import sys
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import hubspot_nb as hnb
from hubspot_nb.auth.cache import TokenCache
from hubspot_nb.auth.settings import (
    ANALYSIS_OPTIONAL_SCOPES,
    DEFAULT_OPTIONAL_SCOPES,
    DEFAULT_SCOPES,
    resolve,
)

login_module = sys.modules["hubspot_nb.notebook.login"]  # hnb.login is the function of the same name
SMALL = dict(contacts=20, companies=5, deals=5, tickets=2)


def app_env(monkeypatch, sb, secret=True):
    monkeypatch.setenv("HUBSPOT_CLIENT_ID", sb.client_id)
    if secret:
        monkeypatch.setenv("HUBSPOT_CLIENT_SECRET", sb.client_secret)
    monkeypatch.setenv("HUBSPOT_REDIRECT_URI", sb.callback_url)
    monkeypatch.setenv("HUBSPOT_API_BASE", sb.base_url)
    monkeypatch.setenv("HUBSPOT_APP_BASE", sb.public_url)


class FakeUser:
    """Stands in for the person at the terminal: reads the printed link, approves it in the
    sandbox over HTTP (as their browser would), and types back the redirected address."""

    def __init__(self, sb, capsys, decision="approve"):
        self.sb, self.capsys, self.decision, self.prompts = sb, capsys, decision, []

    def __call__(self, prompt=""):
        self.prompts.append(prompt)
        printed = self.capsys.readouterr().out
        url = re.search(r"(\S+/oauth/authorize\?\S+)", printed).group(1)
        query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        resp = requests.post(
            f"{self.sb.base_url}/oauth/authorize",
            data={**query, "decision": self.decision},
            allow_redirects=False,
            timeout=10,
        )
        return resp.headers["Location"]


def refuse_input(prompt=""):
    raise AssertionError("login() prompted although it should not have")


def requests_seen(sb) -> int:
    return requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()["requests_total"]


def test_terminal_login_then_cached_login_needs_nothing(fresh_sandbox, monkeypatch, capsys):
    sb = fresh_sandbox(**SMALL)
    app_env(monkeypatch, sb)
    user = FakeUser(sb, capsys)
    monkeypatch.setattr(builtins, "input", user)
    hub = hnb.login(interactive="input")
    assert hub.connected and hub.info.hub_id == sb.hub_id
    assert user.prompts == ["Code or address: "]
    assert "Connected to" in capsys.readouterr().out
    # Tomorrow: Run All. A valid cached token: no prompt, no widget, not even a network call.
    monkeypatch.setattr(builtins, "input", refuse_input)
    before = requests_seen(sb)
    again = hnb.login(interactive="input")
    assert again.connected and again.token.access_token == hub.token.access_token
    assert requests_seen(sb) == before + 1  # only our own stats call above
    assert hnb.login(interactive="widget").connected  # no widget either


def test_cached_login_without_any_env(fresh_sandbox, monkeypatch, capsys):
    sb = fresh_sandbox(**SMALL)
    app_env(monkeypatch, sb)
    monkeypatch.setattr(builtins, "input", FakeUser(sb, capsys))
    hnb.login(interactive="input")
    for name in ("HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET", "HUBSPOT_REDIRECT_URI", "HUBSPOT_APP_BASE"):
        monkeypatch.delenv(name)
    monkeypatch.setattr(builtins, "input", refuse_input)
    hub = hnb.login(interactive="input")  # the stored secret lets it refresh later, too
    hub.token.refresh()
    assert hub.connected


def test_expired_cached_token_is_refreshed_on_login(fresh_sandbox, monkeypatch, capsys):
    sb = fresh_sandbox(token_lifetime_s=1, **SMALL)
    app_env(monkeypatch, sb)
    monkeypatch.setattr(builtins, "input", FakeUser(sb, capsys))
    first = hnb.login(interactive="input").token.access_token
    import time

    time.sleep(1.1)
    monkeypatch.setattr(builtins, "input", refuse_input)
    hub = hnb.login(interactive="input")
    assert hub.token.access_token != first
    assert requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()["refreshes"] == 1


def test_dead_cached_login_starts_a_new_one(fresh_sandbox, monkeypatch, capsys):
    sb = fresh_sandbox(**SMALL)
    app_env(monkeypatch, sb)
    monkeypatch.setattr(builtins, "input", FakeUser(sb, capsys))
    old = hnb.login(interactive="input")
    hnb.logout(old)  # revoked at the sandbox and gone from the cache
    monkeypatch.setattr(builtins, "input", FakeUser(sb, capsys))
    assert hnb.login(interactive="input").connected

    # a revoked refresh token still in the cache: login says so and starts a new login
    hub = hnb.login(interactive="input", force=True)
    rt = hub.token.to_record()["refresh_token"]
    requests.delete(f"{sb.base_url}/oauth/v1/refresh-tokens/{rt}", timeout=10)
    requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10)
    store = TokenCache()
    record = store.load(sb.client_id, sb.hub_id)
    store.save({**record, "expires_at": 0})  # the client also knows it expired
    user = FakeUser(sb, capsys)
    monkeypatch.setattr(builtins, "input", user)
    fresh = hnb.login(interactive="input")
    assert fresh.connected and user.prompts


def test_asking_for_new_scopes_bypasses_the_cache(fresh_sandbox, monkeypatch, capsys):
    sb = fresh_sandbox(**SMALL)
    app_env(monkeypatch, sb)
    monkeypatch.setattr(builtins, "input", FakeUser(sb, capsys))
    hnb.login(interactive="input")
    user = FakeUser(sb, capsys)
    monkeypatch.setattr(builtins, "input", user)
    hub = hnb.login(interactive="input", scopes=[*DEFAULT_SCOPES, "crm.objects.contacts.write"])
    assert user.prompts and "crm.objects.contacts.write" in hub.token.scopes


def test_denied_terminal_login_raises_in_plain_words(sandbox, monkeypatch, capsys):
    app_env(monkeypatch, sandbox)
    monkeypatch.setattr(builtins, "input", FakeUser(sandbox, capsys, decision="deny"))
    with pytest.raises(hnb.LoginFailed, match="denied"):
        hnb.login(interactive="input", cache=False)


def test_first_run_in_widget_mode_returns_a_pending_hub(sandbox, monkeypatch):
    app_env(monkeypatch, sandbox)
    hub = hnb.login(interactive="widget")
    assert not hub.connected
    assert repr(hub) == "<Hub: not logged in yet>"
    with pytest.raises(hnb.NotLoggedIn, match="Finish the login in the widget"):
        hub.token  # noqa: B018
    with pytest.raises(hnb.NotLoggedIn, match="Finish the login in the widget"):
        hub.client  # noqa: B018 - what every data helper goes through


def test_no_app_configured_says_what_to_set():
    with pytest.raises(hnb.ConfigError) as info:
        hnb.login(interactive="input")
    text = str(info.value)
    assert "HUBSPOT_CLIENT_ID" in text and "access_token=" in text and "sandbox=True" in text


def test_missing_redirect_uri_says_what_to_set():
    with pytest.raises(hnb.ConfigError, match="HUBSPOT_REDIRECT_URI"):
        hnb.login(client_id="cid", client_secret="s", interactive="input")


# -- private-app tokens ------------------------------------------------------------------------------------
def test_private_app_login_by_argument_and_env(fresh_sandbox, monkeypatch):
    pat = f"pat-na1-{uuid.uuid4()}"
    sb = fresh_sandbox(private_tokens=[pat], **SMALL)
    hub = hnb.login(access_token=pat, api_base=sb.base_url)
    assert hub.connected and hub.info.hub_id == sb.hub_id == hub.token.hub_id
    assert hub.token.kind == "private-app" and hub.info.token_kind == "private-app"
    assert not hub.token.can_refresh and hub.token.expires_at is None
    assert pat not in repr(hub.token) and pat[:-4] not in repr(hub)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", pat)
    monkeypatch.setenv("HUBSPOT_API_BASE", sb.base_url)
    assert hnb.login().token.kind == "private-app"
    assert TokenCache().entries() == []  # static tokens are not cached: they come from the user


def test_bad_private_app_token_is_explained(sandbox):
    with pytest.raises(hnb.LoginFailed) as info:
        hnb.login(access_token=f"pat-na1-{uuid.uuid4()}", api_base=sandbox.base_url)
    assert info.value.reason == "bad_token" and "Private apps" in str(info.value)


# -- the embedded sandbox ------------------------------------------------------------------------------------
def test_login_with_a_running_sandbox(sandbox):
    hub = hnb.login(sandbox=sandbox, auto_approve=True)
    assert hub.connected and hub.sandbox is sandbox and hub.api_base == sandbox.base_url
    assert TokenCache().entries() == []  # sandbox tokens die with it: memory only by default


def test_sandbox_widget_link_opens_its_consent_page(sandbox):
    hub = hnb.login(sandbox=sandbox, interactive="widget")
    assert not hub.connected
    widget = hub.login_widget
    assert widget.hub is hub
    assert widget.flow.authorize_url.startswith(f"{sandbox.public_url}/oauth/authorize?")
    assert widget.flow.redirect_uri == f"{sandbox.public_url}/oauth/callback"
    assert widget.secret.layout.display == "none"  # built-in app: no secret to ask
    page = requests.get(widget.flow.authorize_url, timeout=10)
    assert page.status_code == 200


def test_login_sandbox_true_starts_one_and_reuses_it(monkeypatch):
    monkeypatch.setattr(login_module, "_SANDBOX", None)
    hub = hnb.login(sandbox=True, auto_approve=True)
    try:
        assert hub.connected and hub.sandbox.running
        assert hub.sandbox.base_url.startswith("http://127.0.0.1:")
        again = hnb.login(sandbox=True, auto_approve=True)
        assert again.sandbox is hub.sandbox
    finally:
        hub.sandbox.stop()


def test_sandbox_behind_jupyterhub_proxy(monkeypatch):
    monkeypatch.setattr(login_module, "_SANDBOX", None)
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ann/")
    hub = hnb.login(sandbox=True, interactive="widget")
    sb = hub.sandbox
    try:
        port = urlsplit(sb.base_url).port
        assert sb.public_url == f"/user/ann/proxy/{port}"
        widget = hub.login_widget
        # the browser goes through the notebook server's proxy; the kernel talks to loopback
        assert widget.flow.authorize_url.startswith(f"/user/ann/proxy/{port}/oauth/authorize?")
        assert 'href="/user/ann/proxy/' in widget.link.value
        assert widget.flow.api_base == sb.base_url
        # a user's browser would land on /user/ann/proxy/<port>/oauth/callback?code=…
        query = {k: v[-1] for k, v in parse_qs(urlsplit(widget.flow.authorize_url).query).items()}
        resp = requests.post(
            f"{sb.base_url}/oauth/authorize", data={**query, "decision": "approve"}, allow_redirects=False
        )
        location = resp.headers["Location"]
        # sent root-relative: jupyter-server-proxy itself prefixes it with /user/ann/proxy/<port>
        assert location.startswith("/oauth/callback?code=")
        widget.paste.value = location
        widget.connect_button.click()
        assert hub.connected, widget.status_text
    finally:
        sb.stop()


def test_auto_approve_is_only_for_the_sandbox():
    with pytest.raises(hnb.ConfigError, match="sandbox"):
        hnb.login(client_id="c", redirect_uri="https://x.example/cb", auto_approve=True)


# -- settings ---------------------------------------------------------------------------------
def test_arguments_win_over_env_and_defaults_apply(monkeypatch):
    monkeypatch.setenv("HUBSPOT_CLIENT_ID", "from-env")
    monkeypatch.setenv("HUBSPOT_SCOPES", "oauth, crm.objects.contacts.read")
    settings = resolve(client_id="from-arg")
    assert settings.client_id == "from-arg" and settings.sources["client_id"] == "argument"
    assert settings.scopes == ["oauth", "crm.objects.contacts.read"] and settings.sources["scopes"] == "env"
    assert settings.optional_scopes == DEFAULT_OPTIONAL_SCOPES
    assert resolve().client_id == "from-env"
    monkeypatch.delenv("HUBSPOT_SCOPES")
    assert resolve().scopes == DEFAULT_SCOPES
    assert {
        "crm.objects.contacts.read",
        "crm.objects.companies.read",
        "crm.objects.deals.read",
        "oauth",
    } <= set(DEFAULT_SCOPES)
    # No optional scopes by default (HubSpot refuses a scope the app lacks); the analysis preset has them.
    assert DEFAULT_OPTIONAL_SCOPES == []
    assert {"content", "forms", "marketing.campaigns.read", "business-intelligence", "tickets"} <= set(
        ANALYSIS_OPTIONAL_SCOPES
    )
    assert "crm.objects.tickets.read" not in ANALYSIS_OPTIONAL_SCOPES + DEFAULT_SCOPES


def test_settings_repr_hides_secrets(monkeypatch):
    monkeypatch.setenv("HUBSPOT_CLIENT_SECRET", "shh-0123456789")
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-0123456789")
    text = repr(resolve())
    assert "shh-0123456789" not in text and "pat-na1-0123456789" not in text
