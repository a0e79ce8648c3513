"""OAuth for notebooks: the authorize link, the pasted answer, and HubSpot's token endpoints.

``OAuthFlow`` is the two-step split a non-blocking widget needs: ``authorize_url`` first (the user
opens it and approves), then ``finish(pasted)`` with whatever they pasted back — the bare code,
the code wrapped in quotes or whitespace, or the whole redirected URL (whose ``state`` is checked
and whose ``error=access_denied`` is reported). The widget and the terminal prompt both sit on it.

The token endpoint calls (``exchange_code``, ``refresh_grant``, ``introspect``, ``revoke``) go through
``client.send`` (retries) and turn HubSpot's error bodies into ``LoginFailed(reason=…)`` or
``RefreshFailed`` with plain-words messages. Nothing secret is ever put into a message.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import requests

from .client import json_body, send
from .config import (
    DEFAULT_API_BASE,
    DEFAULT_APP_BASE,
    DEFAULT_TOKEN_ENDPOINT,
    check_base_url,
    check_token_endpoint,
)
from .errors import APIError, LoginFailed, NetworkError, RefreshFailed, ServerError, error_from_response
from .hub import Hub, PortalInfo
from .token import Token

if TYPE_CHECKING:
    from .cache import TokenCache

log = logging.getLogger("hubspot_nb.auth")

TOKEN_CALL_RETRIES = 2  # a code is single-use: a blind retry after a lost answer would only burn it
_QUOTES = "\"'`<>\u201c\u201d\u2018\u2019"


# -- the pasted answer ----------------------------------------------------------------------------
@dataclass
class Pasted:
    code: str | None = None
    state: str | None = None
    error: str | None = None
    error_description: str | None = None


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
        return Pasted(
            values.get("code"), values.get("state"), values.get("error"), values.get("error_description")
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


# -- token endpoint calls ---------------------------------------------------------------------------
def token_path(endpoint: str) -> str:
    return f"/oauth/{check_token_endpoint(endpoint)}/token"


def _post_form(session: requests.Session, url: str, form: dict[str, str]) -> requests.Response:
    return send(
        session,
        "POST",
        url,
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        max_retries=TOKEN_CALL_RETRIES,
        timeout=30,
    )


def _oauth_status(err: APIError) -> str:
    """HubSpot's status word (``BAD_AUTH_CODE`` …) or the RFC 6749 ``error`` of an OAuth error body."""
    body = err.body if isinstance(err.body, dict) else {}
    words = [body.get("status"), err.category, body.get("error"), err.sub_category]
    return " ".join(str(w) for w in words if w and w != "error").upper()


def _login_error(err: APIError) -> LoginFailed:
    status = _oauth_status(err)
    said = f" (HubSpot said: {err.hubspot_message})" if err.hubspot_message else ""
    if "EXPIRED_AUTH_CODE" in status:
        return LoginFailed(
            "The code expired before it was used (codes last only a few minutes). "
            "Click Authorize again and paste the new code promptly.",
            "expired_code",
        )
    if "REDIRECT" in status:
        return LoginFailed(
            "HubSpot refused the redirect URI: it must be exactly the one used in the Authorize link "
            f"and registered in your app's settings. Check redirect_uri / HUBSPOT_REDIRECT_URI{said}.",
            "bad_redirect_uri",
        )
    if "CLIENT" in status or err.status == 401:
        return LoginFailed(
            "HubSpot refused the app's credentials: the client secret (or client id) is wrong. "
            f"Copy them again from your app's Auth settings{said}.",
            "bad_client",
        )
    if "AUTH_CODE" in status or "INVALID_GRANT" in status:
        return LoginFailed(
            "HubSpot did not accept this code: it was already used, belongs to another login, or was "
            f"copied incompletely{said}. Click Authorize again and paste the new code.",
            "bad_code",
        )
    if isinstance(err, ServerError):
        return LoginFailed(
            f"HubSpot had a temporary problem (HTTP {err.status}) while finishing the login. "
            "Click Authorize again in a minute and paste the new code.",
            "server_error",
        )
    return LoginFailed(f"The login failed: HubSpot answered {err.status}{said}.", "login_failed")


def exchange_code(
    *,
    api_base: str,
    endpoint: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    session: requests.Session,
) -> dict[str, Any]:
    """``grant_type=authorization_code``: the code becomes an access + refresh token."""
    form = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": redirect_uri,
        "code": code,
    }
    try:
        resp = _post_form(session, api_base + token_path(endpoint), form)
    except NetworkError:
        raise LoginFailed(
            "Could not reach HubSpot to finish the login (network down or blocked). Check the connection "
            "and click Connect again; if it then says the code was used, click Authorize again.",
            "network",
        ) from None
    if resp.status_code >= 400:
        raise _login_error(error_from_response(resp.status_code, resp.text, resp.headers))
    return _token_body(resp, LoginFailed("HubSpot's answer had no access token.", "login_failed"))


def refresh_grant(
    *,
    api_base: str,
    endpoint: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    session: requests.Session,
) -> dict[str, Any]:
    """``grant_type=refresh_token``. A refused refresh raises ``RefreshFailed``; outages raise
    ``NetworkError``/``ServerError`` (the refresh token is then still good)."""
    if not refresh_token:
        raise RefreshFailed("There is no refresh token any more. Log in again with hnb.login().")
    if not client_secret:
        raise RefreshFailed(
            "Refreshing needs the app's client secret, which is not known here. Set "
            "HUBSPOT_CLIENT_SECRET (or pass client_secret=) and run hnb.login() again."
        )
    form = {
        "grant_type": "refresh_token",
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
    }
    resp = _post_form(session, api_base + token_path(endpoint), form)
    if resp.status_code >= 500 or resp.status_code == 429:
        raise error_from_response(resp.status_code, resp.text, resp.headers)
    if resp.status_code >= 400:
        err = error_from_response(resp.status_code, resp.text, resp.headers)
        said = f" (HubSpot said: {err.hubspot_message})" if err.hubspot_message else ""
        raise RefreshFailed(
            f"HubSpot refused to renew the login{said}: the app was uninstalled, access was revoked, "
            "or the client secret changed. Log in again with hnb.login()."
        )
    return _token_body(resp, RefreshFailed("HubSpot's refresh answer had no access token. Log in again."))


