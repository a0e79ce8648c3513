"""The sandbox's login pages over real HTTP: consent page, approve/deny redirects, validation
errors shown as pages, and the callback page that shows the code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from helpers import configure

from hubspot_nb.sandbox import CLIENT_ID, CLIENT_SECRET

SCOPES = "crm.objects.contacts.read oauth"


def authorize_params(sb, **overrides):
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": f"{sb.base_url}/oauth/callback",
        "scope": SCOPES,
        "optional_scope": "forms",
        "state": "st-123",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def decide(sb, decision, **overrides):
    data = {**authorize_params(sb, **overrides), "decision": decision}
    return requests.post(f"{sb.base_url}/oauth/authorize", data=data, allow_redirects=False, timeout=10)


def test_consent_page_lists_portal_app_and_scopes_with_a_relative_form(sandbox):
    page = requests.get(f"{sandbox.base_url}/oauth/authorize", params=authorize_params(sandbox), timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    text = page.text
    assert sandbox.app_name in text and sandbox.portal_name in text and str(sandbox.hub_id) in text
    for scope in ("crm.objects.contacts.read", "oauth", "forms"):
        assert f"<code>{scope}</code>" in text
    # Relative action: the page must work behind a path prefix (jupyter-server-proxy).
    assert '<form method="post" action="authorize">' in text
    assert 'name="decision" value="approve"' in text and 'name="decision" value="deny"' in text
    assert 'name="state" value="st-123"' in text


def test_approve_redirects_with_a_code_and_the_state(sandbox):
    resp = decide(sandbox, "approve", redirect_uri="http://localhost:8123/done?keep=1")
    assert resp.status_code == 302
    where = urlsplit(resp.headers["Location"])
    assert (where.scheme, where.netloc, where.path) == ("http", "localhost:8123", "/done")
    query = parse_qs(where.query)
    assert query["keep"] == ["1"] and query["state"] == ["st-123"]
    assert len(query["code"][0]) >= 20


def test_deny_redirects_with_access_denied(sandbox):
    resp = decide(sandbox, "deny")
    assert resp.status_code == 302
    query = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert query == {"error": ["access_denied"], "state": ["st-123"]}


def test_missing_decision_is_a_page_not_a_redirect(sandbox):
    resp = decide(sandbox, "maybe")
    assert resp.status_code == 400 and "approve or deny" in resp.text


def test_validation_errors_are_html_pages_not_redirects(sandbox):
    cases = {
        "client_id": (authorize_params(sandbox, client_id="someone-else"), "Unknown client_id"),
        "redirect": (authorize_params(sandbox, redirect_uri="https://evil.example/cb"), "not registered"),
        "https-localhost": (
            authorize_params(sandbox, redirect_uri="https://localhost:9/cb"),
            "not registered",
        ),
        "header-injection": (
            authorize_params(sandbox, redirect_uri="http://localhost:9/cb\r\nSet-Cookie: x=1"),
            "not registered",
        ),
        "unknown scope": (authorize_params(sandbox, scope="oauth crm.objects.unicorns.read"), "unicorns"),
        "no scope": (authorize_params(sandbox, scope=None), "no scope"),
    }
    for name, (params, expected) in cases.items():
        for method in ("GET", "POST"):
            if method == "GET":
                resp = requests.get(f"{sandbox.base_url}/oauth/authorize", params=params, timeout=10)
            else:
                data = {**params, "decision": "approve"}
                resp = requests.post(
                    f"{sandbox.base_url}/oauth/authorize", data=data, allow_redirects=False, timeout=10
                )
            assert resp.status_code == 400, (name, method)
            assert "Location" not in resp.headers, (name, method)
            assert resp.headers["Content-Type"].startswith("text/html")
            assert expected in resp.text, (name, method)


def redeem(sb, location):
    code = parse_qs(urlsplit(location).query)["code"][0]
    return requests.post(
        f"{sb.base_url}/oauth/2026-03/token",
        data={
            "grant_type": "authorization_code",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": f"{sb.base_url}/oauth/callback",
            "code": code,
        },
        timeout=10,
    ).json()


def refused(sb, **overrides):
    """The GET (HubSpot checks the install URL when it is opened) and the POST of the consent page."""
    params = authorize_params(sb, **overrides)
    page = requests.get(f"{sb.base_url}/oauth/authorize", params=params, timeout=10)
    posted = requests.post(
        f"{sb.base_url}/oauth/authorize",
        data={**params, "decision": "approve"},
        allow_redirects=False,
        timeout=10,
    )
    for resp in (page, posted):
        assert resp.status_code == 400 and "Location" not in resp.headers
        assert resp.headers["Content-Type"].startswith("text/html")
        assert (
            "Couldn&#x27;t complete the connection" in resp.text
            or "Couldn't complete the connection" in resp.text
        )
        assert page.text == resp.text
    return page.text


MISMATCH = (
    "Authorization failed because there is a mismatch between the scopes in the install URL and the "
    "app&#x27;s configured scopes. Please contact the app developer."
)


def test_unknown_scope_names_are_refused_in_scope_and_optional_scope(sandbox):
    for where in ("scope", "optional_scope"):
        value = (
            "oauth crm.objects.contacts.read " if where == "scope" else "forms "
        ) + "crm.objects.unicorns.read"
        text = refused(sandbox, **{where: value})
        assert "An invalid scope name was provided. Please contact the app developer." in text
        assert "crm.objects.unicorns.read" in text  # the sandbox says which one


def test_an_unconfigured_scope_or_a_missing_required_one_is_a_mismatch(fresh_sandbox):
    sb = fresh_sandbox(
        contacts=5, companies=2, deals=2, tickets=2,
        app_scopes="oauth crm.objects.contacts.read", app_optional_scopes=["forms"],
    )  # fmt: skip
    assert decide(sb, "approve").status_code == 302  # exactly the app's scopes: fine
    missing = refused(sb, scope="crm.objects.contacts.read")  # oauth left out
    assert MISMATCH in missing and "lacks the app&#x27;s required scope(s): oauth" in missing
    for overrides in ({"optional_scope": "forms content"}, {"scope": f"{SCOPES} tickets"}):
        text = refused(sb, **overrides)
        assert MISMATCH in text and "not configured with" in text, overrides
    # A configured optional scope may be left out, and a portal that lacks it drops it from the grant.
    assert sorted(redeem(sb, decide(sb, "approve", optional_scope=None).headers["Location"])["scopes"]) == [
        "crm.objects.contacts.read",
        "oauth",
    ]


def test_optional_scopes_the_portal_lacks_are_dropped_required_ones_refused(fresh_sandbox):
    sb = fresh_sandbox(contacts=5, companies=2, deals=2, tickets=2)
    configure(sb, portal_scopes=["oauth", "crm.objects.contacts.read", "forms"])
    location = decide(sb, "approve", optional_scope="forms content marketing.campaigns.read").headers[
        "Location"
    ]
    assert sorted(redeem(sb, location)["scopes"]) == ["crm.objects.contacts.read", "forms", "oauth"]
    page = requests.get(
        f"{sb.base_url}/oauth/authorize",
        params=authorize_params(sb, optional_scope="forms content"),
        timeout=10,
    )
    assert "<code>forms</code>" in page.text and "<code>content</code>" not in page.text
    text = refused(sb, scope=f"{SCOPES} marketing.campaigns.read")
    assert (
        "Authorization failed because your account lacks access to the required scopes "
        "[marketing.campaigns.read]" in text
    )


def test_scope_settings_are_validated_and_shown(sandbox):
    bad = requests.post(
        f"{sandbox.base_url}/_sandbox/config", json={"app_scopes": "oauth unicorns"}, timeout=10
    )
    assert bad.status_code == 400 and "unicorns" in bad.json()["message"]
    bad = requests.post(f"{sandbox.base_url}/_sandbox/config", json={"portal_scopes": 7}, timeout=10)
    assert bad.status_code == 400
    knobs = requests.get(f"{sandbox.base_url}/_sandbox/config", timeout=10).json()
    assert knobs["app_scopes"] == [] and "tickets" in knobs["app_optional_scopes"]
    assert set(knobs["portal_scopes"]) == set(knobs["app_optional_scopes"])


def test_tickets_are_read_with_the_tickets_scope(fresh_sandbox):
    sb = fresh_sandbox(contacts=5, companies=2, deals=2, tickets=3)
    for scopes, status in (("oauth tickets", 200), ("oauth crm.objects.tickets.read", 403)):
        token = sb.oauth_token(scopes.split())["access_token"]
        resp = requests.get(
            f"{sb.base_url}/crm/v3/objects/tickets",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert resp.status_code == status, (scopes, resp.text[:200])
    assert "tickets" in sb.all_scopes() and "crm.objects.tickets.read" not in sb.all_scopes()


def test_user_input_is_escaped_on_every_page(sandbox):
    evil = '"><script>alert(1)</script>'
    consent = requests.get(
        f"{sandbox.base_url}/oauth/authorize", params=authorize_params(sandbox, state=evil), timeout=10
    )
    callback = requests.get(
        f"{sandbox.base_url}/oauth/callback", params={"code": evil, "state": evil}, timeout=10
    )
    error = requests.get(
        f"{sandbox.base_url}/oauth/authorize", params=authorize_params(sandbox, client_id=evil), timeout=10
    )
    for page in (consent, callback, error):
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_callback_page_shows_the_code_with_a_copy_button(sandbox):
    resp = requests.get(
        f"{sandbox.base_url}/oauth/callback", params={"code": "na1-abc", "state": "s1"}, timeout=10
    )
    assert resp.status_code == 200
    assert '<div class="code" id="code">na1-abc</div>' in resp.text
    assert 'id="copy"' in resp.text and "navigator.clipboard" in resp.text and "execCommand" in resp.text
    assert "login cell" in resp.text and "s1" in resp.text


def test_callback_page_explains_a_denied_login_and_a_missing_code(sandbox):
    denied = requests.get(f"{sandbox.base_url}/oauth/callback", params={"error": "access_denied"}, timeout=10)
    assert "cancelled" in denied.text and "login cell again" in denied.text
    empty = requests.get(f"{sandbox.base_url}/oauth/callback", timeout=10)
    assert empty.status_code == 400 and "has none" in empty.text


def test_public_url_path_prefix_is_an_accepted_redirect(fresh_sandbox):
    # Behind jupyter-server-proxy the browser's callback is a path on the notebook server.
    sb = fresh_sandbox(contacts=10, companies=2, deals=2, tickets=2, public_url="/user/ana/proxy/8750")
    callback = "/user/ana/proxy/8750/oauth/callback"
    assert sb.callback_url == callback
    resp = decide(sb, "approve", redirect_uri=callback)
    # jupyter-server-proxy prefixes root-relative Location headers with its own path, so the
    # sandbox answers with the path from its root (a browser talking to it directly gets there too).
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/oauth/callback?code=")
    # Redirects to the user's own loopback URL are left alone.
    elsewhere = decide(sb, "approve", redirect_uri="http://localhost:8123/done")
    assert elsewhere.headers["Location"].startswith("http://localhost:8123/done?code=")
