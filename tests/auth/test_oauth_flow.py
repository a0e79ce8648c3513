"""OAuthFlow against the sandbox over real HTTP: the authorize link, the paste parser, every way a
login can fail (each with its plain-words reason), the three token endpoints, and the URL rule."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from helpers import stats

import hubspot_nb as hnb
from hubspot_nb.auth.flow import parse_pasted
from hubspot_nb.auth.settings import DEFAULT_OPTIONAL_SCOPES, DEFAULT_SCOPES, check_base_url
from hubspot_nb.notebook.login import approve_in_sandbox


def make_flow(sb, **options):
    defaults = dict(
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        redirect_uri=sb.callback_url,
        api_base=sb.base_url,
        app_base=sb.public_url,
        cache=False,
    )
    return hnb.OAuthFlow(**{**defaults, **options})


# -- the authorize link ---------------------------------------------------------------------------
def test_authorize_url_carries_everything_hubspot_needs(sandbox):
    flow = make_flow(sandbox)
    parts = urlsplit(flow.authorize_url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{sandbox.public_url}/oauth/authorize"
    assert query["client_id"] == [sandbox.client_id]
    assert query["redirect_uri"] == [sandbox.callback_url]
    assert query["scope"][0].split(" ") == DEFAULT_SCOPES
    # No optional scopes unless the user names them (the app must be configured with each one).
    assert DEFAULT_OPTIONAL_SCOPES == [] and "optional_scope" not in query
    assert "%20" in flow.authorize_url and "+" not in parts.query  # spaces as HubSpot's SDKs send them
    assert query["state"] == [flow.state] and len(flow.state) >= 24
    assert make_flow(sandbox).state != flow.state  # random per login


def test_authorize_url_is_accepted_by_the_consent_page(sandbox):
    page = requests.get(make_flow(sandbox).authorize_url, timeout=10)
    assert page.status_code == 200 and "decision" in page.text


# -- the paste parser --------------------------------------------------------------------------------
CODE = "na1-0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "pasted",
    [
        CODE,
        f"  {CODE}  ",
        f"\n{CODE}\n",
        f'"{CODE}"',
        f"'{CODE}'\n",
        f"“{CODE}”",
        f"https://example.com/cb?code={CODE}&state=s1",
        f"  http://localhost:8888/callback?state=s1&code={CODE}\n",
        f"?code={CODE}&state=s1",
        f"code={CODE}&state=s1",
        f"/user/ann/proxy/8750/oauth/callback?code={CODE}&state=s1",
        f"https://example.com/cb#code={CODE}&state=s1",
    ],
)
def test_paste_parser_finds_the_code(pasted):
    assert parse_pasted(pasted).code == CODE


@pytest.mark.parametrize(
    ("pasted", "reason"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ('""', "empty"),
        ("https://example.com/cb?foo=bar", "no_code"),
        ("the code is na1-123", "bad_paste"),
    ],
)
def test_paste_parser_refuses_garbage_in_plain_words(pasted, reason):
    with pytest.raises(hnb.LoginFailed) as info:
        parse_pasted(pasted)
    assert info.value.reason == reason
    assert "paste" in str(info.value).lower()


# -- happy paths ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["url", "code", "quoted"])
def test_finish_connects_a_hub_with_portal_info(sandbox, how):
    flow = make_flow(sandbox)
    redirected = approve_in_sandbox(flow, sandbox)
    code = parse_qs(urlsplit(redirected).query)["code"][0]
    pasted = {"url": redirected, "code": code, "quoted": f' "{code}"\n'}[how]
    authorized = flow.finish(pasted)  # the token and its portal; auth never builds a Hub
    hub = hnb.Hub.from_login(authorized)
    assert hub.connected and hub.token is authorized.token and hub.info is authorized.info
    assert hub.api_base == sandbox.base_url
    assert hub.info.hub_id == sandbox.hub_id == hub.token.hub_id
    assert hub.info.user == sandbox.user_email  # from introspection
    assert hub.info.hub_domain == sandbox.hub_domain
    assert set(DEFAULT_SCOPES) <= set(hub.token.scopes)
    assert 1700 < hub.token.expires_in <= 1800
    assert hub.token.can_refresh
    who = requests.get(
        f"{sandbox.base_url}/account-info/v3/details",
        headers={"Authorization": f"Bearer {hub.token.bearer()}"},
        timeout=10,
    )
    assert who.status_code == 200 and who.json()["portalId"] == sandbox.hub_id


@pytest.mark.parametrize("version", ["2026-03", "v3", "v1"])
def test_token_endpoint_version_is_selectable(fresh_sandbox, version):
    sb = fresh_sandbox(contacts=20, companies=5, deals=5, tickets=2)
    flow = make_flow(sb, token_endpoint=version)
    hub = hnb.Hub.from_login(flow.finish(approve_in_sandbox(flow, sb)))
    hub.token.refresh()
    routes = stats(sb)["requests"]
    assert routes[f"POST /oauth/{version}/token"] == 2  # the exchange and the refresh
    assert sum(v for k, v in routes.items() if k.endswith("/token")) == 2
    introspected = (
        routes.get("GET /oauth/v1/access-tokens/{token}")
        if version == "v1"
        else routes.get(f"POST /oauth/{version}/token/introspect")
    )
    assert introspected == 1
    assert hub.info.user == sb.user_email


def test_unknown_token_endpoint_is_a_config_error(sandbox):
    with pytest.raises(hnb.ConfigError, match="2026-03"):
        make_flow(sandbox, token_endpoint="v2")


# -- failures, each with a reason and a next step -----------------------------------------------------
def test_state_mismatch_is_refused_before_any_exchange(fresh_sandbox):
    sb = fresh_sandbox(contacts=20, companies=5, deals=5, tickets=2)
    first, second = make_flow(sb), make_flow(sb)
    redirected = approve_in_sandbox(first, sb)
    with pytest.raises(hnb.LoginFailed) as info:
        second.finish(redirected)
    assert info.value.reason == "state_mismatch"
    assert "Authorize" in str(info.value)
    assert "POST /oauth/2026-03/token" not in stats(sb)["requests"]
    assert hnb.Hub.from_login(first.finish(redirected)).connected  # the right flow still can


def test_access_denied_is_reported(sandbox):
    flow = make_flow(sandbox)
    denied = approve_in_sandbox(flow, sandbox, decision="deny")
    assert "error=access_denied" in denied
    with pytest.raises(hnb.LoginFailed) as info:
        flow.finish(denied)
    assert info.value.reason == "access_denied"
    assert "denied" in str(info.value) and "approve" in str(info.value)


def test_reused_code_is_refused(sandbox):
    flow = make_flow(sandbox)
    redirected = approve_in_sandbox(flow, sandbox)
    flow.finish(redirected)
    again = make_flow(sandbox)
    code = parse_qs(urlsplit(redirected).query)["code"][0]
    with pytest.raises(hnb.LoginFailed) as info:
        again.finish(code)
    assert info.value.reason == "bad_code"
    assert "already used" in str(info.value)
    assert CODE not in str(info.value) and code not in str(info.value)


def test_finished_flow_is_single_use(sandbox):
    flow = make_flow(sandbox)
    redirected = approve_in_sandbox(flow, sandbox)
    flow.finish(redirected)
    with pytest.raises(hnb.LoginFailed) as info:
        flow.finish(redirected)
    assert info.value.reason == "state_used"


def test_expired_code_is_refused(fresh_sandbox):
    sb = fresh_sandbox(contacts=20, companies=5, deals=5, tickets=2, code_lifetime_s=0.5)
    flow = make_flow(sb)
    redirected = approve_in_sandbox(flow, sb)
    time.sleep(0.8)
    with pytest.raises(hnb.LoginFailed) as info:
        flow.finish(redirected)
    assert info.value.reason == "expired_code"
    assert "expired" in str(info.value)


def test_wrong_client_secret_is_refused_and_not_echoed(sandbox):
    flow = make_flow(sandbox, client_secret="not-the-secret-1234567890")
    with pytest.raises(hnb.LoginFailed) as info:
        flow.finish(approve_in_sandbox(flow, sandbox))
    assert info.value.reason == "bad_client"
    assert "client secret" in str(info.value)
    assert "not-the-secret" not in str(info.value)


def test_wrong_redirect_uri_is_refused(sandbox):
    flow = make_flow(sandbox)
    redirected = approve_in_sandbox(flow, sandbox)
    flow.redirect_uri = "http://127.0.0.1:9/elsewhere"  # the app's setting changed between the two steps
    code = parse_qs(urlsplit(redirected).query)["code"][0]  # the whole address is refused before this
    with pytest.raises(hnb.LoginFailed) as info:
        flow.finish(code)
    assert info.value.reason == "bad_redirect_uri"
    assert "HUBSPOT_REDIRECT_URI" in str(info.value)


def test_missing_secret_is_asked_for(sandbox):
    flow = make_flow(sandbox, client_secret=None)
    assert flow.needs_secret
    redirected = approve_in_sandbox(flow, sandbox)
    with pytest.raises(hnb.LoginFailed) as info:
        flow.finish(redirected)
    assert info.value.reason == "no_secret"
    flow.set_client_secret(sandbox.client_secret)
    assert hnb.Hub.from_login(flow.finish(redirected)).connected


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_network_down_is_reported(sandbox):
    flow = make_flow(sandbox, api_base=f"http://127.0.0.1:{_closed_port()}")
    redirected = approve_in_sandbox(flow, sandbox)
    with pytest.raises(hnb.LoginFailed) as info:
        flow.finish(redirected)
    assert info.value.reason == "network"
    assert "Could not reach HubSpot" in str(info.value)


def test_hubspot_5xx_is_reported(fresh_sandbox):
    sb = fresh_sandbox(contacts=20, companies=5, deals=5, tickets=2, fault_rate=1.0, fault_kinds=("502",))
    flow = make_flow(sb)
    started = time.monotonic()
    with pytest.raises(hnb.LoginFailed) as info:
        flow.finish(approve_in_sandbox(flow, sb))
    assert info.value.reason == "server_error"
    assert "temporary problem" in str(info.value) and "502" in str(info.value)
    assert stats(sb)["requests"]["POST /oauth/2026-03/token"] == 3  # tried, then retried twice
    assert time.monotonic() - started < 15


def test_html_error_page_from_a_proxy_is_reported():
    class Broken(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(503)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>Service Unavailable</html>")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        flow = hnb.OAuthFlow("cid", "secret", "http://localhost:1/cb", api_base=base, cache=False)
        with pytest.raises(hnb.LoginFailed) as info:
            flow.finish("some-code")
        assert info.value.reason == "server_error"
    finally:
        server.shutdown()
        server.server_close()


# -- the URL rule -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", ["http://api.example.com", "http://10.0.0.5:8750", "ftp://x", "api.hubapi.com"]
)
def test_plain_http_is_refused_off_loopback(url):
    with pytest.raises(hnb.ConfigError):
        check_base_url(url)
    with pytest.raises(hnb.ConfigError):
        hnb.OAuthFlow("cid", "secret", "https://x.example/cb", api_base=url, cache=False)


@pytest.mark.parametrize(
    "url", ["https://api.hubapi.com", "http://127.0.0.1:8750", "http://localhost:1", "http://[::1]:5"]
)
def test_https_and_loopback_http_are_fine(url):
    assert check_base_url(url) == url


def test_env_api_base_over_http_is_refused(monkeypatch):
    monkeypatch.setenv("HUBSPOT_API_BASE", "http://hubspot.internal.example")
    with pytest.raises(hnb.ConfigError, match="https://"):
        hnb.login(client_id="cid", client_secret="s", redirect_uri="https://x.example/cb")


def test_flow_repr_hides_the_secret(sandbox):
    flow = make_flow(sandbox)
    assert sandbox.client_secret not in repr(flow)


# -- a pasted address must be what this login's redirect delivered --------------------------------------
def _swap(url, **parts):
    return urlsplit(url)._replace(**parts).geturl()


def test_an_address_on_another_host_is_refused_even_without_state(fresh_sandbox):
    sb = fresh_sandbox(contacts=5, companies=2, deals=2, tickets=2)
    flow = make_flow(sb)
    redirected = approve_in_sandbox(flow, sb)
    code = parse_qs(urlsplit(redirected).query)["code"][0]
    foreign = [
        f"https://evil.example/oauth/callback?code={code}",  # the old bypass: another host, no state
        f"https://evil.example/oauth/callback?code={code}&state={flow.state}",
        _swap(redirected, netloc=f"localhost:{urlsplit(redirected).port}"),  # another host name
        _swap(redirected, netloc="127.0.0.1:9"),  # another port
        _swap(redirected, path="/oauth/elsewhere"),  # another path
        _swap(redirected, scheme="https"),  # another scheme
    ]
    for pasted in foreign:
        with pytest.raises(hnb.LoginFailed) as info:
            flow.finish(pasted)
        assert info.value.reason == "foreign_address", pasted
        assert "redirect URI" in str(info.value) and "code alone" in str(info.value)
        assert code not in str(info.value) and flow.state not in str(info.value)
    assert "POST /oauth/2026-03/token" not in stats(sb)["requests"]  # refused before any exchange
    assert hnb.Hub.from_login(
        flow.finish(_swap(redirected, netloc=redirected.split("/")[2].upper()))
    ).connected


def test_an_address_without_state_is_refused_but_the_bare_code_works(sandbox):
    flow = make_flow(sandbox)
    redirected = approve_in_sandbox(flow, sandbox)
    code = parse_qs(urlsplit(redirected).query)["code"][0]
    for pasted in (f"{sandbox.callback_url}?code={code}", f"?code={code}", f"code={code}"):
        with pytest.raises(hnb.LoginFailed) as info:
            flow.finish(pasted)
        assert info.value.reason == "no_state", pasted
        assert "no state" in str(info.value) and "code alone" in str(info.value)
    assert hnb.Hub.from_login(flow.finish(code)).connected


def test_a_stale_state_is_refused_with_click_authorize_again(sandbox):
    earlier = make_flow(sandbox)
    stale = approve_in_sandbox(earlier, sandbox)  # an earlier attempt's address, never used
    flow = make_flow(sandbox)  # the user clicked Run again: a new link, a new state
    with pytest.raises(hnb.LoginFailed) as info:
        flow.finish(stale)
    assert info.value.reason == "state_mismatch"
    assert "earlier Authorize link" in str(info.value) and "Authorize link shown here again" in str(
        info.value
    )
    messages = set()
    for reason, pasted in (
        ("foreign_address", _swap(stale, netloc="127.0.0.1:9")),
        ("no_state", stale.split("&state=")[0]),
        ("state_mismatch", stale),
    ):
        with pytest.raises(hnb.LoginFailed) as info:
            flow.check(pasted)
        assert info.value.reason == reason
        messages.add(str(info.value))
    assert len(messages) == 3  # each refusal in its own words


def test_a_relative_redirect_checks_the_path_only(sandbox):
    flow = make_flow(sandbox, redirect_uri="/user/ann/proxy/8750/oauth/callback")
    state = flow.state
    assert (
        flow.check(f"https://hub.example.org/user/ann/proxy/8750/oauth/callback?code=c1&state={state}")
        == "c1"
    )
    assert flow.check(f"/oauth/callback?code=c2&state={state}") == "c2"  # the proxy's root-relative Location
    with pytest.raises(hnb.LoginFailed) as info:
        flow.check(f"https://hub.example.org/user/bob/other?code=c3&state={state}")
    assert info.value.reason == "foreign_address"


def test_a_non_ascii_state_is_a_mismatch_not_a_crash(sandbox):
    with pytest.raises(hnb.LoginFailed) as info:
        make_flow(sandbox).check(f"{sandbox.callback_url}?code=c&state=\u00e9t\u00e9")
    assert info.value.reason == "state_mismatch"
