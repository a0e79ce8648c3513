"""``login``, ``connect`` and ``logout``: the three calls a notebook makes about who it is.

``login()`` in order:

1. a static credential needs no OAuth: a service key (``service_key=`` or ``HUBSPOT_SERVICE_KEY``)
   or a legacy private-app / static app token (``access_token=`` or ``HUBSPOT_ACCESS_TOKEN``);
   arguments win over the environment, and a service key over a token;
2. else a cached login is used at once (no widget, no network unless it needs a refresh), which is
   what makes "Run All" work from the second day on: an OAuth token for this app and API host, or,
   when no OAuth app is configured, a cached service key (checked with one cheap call; a refused
   one is deleted and the key widget shows again, saying so);
3. else a login starts. With an OAuth app configured: the ``LoginWidget`` in Jupyter (the call
   returns a *pending* ``Hub`` at once, which the widget connects when the user finishes), or a
   printed link and an ``input()`` prompt elsewhere. With no OAuth app: the ``ServiceKeyWidget``
   (a password box for a service key) in Jupyter, or a ``getpass`` prompt in an interactive
   terminal; a script with nothing configured gets a ``ConfigError`` saying what to set.

Service keys given by argument, in the widget or at the prompt are cached per portal (0600, like
OAuth logins; ``cache=False`` keeps them in memory only); ones from the environment are not copied
to disk, and neither are private-app tokens.

``login(sandbox=True)`` starts the embedded sandbox in this kernel and runs the same flow against
it with the sandbox's built-in app; ``auto_approve=True`` additionally clicks "approve" on the
sandbox's consent page from Python, so unattended notebooks (CI, Binder smoke tests) can log in.
"""

from __future__ import annotations

import getpass
import logging
import os
import socket
import sys
from typing import Any
from urllib.parse import urljoin

import requests

from ..auth import flow as auth
from ..auth import static
from ..auth.cache import TokenCache
from ..auth.portal import portal_info
from ..auth.settings import ANALYSIS_OPTIONAL_SCOPES, ENV, resolve, resolve_api_version
from ..auth.token import Token
from ..errors import (
    APIError,
    ConfigError,
    LoginFailed,
    NetworkError,
    NotLoggedIn,
    RefreshFailed,
)
from ..hub import Hub

log = logging.getLogger("hubspot_nb.notebook.login")

_SANDBOX: Any = None  # the sandbox login(sandbox=True) started in this process, reused by later calls


