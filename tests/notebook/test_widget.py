"""LoginWidget driven headless (set values, click, read the status) against the sandbox: success,
every failure explained in the widget, and no secret left in any child's widget state."""

from __future__ import annotations

import socket
import time
from urllib.parse import parse_qs, urlsplit

import ipywidgets as widgets
import pytest
from helpers import APP_SECRET, SMALL, sandbox_flow, widget_state

import hubspot_nb as hnb
from hubspot_nb.auth.cache import TokenCache
from hubspot_nb.auth.flow import OAuthFlow
from hubspot_nb.notebook.login import approve_in_sandbox
from hubspot_nb.notebook.widget import LoginWidget


def make_widget(sb, secret: str | None = APP_SECRET, **options):
    flow = sandbox_flow(sb, secret=secret, **options)
    return LoginWidget(flow, hnb.Hub(api_base=flow.api_base))


def issued_secrets(sb) -> list[str]:
    store = sb.auth
    found = list(store._codes) + list(store._access) + [g.refresh_token for g in store._grants.values()]
    return [*found, sb.client_secret]


def assert_no_secrets(widget, sb):
    text = widget_state(widget)
    assert "sbx-at-" not in text and "sbx-rt-" not in text
    for secret in issued_secrets(sb):
        assert secret not in text, f"secret ending …{secret[-4:]} in widget state"


def test_widget_parts(sandbox):
    w = make_widget(sandbox)
    assert isinstance(w.paste, widgets.Text) and isinstance(w.secret, widgets.Password)
    assert isinstance(w.connect_button, widgets.Button) and isinstance(w.status, widgets.HTML)
    assert 'target="_blank"' in w.link.value
    assert w.flow.authorize_url.replace("&", "&amp;") in w.link.value
    assert w.secret.layout.display == "none"  # the secret came from the arguments: no box
    assert w.status_text == "Not connected yet."


def _text(fragment: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<br\s*/?>", "\n", re.sub(r"<(?!br)[^>]+>", "", fragment)))


def test_widget_shows_the_scopes_it_asks_for_next_to_the_link(sandbox):
    plain = _text(make_widget(sandbox, optional_scopes=[]).link.value)
    assert (
        "Asks for: oauth, crm.objects.contacts.read, crm.objects.companies.read, crm.objects.deals.read."
        in plain
    )
    assert "optional" not in plain.split("\n")[0].split("Asks for:")[1]  # none asked by default
    hint = plain.split("\n")[-1]
    assert hint.startswith(
        "If HubSpot says the scopes do not match, set HUBSPOT_SCOPES / HUBSPOT_OPTIONAL_SCOPES"
    )
    assert "app-hsmeta.json" in hint
    w = make_widget(sandbox, scopes=["oauth", "crm.objects.deals.read"], optional_scopes=["tickets", "forms"])
    plain = _text(w.link.value)
    assert "Asks for: oauth, crm.objects.deals.read (optional: tickets, forms)." in plain
    query = parse_qs(urlsplit(w.flow.authorize_url).query)  # what it shows is what the link asks for
    assert query["scope"] == ["oauth crm.objects.deals.read"] and query["optional_scope"] == ["tickets forms"]
    evil = make_widget(sandbox, scopes=["oauth", "<b>x</b>"])
    assert "<b>x</b>" not in evil.link.value and "&lt;b&gt;x&lt;/b&gt;" in evil.link.value


def test_connect_with_the_redirected_url(sandbox):
    w = make_widget(sandbox)
    w.paste.value = approve_in_sandbox(w.flow, sandbox)
    w.connect_button.click()
    assert w.error is None, w.status_text
    assert w.hub.connected and w.hub.info.hub_id == sandbox.hub_id
    text = w.status_text
    assert "Connected" in text and sandbox.hub_domain in text and sandbox.user_email in text
    assert str(sandbox.hub_id) in text and "crm.objects.contacts.read" in text
    assert "valid until" in text and "UTC" in text
    lines = text.splitlines()  # one line per <br>, not "…example.com.Scopes: …" run together
    assert len(lines) == 4 and lines[1].startswith("Scopes: ") and lines[2].startswith("Access token")
    assert lines[3].startswith("Login ") and lines[3].endswith("Run the next cells.")
    assert w.paste.value == "" and w.paste.disabled
    assert w.connect_button.description == "Connected"
    assert_no_secrets(w, sandbox)


def test_secret_box_when_no_secret_was_given(sandbox):
    w = make_widget(sandbox, secret=None)
    assert w.secret.layout.display == ""
    redirected = approve_in_sandbox(w.flow, sandbox)
    w.paste.value = redirected
    w.connect_button.click()
    assert "client secret is needed" in w.status_text
    assert not w.hub.connected and not w.connect_button.disabled
    w.secret.value = sandbox.client_secret
    w.paste.value = redirected
    w.connect_button.click()
    assert w.hub.connected, w.status_text
    assert w.secret.value == "" and w.secret.layout.display == "none"
    assert_no_secrets(w, sandbox)


def test_wrong_secret_is_explained_and_asked_again(sandbox):
    w = make_widget(sandbox, secret=None)
    w.secret.value = "wrong-secret-0123456789"
    w.paste.value = approve_in_sandbox(w.flow, sandbox)
    w.connect_button.click()
    assert "client secret" in w.status_text and "wrong" in w.status_text
    assert "wrong-secret-0123456789" not in widget_state(w)
    assert w.flow.needs_secret and w.secret.layout.display == ""
    # a second try with the right secret and a new code works in the same widget
    w.secret.value = sandbox.client_secret
    w.paste.value = approve_in_sandbox(w.flow, sandbox)
    w.connect_button.click()
    assert w.hub.connected, w.status_text
    assert_no_secrets(w, sandbox)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("state_mismatch", "different login attempt"),
        ("access_denied", "Access was denied"),
        ("reused", "already used"),
        ("garbage", "does not look like an authorization code"),
        ("empty", "Nothing was pasted"),
        ("network", "Could not reach HubSpot"),
        ("wrong_redirect", "redirect URI"),
    ],
)
def test_failures_are_explained_in_the_widget(sandbox, case, words):
    options = {"api_base": f"http://127.0.0.1:{_closed_port()}"} if case == "network" else {}
    w = make_widget(sandbox, **options)
    if case == "state_mismatch":
        other = make_widget(sandbox)
        pasted = approve_in_sandbox(other.flow, sandbox)
    elif case == "access_denied":
        pasted = approve_in_sandbox(w.flow, sandbox, decision="deny")
    elif case == "reused":
        other = make_widget(sandbox)
        pasted = approve_in_sandbox(other.flow, sandbox)
        other.flow.finish(pasted)
        pasted = parse_qs(urlsplit(pasted).query)["code"][0]
    elif case == "garbage":
        pasted = "I could not find the code"
    elif case == "empty":
        pasted = "  "
    else:
        pasted = approve_in_sandbox(w.flow, sandbox)
        if case == "wrong_redirect":
            w.flow.redirect_uri = "http://127.0.0.1:9/other"
    w.paste.value = pasted
    w.connect_button.click()  # must not raise: errors belong in the status area
    assert not w.hub.connected
    assert words in w.status_text
    assert w.status_text.startswith("Not connected.")
    assert "Traceback" not in w.status_text
    assert w.paste.value == "" and not w.connect_button.disabled
    assert isinstance(w.error, hnb.LoginFailed)
    assert_no_secrets(w, sandbox)


