"""OAuth for notebooks: the authorize link and the pasted answer.

``OAuthFlow`` is the two-step split a non-blocking widget needs: ``authorize_url`` first (the user
opens it and approves), then ``finish(pasted)`` with whatever they pasted back — the bare code,
the code wrapped in quotes or whitespace, or the whole redirected URL (whose ``error=access_denied``
is reported). The widget and the terminal prompt both sit on it.

An address is what HubSpot's redirect delivered, so it must look like one before its code is used:
the redirect URI's scheme, host (and port) and path, and this login's ``state``. A foreign address,
one without ``state`` and one with another login's ``state`` are each refused in their own words;
a bare code carries no address to check and is accepted (the token endpoint still checks it).

``finish`` returns an ``Authorized`` (the token and the portal it belongs to), not a hub: the auth
layer sits below ``Hub`` and never builds one. ``hnb.Hub.from_login(flow.finish(pasted))`` is the
one step from there to a hub, and the widget and ``login()`` attach it to their pending hub with
``hub.attach``. The HTTP calls to HubSpot's token endpoints live in ``endpoints`` (re-exported here).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, parse_qs, quote, urlencode, urlsplit

import requests

from ..errors import APIError, LoginFailed, NetworkError
from ..http.urls import DEFAULT_API_VERSION, check_api_version, oauth_path
from .endpoints import account_info, exchange_code, introspect, refresh_grant, revoke
from .portal import Authorized, portal_info
from .settings import (
    DEFAULT_API_BASE,
    DEFAULT_APP_BASE,
    TOKEN_ENDPOINT_FOR_API_VERSION,
    check_base_url,
    check_token_endpoint,
)
from .token import Token

__all__ = [
    "Authorized",
    "OAuthFlow",
    "Pasted",
    "account_info",
    "exchange_code",
    "introspect",
    "parse_pasted",
    "portal_info",
    "refresh_grant",
    "revoke",
]

if TYPE_CHECKING:
    from .cache import TokenCache

log = logging.getLogger("hubspot_nb.auth.flow")

_QUOTES = "\"'`<>\u201c\u201d\u2018\u2019"


# -- the pasted answer ----------------------------------------------------------------------------
@dataclass
class Pasted:
    code: str | None = None
    state: str | None = None
    error: str | None = None
    error_description: str | None = None
    # Where the pasted address pointed, for ``OAuthFlow.check``: None for a bare code; for an address,
    # its ``scheme://host:port/path`` (or the path alone, or "" for a bare query string).
    address: str | None = None

    @property
    def from_address(self) -> bool:
        """True when the user pasted (part of) an address rather than a bare code."""
        return self.address is not None


def parse_pasted(text: str) -> Pasted:
    """Read what the user pasted: a bare code, or a redirected URL / query string with ``code=``."""
    cleaned = (text or "").strip().strip(_QUOTES).strip()
    if not cleaned:
        raise LoginFailed(
            "Nothing was pasted. Paste the code (or the whole address) HubSpot showed you.", "empty"
        )
    if "=" in cleaned and ("code" in cleaned or "error" in cleaned or "state" in cleaned):
        query = (
            urlsplit(cleaned).query if "://" in cleaned or cleaned.startswith("/") else cleaned.lstrip("?#")
        )
        fragment = urlsplit(cleaned).fragment if "://" in cleaned else ""
        values = {k: v[0].strip() for k, v in parse_qs(query).items() if v}
        values.update({k: v[0].strip() for k, v in parse_qs(fragment).items() if v and k not in values})
        where = urlsplit(cleaned)
        address = (
            f"{where.scheme}://{where.netloc}{where.path}"
            if "://" in cleaned
            else (where.path if cleaned.startswith("/") else "")
        )
        return Pasted(
            values.get("code"),
            values.get("state"),
            values.get("error"),
            values.get("error_description"),
            address,
        )
    if "://" in cleaned:
        raise LoginFailed(
            "The pasted address has no code in it. After approving, copy the whole address of the page "
            "HubSpot sent you to (it contains ?code=…), or just the code.",
            "no_code",
        )
    if any(ch.isspace() for ch in cleaned) or len(cleaned) > 512:
        raise LoginFailed(
            "That does not look like an authorization code (it contains spaces or is far too long). "
            "Paste only the code, or the whole address of the page you were sent to.",
            "bad_paste",
        )
    return Pasted(code=cleaned)


def same_place(address: str, redirect_uri: str) -> bool:
    """True when ``address`` (``scheme://host:port/path`` or a path) is where ``redirect_uri`` points.

    Scheme and host compare case-blind, a default port equals no port, a trailing ``/`` is ignored.
    A relative redirect URI (JupyterHub's ``/user/…/proxy/…``) compares the path only; so does a pasted
    path, which may lack the proxy's prefix (the sandbox's own redirects are root-relative)."""
    here, there = urlsplit(address), urlsplit(redirect_uri)
    if not here.scheme:  # a pasted path: behind jupyter-server-proxy, perhaps without the proxy prefix
        mine, theirs = here.path.rstrip("/"), there.path.rstrip("/")
        return bool(mine) and (theirs == mine or (theirs.endswith(mine) and mine.startswith("/")))
    if here.path.rstrip("/") != there.path.rstrip("/"):
        return False
    if not there.scheme:
        return True  # a relative redirect (JupyterHub's proxy path) fixes the path only
    return (here.scheme.lower(), _host_port(here)) == (there.scheme.lower(), _host_port(there))


def _host_port(parts: SplitResult) -> tuple[str, int | None]:
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: matches nothing
        return ("", -1)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return ((parts.hostname or "").lower(), None if port == default else port)


# -- the flow -------------------------------------------------------------------------------------------
class OAuthFlow:
    """One login attempt: build the authorize link, then ``finish`` with what the user pasted."""

    def __init__(
        self,
        client_id: str,
        client_secret: str | None = None,
        redirect_uri: str | None = None,
        scopes: list[str] | None = None,
        optional_scopes: list[str] | None = None,
        api_base: str = DEFAULT_API_BASE,
        app_base: str = DEFAULT_APP_BASE,
        token_endpoint: str | None = None,
        *,
        api_version: str = DEFAULT_API_VERSION,
        cache: bool | str | TokenCache = True,
        session: requests.Session | None = None,
    ) -> None:
        from .cache import TokenCache
        from .settings import DEFAULT_OPTIONAL_SCOPES, DEFAULT_SCOPES

        if not client_id:
            raise LoginFailed("No client id: pass client_id= or set HUBSPOT_CLIENT_ID.", "config")
        if not redirect_uri:
            raise LoginFailed(
                "No redirect URI: pass redirect_uri= or set HUBSPOT_REDIRECT_URI (it must be "
                "one of the redirect URLs registered in your app).",
                "config",
            )
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = check_base_url(redirect_uri, what="redirect_uri", allow_relative=True)
        self.scopes = list(DEFAULT_SCOPES if scopes is None else scopes)
        self.optional_scopes = list(DEFAULT_OPTIONAL_SCOPES if optional_scopes is None else optional_scopes)
        self.api_base = check_base_url(api_base.rstrip("/"), what="api_base")
        self.app_base = check_base_url(app_base.rstrip("/"), what="app_base", allow_relative=True)
        self.api_version = check_api_version(api_version)
        # None: the API version's token endpoint (2026-03 for both date versions, v3 for legacy).
        self.token_endpoint = check_token_endpoint(
            token_endpoint if token_endpoint is not None else TOKEN_ENDPOINT_FOR_API_VERSION[self.api_version]
        )
        if cache is True:
            self.cache: TokenCache | None = TokenCache()
        elif cache is False or cache is None:
            self.cache = None
        else:
            self.cache = cache if isinstance(cache, TokenCache) else TokenCache(cache)
        self.session = session or requests.Session()
        self.state = secrets.token_urlsafe(24)
        self.finished = False

    @property
    def has_client_secret(self) -> bool:
        """True once the app's client secret is known (from arguments, environment or the widget)."""
        return bool(self._client_secret)

    @property
    def needs_secret(self) -> bool:
        return not self.has_client_secret

    def secrets(self) -> list[str]:
        """The secret strings this flow holds, for ``redact`` (as ``Token.secrets``)."""
        return [self._client_secret] if self._client_secret else []

    def set_client_secret(self, secret: str) -> None:
        self._client_secret = secret.strip() or None

    @property
    def authorize_url(self) -> str:
        params = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
        }
        if self.optional_scopes:
            params["optional_scope"] = " ".join(self.optional_scopes)
        params["state"] = self.state
        # Spaces as %20, as HubSpot's own SDKs send them.
        return f"{self.app_base}{oauth_path('oauth.authorize')}?{urlencode(params, quote_via=quote)}"

    def __repr__(self) -> str:
        return (
            f"OAuthFlow(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r}, "
            f"api_base={self.api_base!r}, api_version={self.api_version!r}, "
            f"token_endpoint={self.token_endpoint!r}, "
            f"client_secret={'set' if self._client_secret else None}, finished={self.finished})"
        )

    def check(self, pasted: str) -> str:
        """The code from ``pasted``, after the address, state and error checks (no network)."""
        answer = parse_pasted(pasted)
        if not answer.code and not answer.error:
            raise LoginFailed(
                "The pasted text has no code in it. Paste the code, or the whole address of "
                "the page you were sent to after approving.",
                "no_code",
            )
        if answer.from_address:
            self._check_address(answer)
        if answer.error:
            if answer.error == "access_denied":
                raise LoginFailed(
                    "Access was denied on HubSpot's page, so nothing was connected. Click "
                    "Authorize again and approve the app to connect.",
                    "access_denied",
                )
            detail = f": {answer.error_description}" if answer.error_description else ""
            raise LoginFailed(
                f"HubSpot reported an error instead of a code ({answer.error}{detail}). "
                "Check the app's scopes and redirect URL, then click Authorize again.",
                answer.error,
            )
        assert answer.code  # checked above
        return answer.code

    def _check_address(self, answer: Pasted) -> None:
        """A pasted address must be this login's redirect: same place, and this flow's ``state``."""
        if answer.address and not same_place(answer.address, self.redirect_uri):
            shown = answer.address if len(answer.address) <= 120 else answer.address[:117] + "…"
            raise LoginFailed(
                f"The pasted address ({shown}) is not this login's redirect URI "
                f"({self.redirect_uri}), so its code is not used. Paste the code alone, or the whole "
                "address of the page HubSpot sent you to after approving.",
                "foreign_address",
            )
        if answer.state is None:
            raise LoginFailed(
                "The pasted address has no state parameter, so it cannot be matched to this login. "
                "Paste the code alone, or the whole address of the page you were sent to "
                "(it ends with &state=…).",
                "no_state",
            )
        if not secrets.compare_digest(answer.state.encode(), self.state.encode()):
            raise LoginFailed(
                "The pasted address belongs to a different login attempt (its state is not this "
                "link's: an earlier Authorize link, or another tab). Click the Authorize link shown "
                "here again and paste the address you are sent to.",
                "state_mismatch",
            )

    def finish(self, pasted: str) -> Authorized:
        """Exchange what the user pasted for a token; return it with the portal it belongs to.

        Returns an ``Authorized``, not a hub (auth sits below ``Hub``): ``hnb.Hub.from_login(...)``
        makes one, ``hub.attach(result.token, result.info)`` connects a pending one."""
        if self.finished:
            raise LoginFailed(
                "This login is finished already; run hnb.login() again to log in anew.", "state_used"
            )
        code = self.check(pasted)
        if not self._client_secret:
            raise LoginFailed(
                "The app's client secret is needed: type it in the secret box (or set "
                "HUBSPOT_CLIENT_SECRET) and click Connect again.",
                "no_secret",
            )
        # The app and the token endpoint it talks to, the same for the exchange and the look-up.
        app: dict[str, Any] = {
            "api_base": self.api_base,
            "endpoint": self.token_endpoint,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "session": self.session,
        }
        body = exchange_code(redirect_uri=self.redirect_uri, code=code, **app)
        self.finished = True  # the state is single-use
        token = Token.from_response(
            body,
            client_id=self.client_id,
            client_secret=self._client_secret,
            token_endpoint=self.token_endpoint,
            api_base=self.api_base,
            store=self.cache,
        )
        details: dict[str, Any] = {}
        try:
            details = introspect(access_token=token.access_token, **app)
        except (APIError, NetworkError) as exc:
            log.warning(
                "hubspot_nb: could not look up the token's portal details (%s); continuing",
                type(exc).__name__,
            )
        info = portal_info(token, details)
        token.hub_id = info.hub_id if token.hub_id is None else token.hub_id
        token.user, token.hub_domain = info.user, info.hub_domain
        if not token.scopes:
            token.scopes = info.scopes
        if self.cache is not None and token.hub_id is not None:
            self.cache.save(token.to_record())
        return Authorized(token, info, self.api_version)