def login(
    client_id: str | None = None,
    client_secret: str | None = None,
    redirect_uri: str | None = None,
    scopes: list[str] | str | None = None,
    optional_scopes: list[str] | str | None = None,
    *,
    service_key: str | None = None,
    access_token: str | None = None,
    api_base: str | None = None,
    app_base: str | None = None,
    api_version: str | None = None,
    token_endpoint: str | None = None,
    hub_id: int | None = None,
    sandbox: Any = None,
    auto_approve: bool = False,
    cache: bool | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    interactive: str | None = None,
    wait: float | None = None,
) -> Hub:
    """Log in to HubSpot and return a ``Hub``.

    Arguments win over ``HUBSPOT_*`` environment variables, which win over the token cache.
    ``force=True`` ignores the cache and logs in anew. ``cache=False`` keeps the token in memory
    only (shared machines, Binder); the default caches, except for the embedded sandbox, whose
    tokens die with it. ``interactive`` is ``"widget"`` or ``"input"`` (default: widget in Jupyter).
    ``wait=seconds`` makes the widget's cell block until the login is finished (or the time is up),
    so "Run All" pauses at the login cell instead of running on with a pending hub.
    ``sandbox=True`` (or a running sandbox object) logs in to the local sandbox instead of HubSpot.
    ``service_key=`` (or ``HUBSPOT_SERVICE_KEY``) connects with a HubSpot service key, ``access_token=``
    (or ``HUBSPOT_ACCESS_TOKEN``) with a legacy private-app or static app token: no OAuth at all.
    ``api_version`` (or ``HUBSPOT_API_VERSION``): which HubSpot paths the hub calls, ``"2026-09"``
    (default), ``"2026-03"`` or ``"legacy"`` (v1–v4 paths, for portals or proxies that need them);
    ``token_endpoint`` (``"2026-03"``, ``"v3"``, ``"v1"``) defaults to the version's own (2026-03;
    v3 for legacy). Cached logins do not pin the version: each ``login``/``connect`` chooses anew.
    """
    for name, value in (("service_key", service_key), ("access_token", access_token)):
        if value is not None and not value.strip():
            raise ConfigError(f"{name}= is empty; pass the whole value (or leave {name}= out).")
    sb = _sandbox(sandbox) if sandbox else None
    if sb is not None:
        public = _browser_url(sb)
        client_id, client_secret = _app_credentials(sb)
        redirect_uri = f"{public}/oauth/callback"
        api_base, app_base = sb.base_url, public
        cache = False if cache is None else cache
        if optional_scopes is None and os.environ.get(ENV["optional_scopes"]) is None:  # set to "": none
            # The sandbox's built-in app offers every scope, so its logins may ask for what the
            # marketing and analysis helpers use; a real app asks only for what it is configured with.
            optional_scopes = list(ANALYSIS_OPTIONAL_SCOPES)
    elif auto_approve:
        raise ConfigError("auto_approve=True only works with the sandbox (login(sandbox=True, ...)).")
    settings = resolve(
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        scopes=scopes,
        optional_scopes=optional_scopes,
        service_key=service_key,
        access_token=access_token,
        api_base=api_base,
        app_base=app_base,
        api_version=api_version,
        cache_dir=cache_dir,
        token_endpoint=token_endpoint,
    )
    if sb is not None:
        # HUBSPOT_SERVICE_KEY / HUBSPOT_ACCESS_TOKEN are for HubSpot, never sent to the sandbox.
        settings.service_key = service_key
        settings.access_token = access_token
    store = TokenCache(settings.cache_dir) if (cache is None or cache) else None
    credential = settings.static_credential()
    if credential is not None:
        kind, value = credential
        from_argument = settings.sources.get("service_key" if kind == "service-key" else "access_token")
        keep = store if kind == "service-key" and from_argument == "argument" else None
        return static_hub(value, kind, settings.api_base, settings.api_version, sandbox=sb, store=keep)

    note = None
    if store is not None and not force:
        hub, note = _from_cache(store, settings, hub_id)
        if hub is not None:
            return hub
    mode = interactive or ("widget" if in_notebook() else "input")
    if mode not in ("widget", "input"):
        raise ConfigError(f"interactive must be 'widget' or 'input', not {interactive!r}.")
    if not settings.client_id:
        return _key_login(settings, store, mode, note, sandbox=sb, wait=wait)
    if not settings.redirect_uri:
        raise ConfigError(
            "No redirect URI. Set HUBSPOT_REDIRECT_URI (or pass redirect_uri=) to one of the app's "
            "redirectUrls in app-hsmeta.json (`hubspot-nb app init` prints the line to set)."
        )
    flow = auth.OAuthFlow(
        settings.client_id,
        settings.client_secret,
        settings.redirect_uri,
        settings.scopes,
        settings.optional_scopes,
        settings.api_base,
        settings.app_base,
        settings.token_endpoint,
        api_version=settings.api_version,
        cache=store if store is not None else False,
    )
    hub = Hub(api_base=settings.api_base, api_version=settings.api_version, sandbox=sb)
    if auto_approve:
        authorized = flow.finish(approve_in_sandbox(flow, sb))
        hub.attach(authorized.token, authorized.info)
        return hub
    if mode == "widget":
        from IPython.display import display

        from .widget import LoginWidget

        # Kept on the hub so a later cell (a demo, a test) can find and drive the widget.
        hub.login_widget = LoginWidget(flow, hub, note=note)
        display(hub.login_widget)
        if wait is not None:
            wait_for_login(hub, wait)
        return hub
    return prompt_login(flow, hub, note=note)


