"""The ``Sandbox``: one fake HubSpot portal with its data, its OAuth app and its HTTP server.

    sb = Sandbox(make_config("fast", seed=7, port=0)).start()
    sb.base_url              # http://127.0.0.1:<port>
    token = sb.oauth_token() # the full authorize → approve → code → token flow, over HTTP
    sb.stop()

This module assembles the sandbox; nothing else in it imports this module. The route packages
(``control``, ``oauth``, ``crm``, ``marketing``) each expose a ``router``; handlers receive this object
as ``sb`` and read ``sb.portal``, ``sb.marketing``, ``sb.auth``, ``sb.stats`` and the identity
attributes below. Each part says what it needs in a Protocol (``host.Host`` for the server and the
control routes, ``oauth.OAuthHost``, ``crm.CrmHost``, ``marketing.MarketingHost``), so none of them
imports this module.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import requests

from .config import CLIENT_ID, CLIENT_SECRET, Config
from .control import router as control_router
from .crm import CrmHost, build_portal
from .crm import router as crm_router
from .marketing import MarketingHost, build_marketing
from .marketing import router as marketing_router
from .oauth import KNOWN_SCOPES, AuthStore, OAuthHost
from .oauth import router as oauth_router
from .routing import Router
from .server import SandboxServer
from .stats import Stats


def build_router() -> Router:
    """Every route of the sandbox; refuses to start if a route needs a scope no token can hold."""
    router = Router()
    for part in (control_router, oauth_router, crm_router, marketing_router):
        router.include(part)
    unknown = sorted({s for r in router.routes for s in (r.scopes or ()) if s not in KNOWN_SCOPES})
    if unknown:
        raise ValueError(f"routes declare scopes missing from oauth KNOWN_SCOPES: {', '.join(unknown)}")
    return router


class Sandbox:
    """A running (or startable) local HubSpot look-alike. See the module docstring."""

    client_id = CLIENT_ID
    client_secret = CLIENT_SECRET
    app_name = "hubspot_nb Sandbox App"
    portal_name = "Sandbox Portal"
    hub_domain = "sandbox-portal.example.com"
    user_email = "analyst@sandbox-portal.example.com"

    def __init__(self, config: Config) -> None:
        bad = [t for t in config.private_tokens if not t.startswith("pat-")]
        if bad:
            raise ValueError("private tokens must look like pat-na1-<uuid> (HubSpot's private-app format)")
        self.config = config
        identity = random.Random(f"identity:{config.seed}")  # deterministic for a seed
        self.hub_id: int = identity.randrange(20_000_000, 50_000_000)
        self.user_id: int = identity.randrange(1_000_000, 10_000_000)
        self.app_id: int = identity.randrange(1_000_000, 5_000_000)
        self.stats = Stats()
        self.auth = AuthStore(config, self.stats)
        self.portal = build_portal(config)
        self.marketing = build_marketing(config, self.portal, self.hub_id)
        self.portal.attach_engagement(self.marketing)  # contacts' hs_email_*/conversions roll up from it
        self.router = build_router()
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> Sandbox:
        """Bind ``config.host:config.port`` (0 = a free port) and serve in a daemon thread."""
        if self._server is not None:
            return self
        server = SandboxServer(self, (self.config.host, self.config.port))
        self.config.port = server.server_address[1]  # the real port when 0 was asked for
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"hubspot-nb-sandbox:{self.config.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and free the port. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.base_url if self.running else "stopped"
        return f"<Sandbox {state} hub_id={self.hub_id} profile={self.config.profile!r}>"

    # -- addresses ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """Where API clients reach the sandbox (loopback when bound to all interfaces)."""
        host = self.config.host
        if host in ("0.0.0.0", "", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{self.config.port}"

    @property
    def public_url(self) -> str:
        """Where browsers reach it: ``Config.public_url`` (e.g. behind jupyter-server-proxy) or base_url."""
        return (self.config.public_url or self.base_url).rstrip("/")

    @property
    def callback_url(self) -> str:
        return f"{self.public_url}/oauth/callback"

    # -- helpers for tests and demos ----------------------------------------------------------
    @property
    def private_token(self) -> str | None:
        """The first configured private-app token, if any."""
        return self.config.private_tokens[0] if self.config.private_tokens else None

    @property
    def service_key(self) -> str | None:
        """The first configured service key, if any."""
        keys = self.config.service_keys
        return next(iter(keys), None) if keys else None

    def issue_service_key(self, scopes: list[str] | None = None) -> str:
        """A new service key, as a user makes one in HubSpot: every scope the built-in app may hold
        except ``oauth``, or exactly ``scopes``."""
        return self.auth.issue_service_key(scopes)

    def all_scopes(self) -> list[str]:
        """Every scope some route accepts: a token holding them all can call every endpoint."""
        return sorted({"oauth", *(s for r in self.router.routes for s in (r.scopes or ()))})

    def oauth_token(
        self, scopes: list[str] | None = None, *, version: str = "2026-03", attempts: int = 10
    ) -> dict[str, Any]:
        """Log in like a user would, over HTTP: consent page, approve, code, token exchange.

        Returns HubSpot's token response (``access_token``, ``refresh_token``, ``expires_in`` …).
        Retries the exchange with a fresh code when an injected fault or the token endpoint's rate
        limit hits it (waiting as ``Retry-After`` says, at most 30 s).
        """
        redirect_uri = f"{self.base_url}/oauth/callback"
        params = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes if scopes is not None else self.all_scopes()),
            "state": secrets.token_urlsafe(8),
        }
        last: Exception | None = None
        with requests.Session() as session:
            for _ in range(attempts):
                page = session.get(f"{self.base_url}/oauth/authorize", params=params, timeout=30)
                if page.status_code != 200:
                    raise RuntimeError(f"the consent page refused the login ({page.status_code})")
                approved = session.post(
                    f"{self.base_url}/oauth/authorize",
                    data={**params, "decision": "approve"},
                    allow_redirects=False,
                    timeout=30,
                )
                code = parse_qs(urlsplit(approved.headers["Location"]).query)["code"][0]
                form = {
                    "grant_type": "authorization_code",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "redirect_uri": redirect_uri,
                    "code": code,
                }
                try:
                    reply = session.post(f"{self.base_url}/oauth/{version}/token", data=form, timeout=30)
                    if reply.status_code == 200:
                        body: dict[str, Any] = reply.json()
                        return body
                    last = RuntimeError(f"token exchange answered {reply.status_code}: {reply.text[:200]}")
                    if reply.status_code < 500 and reply.status_code != 429:
                        raise last
                    if reply.status_code == 429:  # the token endpoint's limit (token_rps): wait it out
                        time.sleep(min(30.0, float(reply.headers.get("Retry-After") or 1)))
                except (requests.RequestException, ValueError) as exc:  # injected drop/truncate
                    last = exc
        raise RuntimeError(f"could not get a token from the sandbox after {attempts} attempts: {last}")


if TYPE_CHECKING:

    def _hosts(sb: Sandbox) -> tuple[OAuthHost, CrmHost, MarketingHost]:
        """For mypy: a Sandbox is what the route packages declare they need (the server's ``Host``
        is checked where ``start`` hands the sandbox to ``SandboxServer``)."""
        return sb, sb, sb
