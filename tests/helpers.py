"""Helpers several test files share: an OAuth flow for the sandbox's app, a login approved in the
sandbox, and the synced state of a widget tree (to scan for secrets).

Importable as ``helpers`` from any test: ``tests/`` is on ``sys.path`` because ``tests/conftest.py``
lives there (pytest's default "prepend" import mode).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as widgets
import requests
from sandbox_options import SANDBOX_OPTIONS as SANDBOX_OPTIONS  # re-exported: the session sandbox

import hubspot_nb as hnb
from hubspot_nb.auth.settings import ANALYSIS_OPTIONAL_SCOPES
from hubspot_nb.auth.token import Token
from hubspot_nb.hub import Hub
from hubspot_nb.notebook.login import approve_in_sandbox
from hubspot_nb.sandbox import Sandbox

# A portal small enough to start in well under a second, for tests about logins and tokens.
SMALL = dict(contacts=20, companies=5, deals=5, tickets=2)
APP_SECRET = "builtin"  # sandbox_flow(secret=APP_SECRET): the sandbox app's own client secret


def in_threads(
    target: Callable[..., object], argsets: Iterable[tuple[Any, ...]], *, join_timeout: float | None = None
) -> None:
    """Start one thread per argument tuple, each running ``target(*args)``, then wait for every one
    (``join_timeout``: at most that many seconds for each)."""
    threads = [threading.Thread(target=target, args=args) for args in argsets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=join_timeout)


def sandbox_flow(
    sb: Sandbox, cache: Any = False, *, secret: str | None = APP_SECRET, **options: Any
) -> hnb.OAuthFlow:
    """An OAuthFlow for the sandbox's app (``secret=None``: no secret given; other values: that
    secret). ``options`` go to OAuthFlow and may replace ``api_base``, ``app_base`` or ``redirect_uri``."""
    options.setdefault("api_base", sb.base_url)
    options.setdefault("app_base", sb.public_url)
    # The built-in app is configured with every scope: ask for what the data helpers use, as
    # login(sandbox=True) does (a real app's flow asks for no optional scopes unless told).
    options.setdefault("optional_scopes", list(ANALYSIS_OPTIONAL_SCOPES))
    redirect_uri = options.pop("redirect_uri", None) or sb.callback_url
    client_secret = sb.client_secret if secret == APP_SECRET else secret
    return hnb.OAuthFlow(sb.client_id, client_secret, redirect_uri, cache=cache, **options)


def login(sb: Sandbox, cache: Any = False, **options: Any) -> hnb.Hub:
    """A Hub logged in to the sandbox: the flow's authorize link approved as a user would."""
    flow = sandbox_flow(sb, cache, **options)
    return hnb.Hub.from_login(flow.finish(approve_in_sandbox(flow, sb)))


def widget_state(widget: widgets.Widget) -> str:
    """The synced state of the widget and every descendant (what the front end and a saved notebook
    get), as one JSON string."""
    seen, stack, states = set(), [widget], []
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        states.append(w.get_state())
        for name in w.keys:
            value = getattr(w, name, None)
            values = value if isinstance(value, (list, tuple)) else [value]
            stack.extend(v for v in values if isinstance(v, widgets.Widget))
    return json.dumps(states, default=str)


def stats(sb: Sandbox) -> dict[str, Any]:
    """The sandbox's counters (``GET /_sandbox/stats``)."""
    return requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()


def configure(sb: Sandbox, **knobs: Any) -> None:
    """Change the sandbox's knobs at run time (``POST /_sandbox/config``)."""
    resp = requests.post(f"{sb.base_url}/_sandbox/config", json=knobs, timeout=10)
    assert resp.status_code == 200, resp.text


def make_hub(
    sb: Sandbox, token_body: dict[str, Any] | None = None, *, scopes: list[str] | None = None
) -> Hub:
    """A Hub on ``sb`` (progress bars off) with ``token_body``, or else a token that went through the
    sandbox's consent flow with ``scopes`` (None: ``Sandbox.oauth_token``'s default)."""
    token = Token.from_response(
        token_body or sb.oauth_token(scopes),
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        api_base=sb.base_url,
    )
    hub = Hub(token, api_base=sb.base_url)
    hub.progress = False
    return hub