NOTHING_CONFIGURED = (
    f"No HubSpot credentials configured. Make a service key in HubSpot ({static.WHERE_KEYS_ARE_MADE}) "
    "and pass it: "
    "hnb.login(service_key=...) or set HUBSPOT_SERVICE_KEY; or set up an OAuth app with HUBSPOT_CLIENT_ID, "
    "HUBSPOT_CLIENT_SECRET and HUBSPOT_REDIRECT_URI (or client_id=, client_secret=, redirect_uri=); an "
    "existing legacy private-app token works too, until September 2027: hnb.login(access_token=...). "
    "Or try the sandbox: "
    "hnb.login(sandbox=True)."
)
KEY_PENDING = (
    "Not logged in yet. Paste a service key into the box shown by hnb.login() and click Connect, "
    "then run this cell again."
)


def _key_login(
    settings: Any, store: TokenCache | None, mode: str, note: str | None, *, sandbox: Any, wait: float | None
) -> Hub:
    """No OAuth app configured: ask for a service key (widget, or a hidden prompt in a terminal)."""
    hub = Hub(api_base=settings.api_base, api_version=settings.api_version, sandbox=sandbox)
    if mode == "widget":
        from IPython.display import display

        from .key_widget import ServiceKeyWidget

        hub.detach(KEY_PENDING)  # a pending hub's message: points at the key box, not at OAuth
        widget = ServiceKeyWidget(hub, api_base=settings.api_base, store=store, note=note)
        hub.login_widget = widget
        display(widget)
        if wait is not None:
            wait_for_login(hub, wait)
        return hub
    if not terminal_can_prompt():
        raise ConfigError(NOTHING_CONFIGURED)
    return prompt_key_login(hub, settings.api_base, store, note=note)