def test_hubspot_5xx_is_explained(fresh_sandbox):
    sb = fresh_sandbox(fault_rate=1.0, fault_kinds=("503",), **SMALL)
    w = make_widget(sb)
    w.paste.value = approve_in_sandbox(w.flow, sb)
    w.connect_button.click()
    assert "temporary problem" in w.status_text and "503" in w.status_text


def test_expired_code_is_explained(fresh_sandbox):
    sb = fresh_sandbox(code_lifetime_s=0.3, **SMALL)
    w = make_widget(sb)
    w.paste.value = approve_in_sandbox(w.flow, sb)
    time.sleep(0.5)
    w.connect_button.click()
    assert "expired" in w.status_text


class ExplodingFlow(OAuthFlow):
    """A flow whose finish fails in a way we did not plan for, quoting the secret it holds."""

    def finish(self, pasted):
        raise RuntimeError(f"boom while using {self.secrets()[0]}")


def test_unexpected_errors_are_shown_scrubbed(sandbox):
    flow = ExplodingFlow(
        sandbox.client_id,
        "very-secret-value-123",
        sandbox.callback_url,
        api_base=sandbox.base_url,
        cache=False,
    )
    w = LoginWidget(flow)
    w.paste.value = "some-code"
    w.connect_button.click()
    assert "Something unexpected went wrong (RuntimeError" in w.status_text
    assert "very-secret-value-123" not in w.status_text and "***" in w.status_text
    assert isinstance(w.error, RuntimeError)


def test_widget_saves_to_the_cache_and_says_so(sandbox, tmp_path):
    w = make_widget(sandbox, cache=TokenCache(tmp_path))
    w.paste.value = approve_in_sandbox(w.flow, sandbox)
    w.connect_button.click()
    assert "saved on this machine" in w.status_text
    assert hnb.connect(cache_dir=tmp_path).token.hub_id == sandbox.hub_id


def test_memory_only_login_says_so(sandbox):
    w = make_widget(sandbox)
    w.paste.value = approve_in_sandbox(w.flow, sandbox)
    w.connect_button.click()
    assert "kept in memory only" in w.status_text
