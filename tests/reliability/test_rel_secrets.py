"""No secret leaks: a whole login → pull → refresh → logout flow, a notebook run with DEBUG logging
printed into its outputs, the saved notebooks, private cache files, no plain http:// to a remote
host, and a sandbox that binds loopback unless told otherwise.

The ``ledger`` fixture (conftest) captures every log record at DEBUG and scans them, plus every
text a test hands it, for the secrets the sandbox issued (read from its own token store).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import nbformat
import pytest
from helpers import sandbox_flow
from reltools import SECRET_SHAPES, Ledger, expire_tokens

import hubspot_nb as hnb
from hubspot_nb import cli
from hubspot_nb.auth.cache import TokenCache
from hubspot_nb.auth.settings import check_base_url, resolve
from hubspot_nb.notebook.key_widget import ServiceKeyWidget
from hubspot_nb.notebook.login import approve_in_sandbox
from hubspot_nb.notebook.widget import LoginWidget
from hubspot_nb.sandbox import CLIENT_SECRET, Config, start

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

REPO = Path(__file__).resolve().parents[2]


def test_login_pull_refresh_logout_leaks_nothing_and_keeps_files_private(
    rel_sandbox: Any, tmp_path: Path, ledger: Ledger
) -> None:

    sb = rel_sandbox(token_lifetime_s=30)
    cache_dir = tmp_path / "cache"
    flow = sandbox_flow(sb, TokenCache(cache_dir))
    widget = LoginWidget(flow)
    widget.paste.value = "na1-" + "0" * 32  # a wrong code first
    widget.connect_button.click()
    ledger.text("widget status after a bad code", widget.status_text)
    widget.paste.value = approve_in_sandbox(flow, sb)
    widget.connect_button.click()
    assert widget.error is None, widget.error
    hub = widget.hub
    token = hub.token
    ledger.secret(token.access_token, *token.secrets())  # what the token response gave us
    hub.progress = False
    assert len(hub.contacts(limit=50)) == 50
    expire_tokens(sb)
    assert len(hub.contacts(limit=20)) == 20  # 401, refresh, retry
    token.refresh()

    shown = [hub, token, flow, flow.cache, hub.client, hub.info, resolve(client_secret="x" * 20)]
    for obj in shown:
        ledger.text(f"repr of {type(obj).__name__}", f"{obj!r}\n{obj}")
    ledger.text("widget status", widget.status_text)
    ledger.text("widget state", json.dumps([w.get_state() for w in (widget, *widget.children)], default=str))

    # Private files: every directory 0700, every file 0600 (entries, pointer, lock).
    entries = list(cache_dir.rglob("*"))
    assert any(p.suffix == ".json" for p in entries)
    for path in [cache_dir, *entries]:
        want = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == want, f"{path}: {oct(path.stat().st_mode)}"

    assert hnb.logout(hub, cache_dir=cache_dir)
    with pytest.raises(hnb.RefreshFailed) as dead:
        token.refresh()
    ledger.exception("refresh after logout", dead.value)
    with pytest.raises(hnb.NotLoggedIn) as gone:
        hnb.connect(cache_dir=cache_dir)
    ledger.exception("connect after logout", gone.value)
    with pytest.raises(hnb.APIError) as refused:
        hnb.Hub(hnb.Token("sbx-at-" + "A" * 40), api_base=sb.base_url).client.get("/crm/v3/objects/contacts")
    ledger.exception("an unknown token", refused.value)


def test_service_key_login_cache_and_logout_leak_nothing(
    rel_sandbox: Any, tmp_path: Path, ledger: Ledger
) -> None:
    sb = rel_sandbox(service_keys=["configured-key-0123456789abcdef"])
    cache_dir = tmp_path / "cache"
    key = sb.issue_service_key()
    narrow = sb.issue_service_key(["crm.objects.companies.read"])
    assert {key, narrow, "configured-key-0123456789abcdef"} <= ledger.known()  # keys are looked for
    store = TokenCache(cache_dir)
    widget = ServiceKeyWidget(hnb.Hub(api_base=sb.base_url), api_base=sb.base_url, store=store)
    for typed in ("wrong-key-" + "x" * 20, key):
        widget.key.value = typed
        widget.connect_button.click()
        ledger.text("key widget status", widget.status_text)
        ledger.text("key widget state", json.dumps([w.get_state() for w in (widget, *widget.children)]))
    hub = widget.hub
    assert hub.connected, widget.status_text
    hub.progress = False
    assert len(hub.contacts(limit=5)) == 5
    for obj in (hub, hub.token, hub.info, hub.client, store, resolve(service_key=key)):
        ledger.text(f"repr of {type(obj).__name__}", f"{obj!r}\n{obj}")
    again = hnb.login(api_base=sb.base_url, cache_dir=cache_dir, interactive="widget")
    ledger.text("cached key login", repr(again))
    for path in [cache_dir, *cache_dir.rglob("*")]:
        want = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == want, f"{path}: {oct(path.stat().st_mode)}"
    with pytest.raises(hnb.LoginFailed) as refused:
        hnb.login(service_key="wrong-key-" + "y" * 20, api_base=sb.base_url, cache=False)
    ledger.exception("a refused key", refused.value)
    sb_narrow = rel_sandbox(service_key_account_info="needs_oauth_scope")
    with pytest.raises(hnb.LoginFailed) as lacking:
        hnb.login(
            service_key=sb_narrow.issue_service_key(["forms"]), api_base=sb_narrow.base_url, cache=False
        )
    ledger.exception("a key lacking a scope", lacking.value)
    assert hnb.logout(again, cache_dir=cache_dir) is False
    assert not list((cache_dir / "keys").glob("*.json"))


NOTEBOOK_CELLS = [
    "import logging, sys\n"
    "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, force=True)  # all logs into the outputs",
    "import hubspot_nb as hnb\nhub = hnb.login(sandbox=True, interactive='widget')\nhub.login_widget",
    "from hubspot_nb.notebook.login import approve_in_sandbox\n"
    "w = hub.login_widget\n"
    "w.paste.value = 'not-a-code'\nw.connect_button.click()\nprint(w.status_text)\n"
    "w.paste.value = approve_in_sandbox(w.flow, hub.sandbox)\nw.connect_button.click()\n"
    "print(w.status_text)",
    "hub.progress = False\nprint(hub, hub.token)\nhub.contacts(limit=5)",
    "import requests\nrequests.post(hub.sandbox.base_url + '/_sandbox/expire-tokens')\n"
    "hub.contacts(limit=5)\nhub.token.refresh()\nhub.token",
    "try:\n    hub.contacts(properties=['emial'])\nexcept hnb.InvalidInput as exc:\n    print(exc)",
    "hnb.logout(hub)",
]


def test_a_notebook_run_with_debug_logs_in_its_outputs_keeps_no_secret(
    tmp_path: Path, ledger: Ledger
) -> None:
    # nbclient plays the browser here and logs every comm message it gets at DEBUG (traitlets),
    # including the paste box's value the cell types in, as a browser would hold it. That is the
    # harness's log, not ours: keep it out; the kernel's own logs go into the outputs and are scanned.
    harness_log = logging.getLogger("traitlets")
    old_level = harness_log.level
    harness_log.setLevel(logging.WARNING)  # setLevel also clears the loggers' level caches
    try:
        _run_flow_notebook(tmp_path, ledger)
    finally:
        harness_log.setLevel(old_level)


def _run_flow_notebook(tmp_path: Path, ledger: Ledger) -> None:
    from nbtools import clean_env, kept_text, run_notebook, secret_probe

    path = tmp_path / "flow.ipynb"
    cells = [nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    issued = tmp_path / "issued.json"
    nb, _ = run_notebook(path, clean_env(tmp_path), probes=[secret_probe(issued)], timeout=120)
    secrets = json.loads(issued.read_text())
    assert len(secrets) >= 4  # code, access tokens (login + refreshes), refresh token
    ledger.secret(*secrets)
    kept = kept_text(nb)
    assert "DEBUG" in kept and "refreshed the access token" in kept  # the logs really are in there
    assert "Connected" in kept and "Not connected" in kept
    ledger.text("notebook outputs and widget state", kept)


def test_saved_notebooks_keep_no_secret(ledger: Ledger) -> None:
    paths = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert paths
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        kept = {
            "outputs": [cell.get("outputs", []) for cell in nb.cells],
            "metadata": nb.metadata,  # saved widget state lives here
        }
        ledger.text(f"saved {path.name}", json.dumps(kept, default=str))


def test_the_scan_catches_a_leak(rel_sandbox: Any) -> None:
    """Control: the ledger finds an issued token, a code and the client secret wherever they hide."""
    from reltools import Ledger as Fresh

    sb = rel_sandbox(contacts=10, companies=2, deals=2, tickets=1)
    body = sb.oauth_token()
    book = Fresh()
    book.watch(sb)
    book.text("a careless log line", f"got token {body['access_token']} and {body['refresh_token'][:30]}")
    book.text("a careless repr", f"Flow(secret={CLIENT_SECRET!r})")
    leaks, _, known = book.scan()
    assert len(known) >= 4
    assert any("careless log line: an issued secret" in leak for leak in leaks)
    assert any("refresh token shape" in leak for leak in leaks)  # a prefix is caught by its shape
    assert any("careless repr" in leak for leak in leaks)
    assert set(SECRET_SHAPES) >= {"access token", "refresh token", "authorization code", "service key"}
    key = sb.issue_service_key()
    assert key in book.known()
    book.text("a careless print", f"key={key}")
    leaks, _, _ = book.scan()
    assert any("careless print: an issued secret" in leak for leak in leaks)
    assert any("service key shape" in leak for leak in leaks)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.hubapi.com",
        "http://example.com/api",
        "http://10.0.0.5:8750",
        "http://192.168.1.2",
        "http://[2001:db8::1]",
    ],
)
def test_plain_http_is_refused_for_remote_hosts(url: str, ledger: Ledger) -> None:
    with pytest.raises(hnb.ConfigError) as refused:
        check_base_url(url, what="api_base")
    assert "https://" in str(refused.value)
    with pytest.raises(hnb.ConfigError):
        hnb.OAuthFlow("app", "secret-value-123456", "http://localhost:8888/cb", api_base=url, cache=False)
    token = "pat-na1-00000000-1111-2222-3333-444444444444"
    ledger.secret(token)
    with pytest.raises(hnb.ConfigError) as private:
        hnb.login(access_token=token, api_base=url)
    ledger.exception("private token to a plain-http host", private.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8750", "http://localhost:1", "http://[::1]:8750"])
def test_plain_http_is_allowed_for_loopback(url: str) -> None:
    assert check_base_url(url) == url


def test_the_sandbox_binds_loopback_unless_told_otherwise() -> None:
    assert Config().host == "127.0.0.1"
    parser = argparse.ArgumentParser()
    cli._sandbox_parser(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["sandbox"]).host == "127.0.0.1"
    for host in (None, "127.0.0.2"):  # the default, and an address we ask for
        sb = start(contacts=10, companies=2, deals=2, tickets=1, **({"host": host} if host else {}))
        try:
            bound = sb._server.socket.getsockname()[0] if sb._server else None
            assert bound == (host or "127.0.0.1"), bound
        finally:
            sb.stop()
    assert os.environ.get("HUBSPOT_NB_CACHE_DIR")  # the suite never touches the real user's cache