def connect(
    hub_id: int | None = None,
    client_id: str | None = None,
    *,
    api_base: str | None = None,
    api_version: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Hub:
    """A ``Hub`` from the token cache, without any UI. ``NotLoggedIn`` if nothing suitable is cached.

    With no arguments: the most recent login. ``hub_id``/``client_id`` pick one of several portals.
    ``api_version`` (or ``HUBSPOT_API_VERSION``; default ``"2026-09"``) as for ``login``.
    """
    version = resolve_api_version(api_version)
    store = TokenCache(cache_dir)
    record = _newest(store, client_id, hub_id, api_base)
    if record is None:
        which = ", ".join(f"{k}={v}" for k, v in (("hub_id", hub_id), ("client_id", client_id)) if v)
        raise NotLoggedIn(
            f"No saved HubSpot login{' for ' + which if which else ''} in {store.directory}. "
            "Run hnb.login() once (the login or service key is then cached), or pass a service key: "
            "hnb.login(service_key=...)."
        )
    if record.get("kind") == "service-key":
        token = Token.from_record(record, store=store)
    else:
        token = _token_from_record(record, store)
    return Hub(token, api_base=token.api_base, api_version=version, info=portal_info(token))


def _newest(
    store: TokenCache, client_id: str | None, hub_id: int | None, api_base: str | None
) -> dict[str, Any] | None:
    """The cached login to use: the OAuth one asked for, or (no app named) the most recently saved
    of that and a cached service key."""
    record = store.find(client_id=client_id, hub_id=hub_id, api_base=api_base)
    if client_id is not None:
        return record
    key = store.find_key(hub_id=hub_id, api_base=api_base)
    candidates = [r for r in (record, key) if r is not None]
    return max(candidates, key=lambda r: r.get("saved_at") or 0.0) if candidates else None


def logout(hub: Hub | None = None, *, cache_dir: str | os.PathLike[str] | None = None) -> bool:
    """Revoke the hub's refresh token at HubSpot and delete it from the cache.

    Without ``hub``: the most recent cached login. Returns True if HubSpot confirmed the revocation.
    The hub cannot be used afterwards (access tokens already issued still work until they expire).
    A service key is deleted from the cache (there is nothing to revoke: delete the key in HubSpot
    to end it everywhere); a private-app token is only dropped from the hub. Both return False.
    """
    store = TokenCache(cache_dir)
    if hub is None:
        hub = connect(cache_dir=cache_dir)
    token = hub.token
    if token.kind != "oauth":
        if token.kind == "service-key":
            for place in {id(s): s for s in (token.store, store) if s is not None}.values():
                place.delete_key(token.hub_id, token.access_token)
        hub.detach("Logged out. Run hnb.login() to log in again.")
        return False
    revoked = False
    if token.can_refresh and token.to_record()["refresh_token"]:
        record = token.to_record()
        try:
            auth.revoke(
                api_base=token.api_base,
                endpoint=token.token_endpoint,
                refresh_token=record["refresh_token"],
                client_id=token.client_id or "",
                client_secret=record["client_secret"] or "",
                session=requests.Session(),
            )
            revoked = True
        except (APIError, NetworkError) as exc:
            log.warning(
                "hubspot_nb: HubSpot did not confirm the revocation (%s); the login is still removed "
                "from this machine. Uninstall the app in HubSpot to be sure.",
                type(exc).__name__,
            )
    for place in {id(s): s for s in (token.store, store) if s is not None}.values():
        if token.client_id and token.hub_id is not None:
            place.delete(token.client_id, token.hub_id)
    hub.detach("Logged out. Run hnb.login() to log in again.")
    return revoked


def wait_for_login(hub: Hub, timeout: float) -> bool:
    """Block this cell until the login widget connects ``hub``, at most ``timeout`` seconds.

    The widget keeps working meanwhile (``kernel_wait``), so "Run All" can pause here for a
    human. Returns ``hub.connected``; on a timeout it says so and the hub stays pending.
    """
    from .kernel_wait import CannotWait, wait_until

    try:
        connected = wait_until(lambda: hub.connected, timeout)
    except CannotWait as exc:
        print(
            f"hubspot_nb cannot wait for the login here ({exc}); finish the login above, "
            "then run the next cell."
        )
        return hub.connected
    if not connected:
        print(f"Still not logged in after {timeout:g} s — finish the login above and run the next cell.")
    return connected


# -- the pieces ---------------------------------------------------------------------------------------
def static_hub(
    credential: str,
    kind: str,
    api_base: str,
    api_version: str | None = None,
    *,
    sandbox: Any = None,
    store: TokenCache | None = None,
) -> Hub:
    """A hub for a static credential (``kind`` "service-key" or "private-app"): never refreshed, the
    portal from the account details where the credential may read them. ``store`` caches a service
    key for the next ``login()``/``connect()``."""
    version = resolve_api_version(api_version)
    authorized = static.verify(credential, kind, api_base=api_base, api_version=version)
    if store is not None and kind == "service-key":
        remember_key(store, authorized.token)
    return Hub(
        authorized.token, api_base=api_base, api_version=version, info=authorized.info, sandbox=sandbox
    )


def remember_key(store: TokenCache, token: Token) -> None:
    """Cache a verified service key for its portal (0600); the token then knows where it lives."""
    store.save_key(token.to_record())
    token.store = store


def _token_from_record(record: dict[str, Any], store: TokenCache, settings: Any = None) -> Token:
    token = Token.from_record(record, store=store)
    secret = os.environ.get("HUBSPOT_CLIENT_SECRET") if settings is None else settings.client_secret
    env_client = os.environ.get("HUBSPOT_CLIENT_ID") if settings is None else settings.client_id
    if secret and env_client == token.client_id:
        token.use_client_secret(secret)  # a secret given now wins over the stored one (it may be rotated)
    return token


def _from_cache(store: TokenCache, settings: Any, hub_id: int | None) -> tuple[Hub | None, str | None]:
    """A connected hub from a usable cached token, or (None, a note saying why the cache was passed)."""
    if settings.client_id:
        record = store.find(client_id=settings.client_id, hub_id=hub_id, api_base=settings.api_base)
    else:
        record = _newest(store, None, hub_id, settings.api_base)
    if record is None:
        return None, None
    if record.get("kind") == "service-key":
        return _key_from_cache(store, record, settings.api_version)
    token = _token_from_record(record, store, settings)
    if "scopes" in settings.sources and not set(settings.scopes) <= set(token.scopes):
        return None, "The saved login lacks scopes you now ask for, so please log in again."
    if token.can_refresh and token.is_expired(token.leeway):
        try:
            token.bearer()
        except RefreshFailed:
            return None, "The saved login no longer works (access was revoked or the app uninstalled)."
        except (NetworkError, APIError) as exc:
            log.warning(
                "hubspot_nb: could not refresh the saved token now (%s); will retry", type(exc).__name__
            )
    return Hub(
        token, api_base=token.api_base, api_version=settings.api_version, info=portal_info(token)
    ), None


def _key_from_cache(
    store: TokenCache, record: dict[str, Any], api_version: str
) -> tuple[Hub | None, str | None]:
    """A hub for a cached service key, checked with one cheap call. A refused key (401) is deleted;
    a key that now lacks a scope (403) is kept and the hub connected (the data calls will say which
    scope); an unreachable HubSpot connects anyway: the first data call will tell."""
    token = Token.from_record(record, store=store)
    try:
        authorized = static.verify(
            token.access_token, "service-key", api_base=token.api_base, api_version=api_version
        )
    except LoginFailed as exc:
        if exc.reason == "bad_key":
            store.delete_key(token.hub_id, token.access_token)
            return None, (
                "The saved service key was refused by HubSpot (401): it was deleted or rotated, so it is "
                "forgotten here. Paste a new key."
            )
        log.warning("hubspot_nb: could not check the saved service key now (%s)", exc.reason)
        return Hub(token, api_base=token.api_base, api_version=api_version, info=portal_info(token)), None
    authorized.token.store = store
    return Hub(authorized.token, api_base=token.api_base, api_version=api_version, info=authorized.info), None


def terminal_can_prompt() -> bool:
    """True when a person can answer a prompt here (stdin is a terminal), not in a script or CI."""
    stream = sys.stdin
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


def prompt_key_login(hub: Hub, api_base: str, store: TokenCache | None, note: str | None = None) -> Hub:
    """The terminal version of the key widget: explain, read the key with ``getpass``, verify, cache."""
    if note:
        print(note)
    print(
        "No OAuth app is configured, so log in with a HubSpot service key.\n"
        f"Make one in HubSpot under {static.WHERE_KEYS_ARE_MADE}: Create service key, "
        "Add new scope and tick what you need:"
    )
    for helper, scopes in static.KEY_SCOPES.items():
        print(f"    {', '.join(scopes):<75} for {helper}")
    print("Then open the key, copy its value and paste it here (the input is hidden).\n")
    key = getpass.getpass("Service key: ")
    authorized = static.verify(key, "service-key", api_base=api_base, api_version=hub.api_version)
    if store is not None:
        remember_key(store, authorized.token)
    hub.attach(authorized.token, authorized.info)
    saved = f"saved in {store.directory}" if store is not None else "kept in memory only"
    print(f"Connected to {hub.info.describe()} with a service key ({saved}).")
    return hub


def in_notebook() -> bool:
    """True inside a Jupyter kernel (Lab, Notebook, VS Code, Colab), where widgets can show."""
    try:
        from ipykernel.zmqshell import ZMQInteractiveShell
        from IPython import get_ipython
    except ImportError:
        return False
    return isinstance(get_ipython(), ZMQInteractiveShell)


def prompt_login(flow: auth.OAuthFlow, hub: Hub, note: str | None = None) -> Hub:
    """The terminal version of the widget: print the link, read the code with ``input()``."""
    if note:
        print(note)
    print("Open this link in a browser, approve the app, then paste the code (or the whole address")
    print("of the page you land on) below:\n")
    print(f"    {flow.authorize_url}\n")
    if flow.needs_secret:
        flow.set_client_secret(getpass.getpass("Your HubSpot app's client secret: "))
    pasted = input("Code or address: ")
    authorized = flow.finish(pasted)
    hub.attach(authorized.token, authorized.info)
    print(f"Connected to {hub.info.describe()}.")
    return hub


def approve_in_sandbox(flow: auth.OAuthFlow, sb: Any, decision: str = "approve") -> str:
    """Answer the sandbox's consent page over HTTP (``approve`` or ``deny``), as a user's browser
    would; return the address the browser is redirected to (what a user would paste)."""
    session = requests.Session()
    url = flow.authorize_url.replace(flow.app_base, sb.base_url, 1)
    page = session.get(url, timeout=30)
    if page.status_code != 200:
        said = _page_text(page.text)
        raise LoginFailed(
            f"The sandbox refused the login link (HTTP {page.status_code}){': ' + said if said else ''}. "
            "Make the scopes asked for (scopes=/optional_scopes=, HUBSPOT_SCOPES/HUBSPOT_OPTIONAL_SCOPES) "
            "match the app's, then log in again.",
            "login_failed",
        )
    form = {k: v[-1] for k, v in _query(url).items()} | {"decision": decision}
    resp = session.post(f"{sb.base_url}/oauth/authorize", data=form, allow_redirects=False, timeout=30)
    location = resp.headers.get("Location")
    if resp.status_code not in (302, 303) or not location:
        raise LoginFailed(f"No answer to the consent (HTTP {resp.status_code}).", "login_failed")
    return urljoin(str(sb.base_url) + "/", location)


def _page_text(page: str) -> str:
    """The heading and paragraphs of one of the sandbox's message pages, as one line of text."""
    import html
    import re

    parts = re.findall(r"<(?:h1|p)[^>]*>(.*?)</(?:h1|p)>", page, flags=re.DOTALL)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", p)).strip() for p in parts[:3])
    return text[:600]


def _query(url: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(url).query)


# -- the embedded sandbox -----------------------------------------------------------------------------
def _sandbox(sandbox: Any) -> Any:
    """``True``: start (or reuse) the sandbox in this process; an object: use that running sandbox."""
    global _SANDBOX
    if sandbox is not True:
        return _adapt(sandbox)
    if _SANDBOX is not None and _is_running(_SANDBOX):
        return _adapt(_SANDBOX)
    from .. import sandbox as sandbox_pkg

    options: dict[str, Any] = {"port": 0}
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix:
        # Browsers reach the kernel's loopback port only through jupyter-server-proxy, at a path
        # on the notebook server's own origin; the kernel itself talks to 127.0.0.1 directly.
        port = _free_port()
        options = {"port": port, "public_url": f"{prefix.rstrip('/')}/proxy/{port}"}
    _SANDBOX = sandbox_pkg.start(**options)
    return _adapt(_SANDBOX)


def _adapt(sb: Any) -> Any:
    if not hasattr(sb, "base_url"):
        raise ConfigError("sandbox= must be True or a running sandbox (from hubspot_nb.sandbox.run/start).")
    return sb


def _app_credentials(sb: Any) -> tuple[str, str]:
    """The sandbox's built-in app (``sandbox-client-id`` / ``sandbox-client-secret``)."""
    from ..sandbox.config import CLIENT_ID, CLIENT_SECRET

    return getattr(sb, "client_id", None) or CLIENT_ID, getattr(sb, "client_secret", None) or CLIENT_SECRET


def _is_running(sb: Any) -> bool:
    return bool(getattr(sb, "running", False))


def _browser_url(sb: Any) -> str:
    return str(getattr(sb, "public_url", None) or sb.base_url).rstrip("/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


__all__ = ["connect", "login", "logout", "wait_for_login"]
