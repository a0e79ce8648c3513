"""Every mistake a user can make is explained: 26 login inputs through the real ``LoginWidget``
against the sandbox, and bad arguments to the data helpers.

Login: each input gets the outcome it should (connected, or refused with a specific reason), the
widget's status says so in plain words — a distinct message per kind of mistake, never a
traceback or an exception class — and the paste box is emptied. Data helpers: unknown object type,
unknown property, bad date, bad filter operator (and their marketing cousins) raise
``InvalidInput`` whose message lists the valid choices.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pandas as pd
import pytest
import requests
from helpers import APP_SECRET, configure, sandbox_flow, widget_state
from reltools import Figures, Ledger

import hubspot_nb as hnb
from hubspot_nb.auth.flow import OAuthFlow
from hubspot_nb.errors import InvalidInput, LoginFailed
from hubspot_nb.notebook.widget import LoginWidget
from hubspot_nb.sandbox import Sandbox

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

WRONG_SECRET = "not-the-app-secret-7f3a9c"  # watched by the ledger like a real secret
# What must never reach a user's eyes in the status line.
NOT_FOR_USERS = (
    "Traceback",
    'File "',
    "LoginFailed",
    "APIError",
    "Exception",
    "Error(",
    "requests.",
    "urllib3",
)


def make_flow(sb: Sandbox, secret: str | None = APP_SECRET, redirect_uri: str | None = None) -> OAuthFlow:
    return sandbox_flow(sb, secret=secret, redirect_uri=redirect_uri)


def consent(sb: Sandbox, authorize_url: str, decision: str = "approve") -> str:
    """Answer the consent page like a browser; the address the browser is sent to."""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    with requests.Session() as session:
        page = session.get(f"{sb.base_url}/oauth/authorize", params=query, timeout=10)
        assert page.status_code == 200, page.text[:300]
        resp = session.post(
            f"{sb.base_url}/oauth/authorize",
            data={**query, "decision": decision},
            allow_redirects=False,
            timeout=10,
        )
    assert resp.status_code in (302, 303), resp.text[:300]
    return urljoin(sb.base_url + "/", resp.headers["Location"])


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def code_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["code"][0]


@dataclass
class Case:
    name: str
    paste: Callable[[Sandbox, OAuthFlow], str]
    reason: str  # "ok" or LoginFailed.reason
    phrase: str  # words the message must contain
    secret: str | None = APP_SECRET


def _expired(sb: Sandbox, flow: OAuthFlow) -> str:
    configure(sb, code_lifetime_s=0)
    try:
        return consent(sb, flow.authorize_url)
    finally:
        configure(sb, code_lifetime_s=300)


def _reused(sb: Sandbox, flow: OAuthFlow) -> str:
    url = consent(sb, flow.authorize_url)
    make_flow(sb).finish(code_of(url))  # someone (another tab) already used it
    return code_of(url)


def _other_app(sb: Sandbox, flow: OAuthFlow) -> str:
    other = make_flow(sb, redirect_uri="http://127.0.0.1:9/other-app/callback")
    return code_of(consent(sb, other.authorize_url))


def _wrong_redirect(sb: Sandbox, flow: OAuthFlow) -> str:
    # The link was edited to another (registered) redirect: the code is bound to that one. (The
    # whole address is refused before the exchange, see "URL from another address"; the code alone
    # reaches the token endpoint, which refuses it.)
    return code_of(
        consent(sb, with_query(flow.authorize_url, redirect_uri="http://localhost:5555/elsewhere"))
    )


def _foreign_address(sb: Sandbox, flow: OAuthFlow) -> str:
    # A valid code on another host, without state: once accepted, now refused.
    return f"https://evil.example/oauth/callback?code={code_of(consent(sb, flow.authorize_url))}"


def _stale_state(sb: Sandbox, flow: OAuthFlow) -> str:
    # The address from an earlier Authorize link (an older run of the login cell).
    return consent(sb, make_flow(sb).authorize_url)


def _html(sb: Sandbox, flow: OAuthFlow) -> str:
    url = consent(sb, flow.authorize_url)
    # The browser's visit to the callback page (urllib, so it stays out of the product's logs).
    with urllib.request.urlopen(url, timeout=10) as page:
        return page.read().decode()  # the whole callback page's HTML


# Pastes the cases below build from the sandbox and the login's own flow.
def _url(sb: Sandbox, flow: OAuthFlow) -> str:
    return consent(sb, flow.authorize_url)


def _code(sb: Sandbox, flow: OAuthFlow) -> str:
    return code_of(_url(sb, flow))


def _wrong_state(sb: Sandbox, flow: OAuthFlow) -> str:
    return with_query(_url(sb, flow), state="someone-elses-state")


def _no_state(sb: Sandbox, flow: OAuthFlow) -> str:
    return f"{sb.callback_url}?code={_code(sb, flow)}"


def _denied(sb: Sandbox, flow: OAuthFlow) -> str:
    return consent(sb, flow.authorize_url, "deny")


def _invalid_scope(sb: Sandbox, flow: OAuthFlow) -> str:
    return f"{sb.callback_url}?error=invalid_scope&state={flow.state}"


def _truncated(sb: Sandbox, flow: OAuthFlow) -> str:
    return _code(sb, flow)[:-7]


def _elsewhere(sb: Sandbox, flow: OAuthFlow) -> str:
    return f"http://localhost:5555/elsewhere?state={flow.state}"


CALLBACK_NO_QUERY = "https://app.hubspot.com/oauth/callback"
CASES = [
    Case("empty", lambda sb, f: "", "empty", "Nothing was pasted"),
    Case("only spaces", lambda sb, f: "  \n\t  ", "empty", "Nothing was pasted"),
    Case("bare code", _code, "ok", "Connected"),
    Case("quoted code", lambda sb, f: f'"{_code(sb, f)}"', "ok", "Connected"),
    Case("code with spaces and newline", lambda sb, f: f"  {_code(sb, f)}\n", "ok", "Connected"),
    Case("whole URL", _url, "ok", "Connected"),
    Case("URL in angle brackets", lambda sb, f: f"<{_url(sb, f)}>", "ok", "Connected"),
    Case("URL with a wrong state", _wrong_state, "state_mismatch", "different login attempt"),
    Case("URL from another address", _foreign_address, "foreign_address", "not this login's redirect URI"),
    Case("URL without a state", _no_state, "no_state", "no state parameter"),
    Case("URL with a stale state", _stale_state, "state_mismatch", "earlier Authorize link"),
    Case("URL with error=access_denied", _denied, "access_denied", "denied"),
    Case("URL with error=invalid_scope", _invalid_scope, "invalid_scope", "instead of a code"),
    Case("expired code", _expired, "expired_code", "expired"),
    Case("reused code", _reused, "bad_code", "already used"),
    Case("another app's code", _other_app, "bad_redirect_uri", "redirect URI"),
    Case("wrong redirect URI", _wrong_redirect, "bad_redirect_uri", "redirect URI"),
    Case("wrong client secret", _url, "bad_client", "client secret", WRONG_SECRET),
    Case("no client secret", _url, "no_secret", "client secret is needed", None),
    Case("10 kB garbage", lambda sb, f: ("garbage!-" * 1200)[:10_240], "bad_paste", "does not look like"),
    Case("unicode", lambda sb, f: "кóд-ünïcødé-🔑-コード", "bad_code", "did not accept this code"),
    Case("truncated code", _truncated, "bad_code", "copied incompletely"),
    Case("URL with no code", _elsewhere, "no_code", "no code"),
    Case("address with no query", lambda sb, f: CALLBACK_NO_QUERY, "no_code", "no code"),
    Case("the authorize link itself", lambda sb, f: f.authorize_url, "no_code", "no code"),
    Case("HTML pasted", _html, "no_code", "no code"),
]


def test_every_login_input_gets_a_specific_plain_message(
    rel_sandbox: Any, figures: Figures, ledger: Ledger
) -> None:
    sb = rel_sandbox(contacts=20, companies=5, deals=5, tickets=2)
    ledger.secret(WRONG_SECRET)
    messages: dict[str, set[str]] = {}
    outcomes = []
    for case in CASES:
        flow = make_flow(sb, case.secret)
        widget = LoginWidget(flow, hnb.Hub(api_base=flow.api_base))
        pasted = case.paste(sb, flow)
        widget.paste.value = pasted
        widget.connect_button.click()
        status = widget.status_text
        ledger.text(f"widget status ({case.name})", status)
        ledger.text(f"widget state ({case.name})", widget_state(widget))
        if widget.error is not None:
            ledger.exception(f"login error ({case.name})", widget.error)
        assert widget.paste.value == "" and widget.secret.value == "", case.name
        for word in NOT_FOR_USERS:
            assert word not in status, f"{case.name}: {word!r} shown to the user: {status}"
        if case.reason == "ok":
            assert widget.error is None, f"{case.name}: {widget.error}"
            assert status.startswith("Connected"), f"{case.name}: {status}"
            assert widget.hub.connected
        else:
            assert isinstance(widget.error, LoginFailed), f"{case.name}: {widget.error!r}"
            assert widget.error.reason == case.reason, f"{case.name}: {widget.error.reason} != {case.reason}"
            assert status.startswith("Not connected."), f"{case.name}: {status}"
            assert case.phrase.lower() in status.lower(), f"{case.name}: {status}"
            assert str(widget.error) in status  # the whole explanation reaches the user
            assert not widget.hub.connected
            messages.setdefault(case.reason, set()).add(str(widget.error))
        outcomes.append(case.reason)

    # One kind of mistake, one explanation: no two reasons share a message.
    reasons = list(messages)
    for i, a in enumerate(reasons):
        for b in reasons[i + 1 :]:
            assert not messages[a] & messages[b], f"{a} and {b} give the same message"
    distinct = set().union(*messages.values())
    assert len(CASES) >= 15 and len(distinct) >= 10
    figures.set("bad_input", "login_cases", len(CASES))
    figures.set("bad_input", "login_failures", sum(r != "ok" for r in outcomes))
    figures.set("bad_input", "login_successes", sum(r == "ok" for r in outcomes))
    figures.set("bad_input", "distinct_messages", len(distinct))
    figures.set("bad_input", "failure_reasons", sorted(messages))


# -- data helpers ------------------------------------------------------------------------------------
T0, T1 = pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-01-08", tz="UTC")
DATA_CASES: list[tuple[str, Callable[[hnb.Hub], Any], tuple[str, ...]]] = [
    ("unknown object type", lambda h: h.objects("contactz"), ("contacts", "companies", "deals", "tickets")),
    ("unknown association type", lambda h: h.deals(associations=["companys2"]), ("contacts", "companies")),
    ("misspelt property", lambda h: h.contacts(properties=["emial"]), ("'email'", "hub.properties")),
    ("unknown property", lambda h: h.contacts(properties=["zzqx_nothing"]), ("hub.properties('contacts')",)),
    ("bad date (words)", lambda h: h.contacts(since="yesterday"), ("ISO date", "2025-01-31")),
    ("bad date (impossible)", lambda h: h.contacts(since="2025-13-45"), ("ISO date",)),
    (
        "bad filter operator",
        lambda h: h.search("contacts", {"email__like": "x"}),
        ("__eq", "__in", "__contains"),
    ),
    (
        "bad HubSpot operator",
        lambda h: h.search("contacts", [{"propertyName": "email", "operator": "LIKE", "value": "x"}]),
        ("EQ", "HAS_PROPERTY", "CONTAINS_TOKEN"),
    ),
    ("misspelt filter property", lambda h: h.search("contacts", {"emial": "x"}), ("'email'",)),
    ("misspelt sort property", lambda h: h.search("contacts", sort="-createdat"), ("'createdate'",)),
    (
        "bad sort direction",
        lambda h: h.search("contacts", sort={"propertyName": "email", "direction": "UP"}),
        ("ASCENDING", "DESCENDING"),
    ),
    ("bad events start", lambda h: h.email_events("the other day", T1), ("date or time",)),
    ("unknown event type", lambda h: h.email_events(T0, T1, event_types="OPENED"), ("OPEN", "CLICK", "SENT")),
    ("unknown interval", lambda h: h.email_statistics(T0, T1, interval="fortnight"), ("WEEK", "DAY")),
    ("unknown traffic breakdown", lambda h: h.traffic("referrers"), ("sources", "geolocation")),
    ("unknown traffic period", lambda h: h.traffic("sources", "hourly"), ("daily", "monthly")),
    (
        "unknown attribution model",
        lambda h: h.campaigns(revenue=True, attribution_model="MAGIC"),
        ("LINEAR",),
    ),
    ("negative limit", lambda h: h.contacts(limit=-1), ("positive",)),
]


@pytest.mark.parametrize("name", [c[0] for c in DATA_CASES])
def test_bad_data_arguments_say_what_is_valid(
    rel_sandbox: Any, name: str, figures: Figures, ledger: Ledger
) -> None:
    sb = rel_sandbox(contacts=30, companies=5, deals=5, tickets=2, emails=5)
    token = hnb.Token.from_response(
        sb.oauth_token(), client_id=sb.client_id, client_secret=sb.client_secret, api_base=sb.base_url
    )
    hub = hnb.Hub(token, api_base=sb.base_url, progress=False)
    _, call, choices = next(c for c in DATA_CASES if c[0] == name)
    with pytest.raises(InvalidInput) as caught:
        call(hub)
    ledger.exception(name, caught.value)
    message = str(caught.value)
    for choice in choices:
        assert choice in message, f"{name}: {choice!r} missing from {message!r}"
    figures.add("bad_input", "data_cases")