def _token_body(resp: requests.Response, error: Exception) -> dict[str, Any]:
    try:
        body = json_body(resp)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not body.get("access_token"):
        raise error
    return body


def introspect(
    *,
    api_base: str,
    endpoint: str,
    access_token: str,
    client_id: str,
    client_secret: str,
    session: requests.Session,
) -> dict[str, Any]:
    """Token metadata (hub id, hub domain, user e-mail, scopes). Raises APIError/NetworkError."""
    if endpoint == "v1":
        resp = send(
            session,
            "GET",
            f"{api_base}/oauth/v1/access-tokens/{quote(access_token, safe='')}",
            max_retries=TOKEN_CALL_RETRIES,
        )
    else:
        form = {
            "token": access_token,
            "client_id": client_id,
            "client_secret": client_secret,
            "token_type_hint": "access_token",
        }
        resp = _post_form(session, f"{api_base}{token_path(endpoint)}/introspect", form)
    if resp.status_code >= 400:
        raise error_from_response(resp.status_code, resp.text, resp.headers)
    body = json_body(resp)
    return body if isinstance(body, dict) else {}


def revoke(
    *,
    api_base: str,
    endpoint: str,
    refresh_token: str,
    client_id: str,
    client_secret: str,
    session: requests.Session,
) -> None:
    """Revoke a refresh token (access tokens already minted live on until they expire)."""
    if endpoint == "v1":
        resp = send(
            session,
            "DELETE",
            f"{api_base}/oauth/v1/refresh-tokens/{quote(refresh_token, safe='')}",
            max_retries=TOKEN_CALL_RETRIES,
        )
    else:
        form = {
            "token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
            "token_type_hint": "refresh_token",
        }
        resp = _post_form(session, f"{api_base}{token_path(endpoint)}/revoke", form)
    if resp.status_code >= 400:
        raise error_from_response(resp.status_code, resp.text, resp.headers)


def account_info(*, api_base: str, access_token: str, session: requests.Session) -> dict[str, Any]:
    """``GET /account-info/v3/details``: the portal a (private-app) token belongs to."""
    resp = send(
        session,
        "GET",
        f"{api_base}/account-info/v3/details",
        headers={"Authorization": f"Bearer {access_token}"},
    )
    if resp.status_code >= 400:
        raise error_from_response(resp.status_code, resp.text, resp.headers)
    body = json_body(resp)
    return body if isinstance(body, dict) else {}


def portal_info(token: Token, details: dict[str, Any] | None = None) -> PortalInfo:
    """What the widget shows: from the token plus introspection (or account details)."""
    details = details or {}
    hub_id = details.get("hub_id") or details.get("portalId") or token.hub_id
    return PortalInfo(
        hub_id=int(hub_id) if hub_id is not None else None,
        hub_domain=details.get("hub_domain") or token.hub_domain,
        user=details.get("user") or token.user,
        user_id=details.get("user_id"),
        app_id=details.get("app_id"),
        scopes=list(details.get("scopes") or token.scopes),
        token_kind=token.kind,
    )


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
        token_endpoint: str = DEFAULT_TOKEN_ENDPOINT,
        *,
        cache: bool | str | TokenCache = True,
        session: requests.Session | None = None,
    ) -> None:
        from .cache import TokenCache
        from .config import DEFAULT_OPTIONAL_SCOPES, DEFAULT_SCOPES

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
        self.token_endpoint = check_token_endpoint(token_endpoint)
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
    def needs_secret(self) -> bool:
        return not self._client_secret

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
        return f"{self.app_base}/oauth/authorize?{urlencode(params, quote_via=quote)}"

    def __repr__(self) -> str:
        return (
            f"OAuthFlow(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r}, "
            f"api_base={self.api_base!r}, token_endpoint={self.token_endpoint!r}, "
            f"client_secret={'set' if self._client_secret else None}, finished={self.finished})"
        )

    def check(self, pasted: str) -> str:
        """The code from ``pasted``, after the state and error checks (no network)."""
        answer = parse_pasted(pasted)
        if answer.state is not None and answer.state != self.state:
            raise LoginFailed(
                "The pasted address belongs to a different login attempt (its state does not match this "
                "link). Click the Authorize link shown here and paste the address you are sent to.",
                "state_mismatch",
            )
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
        if not answer.code:
            raise LoginFailed(
                "The pasted text has no code in it. Paste the code, or the whole address of "
                "the page you were sent to after approving.",
                "no_code",
            )
        return answer.code

    def finish(self, pasted: str, hub: Hub | None = None) -> Hub:
        """Exchange what the user pasted for a token; return (or connect) the ``Hub``."""
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
        body = exchange_code(
            api_base=self.api_base,
            endpoint=self.token_endpoint,
            client_id=self.client_id,
            client_secret=self._client_secret,
            redirect_uri=self.redirect_uri,
            code=code,
            session=self.session,
        )
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
            details = introspect(
                api_base=self.api_base,
                endpoint=self.token_endpoint,
                access_token=token.access_token,
                client_id=self.client_id,
                client_secret=self._client_secret,
                session=self.session,
            )
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
        if hub is None:
            return Hub(token, api_base=self.api_base, info=info)
        hub._connect(token, info)
        return hub
