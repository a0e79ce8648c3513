"""ServiceKeyWidget driven headless (set the box, click, read the status) against the sandbox:
success, a refused key (401), a key lacking a scope (403), an empty box, and no key left in any
child's widget state."""

from __future__ import annotations

import ipywidgets as widgets
from helpers import SMALL, widget_state

import hubspot_nb as hnb
from hubspot_nb.auth.cache import TokenCache
from hubspot_nb.notebook.key_widget import ServiceKeyWidget


def make(sb, store=None):
    return ServiceKeyWidget(hnb.Hub(api_base=sb.base_url), api_base=sb.base_url, store=store)


def test_parts_and_help(sandbox):
    w = make(sandbox)
    assert isinstance(w.key, widgets.Password) and isinstance(w.connect_button, widgets.Button)
    assert "Development › Keys › Service keys" in w.help.value
    assert "Settings › Integrations › Service keys" in w.help.value
    for scope in ("crm.objects.contacts.read", "tickets", "content", "forms", "business-intelligence"):
        assert scope in w.help.value
    assert w.status_text == "Not connected yet."


def test_connect_caches_and_forgets_the_box(sandbox, tmp_path):
    store = TokenCache(tmp_path)
    w = make(sandbox, store)
    key = sandbox.issue_service_key()
    w.key.value = key
    w.connect_button.click()
    assert w.error is None, w.status_text
    assert w.hub.connected and w.hub.info.hub_id == sandbox.hub_id
    assert (
        f"Connected to portal {sandbox.hub_id}" in w.status_text and "saved on this machine" in w.status_text
    )
    assert w.key.value == "" and w.key.disabled and w.connect_button.description == "Connected"
    assert store.find_key(hub_id=sandbox.hub_id)["access_token"] == key
    assert w.hub.token.store is store
    assert key not in widget_state(w)


def test_a_refused_key_is_explained_and_can_be_retried(sandbox):
    w = make(sandbox)
    w.key.value = "a-key-hubspot-never-made-0001"
    w.connect_button.click()
    assert isinstance(w.error, hnb.LoginFailed) and w.error.reason == "bad_key"
    assert "HubSpot refused this key (401): check you copied the whole key" in w.status_text
    assert "Traceback" not in w.status_text and "a-key-hubspot-never-made-0001" not in widget_state(w)
    assert not w.hub.connected and not w.connect_button.disabled and w.key.value == ""
    w.key.value = sandbox.issue_service_key()
    w.connect_button.click()
    assert w.hub.connected, w.status_text


def test_a_key_lacking_a_scope_is_explained(fresh_sandbox):
    sb = fresh_sandbox(service_key_account_info="needs_oauth_scope", **SMALL)
    w = make(sb)
    w.key.value = sb.issue_service_key(["crm.objects.companies.read"])
    w.connect_button.click()
    text = w.status_text
    assert "This key lacks a scope (403: crm.objects.contacts.read)" in text
    assert "Add new scope → tick crm.objects.contacts.read" in text and not w.hub.connected


def test_an_empty_box_says_where_keys_are_made(sandbox):
    w = make(sandbox)
    w.key.value = "   "
    w.connect_button.click()
    assert "No service key given" in w.status_text and "Service keys" in w.status_text


def test_login_shows_it_when_no_oauth_app_is_configured(sandbox):
    hub = hnb.login(api_base=sandbox.base_url, interactive="widget")
    assert isinstance(hub.login_widget, ServiceKeyWidget) and not hub.connected
    try:
        hub.token  # noqa: B018
    except hnb.NotLoggedIn as exc:
        assert "Paste a service key" in str(exc)
    hub.login_widget.key.value = sandbox.issue_service_key()
    hub.login_widget.connect_button.click()
    assert hub.connected
    again = hnb.login(api_base=sandbox.base_url, interactive="widget")
    assert again.connected and not hasattr(again, "login_widget")  # from the cache
