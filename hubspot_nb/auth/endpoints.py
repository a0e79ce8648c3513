"""HubSpot's OAuth token endpoints: exchange a code, refresh, introspect, revoke, account details.

Every call goes through ``client.send`` (bounded retries) and turns HubSpot's error bodies into
``LoginFailed(reason=…)`` (during a login) or ``RefreshFailed`` (a refused refresh token), with
messages in plain words that never quote a token, code or secret. HubSpot rate-limits the token
endpoint (429 "You have reached your rate limit.", reportedly with ``Retry-After`` in seconds):
``send`` waits as told, or backs off when nothing is said, for at most ``TOKEN_WAIT_S`` in all; past
that the call ends in ``RateLimited`` (refresh) or ``LoginFailed(reason="rate_limited")`` (login),
never ``RefreshFailed``: the refresh token is still good. The version (``2026-03``, ``v3``
or ``v1``) picks the path: ``/oauth/{version}/token`` and, for v3/2026-03, ``…/introspect`` and
``…/revoke``; v1 uses ``GET /oauth/v1/access-tokens/{t}`` and ``DELETE /oauth/v1/refresh-tokens/{t}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from ..errors import (
    APIError,
    LoginFailed,
    NetworkError,
    RateLimited,
    RefreshFailed,
    ServerError,
    error_from_response,
)
from ..http.client import json_body, send
from ..http.urls import DEFAULT_API_VERSION, oauth_path, path
from .settings import check_token_endpoint

TOKEN_CALL_RETRIES = 2  # a code is single-use: a blind retry after a lost answer would only burn it
TOKEN_WAIT_S = 30.0  # the most a token call waits out the token endpoint's 429s, in all


def token_path(endpoint: str) -> str:
    return oauth_path("oauth.token", endpoint=check_token_endpoint(endpoint))


def _post_form(session: requests.Session, url: str, form: dict[str, str]) -> requests.Response:
    return send(
        session,
        "POST",
        url,
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        max_retries=TOKEN_CALL_RETRIES,
        timeout=30,
        max_wait_s=TOKEN_WAIT_S,
    )


def _rate_limited(resp: requests.Response, doing: str, next_step: str) -> RateLimited:
    """The token endpoint's 429 once waiting no longer helps, with what to do next."""
    err = error_from_response(resp.status_code, resp.text, resp.headers)
    retry_after = err.retry_after if isinstance(err, RateLimited) else None
    if retry_after is not None and retry_after > TOKEN_WAIT_S:
        asked = f"asked to wait {retry_after:g} s, longer than the {TOKEN_WAIT_S:g} s hubspot_nb waits"
    else:
        asked = f"kept refusing after {TOKEN_CALL_RETRIES + 1} tries"
    limited = RateLimited(
        resp.status_code,
        err.hubspot_message,
        category=err.category,
        correlation_id=err.correlation_id,
        body=err.body,
        hint=f"HubSpot's token endpoint is limiting how often apps {doing} and {asked}. {next_step}",
    )
    limited.retry_after = retry_after
    return limited


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
    if resp.status_code == 429:
        next_step = (
            "The code was not used up: click Connect again in a minute (or Authorize again if it then "
            "says the code expired)."
        )
        raise LoginFailed(_rate_limited(resp, "log in", next_step).hint, "rate_limited")
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
    if resp.status_code == 429:
        raise _rate_limited(
            resp, "renew a login", "The login itself is still good: run the cell again in a minute or two."
        )
    if resp.status_code >= 500:
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


# The calls about one token: which kind of token each names, and v1's method for it.
_TOKEN_CALLS = {"introspect": ("access_token", "GET"), "revoke": ("refresh_token", "DELETE")}


def _token_call(
    session: requests.Session, action: str, token: str, *, api_base: str, endpoint: str, app: tuple[str, str]
) -> requests.Response:
    """One call about one token (``action`` a key of ``_TOKEN_CALLS``; ``app`` the client id and
    secret). v1 names the token in the path (``/oauth/v1/access-tokens/{token}``); later versions
    post it in a form the app authenticates. Raises APIError/NetworkError."""
    kind, v1_method = _TOKEN_CALLS[action]
    client_id, client_secret = app
    if endpoint == "v1":
        url = api_base + oauth_path(f"oauth.v1.{kind}", token=quote(token, safe=""))
        resp = send(session, v1_method, url, max_retries=TOKEN_CALL_RETRIES)
    else:
        form = {
            "token": token,
            "client_id": client_id,
            "client_secret": client_secret,
            "token_type_hint": kind,
        }
        resp = _post_form(
            session, api_base + oauth_path(f"oauth.{action}", endpoint=check_token_endpoint(endpoint)), form
        )
    if resp.status_code >= 400:
        raise error_from_response(resp.status_code, resp.text, resp.headers)
    return resp


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
    app = (client_id, client_secret)
    resp = _token_call(session, "introspect", access_token, api_base=api_base, endpoint=endpoint, app=app)
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
    app = (client_id, client_secret)
    _token_call(session, "revoke", refresh_token, api_base=api_base, endpoint=endpoint, app=app)


def account_info(
    *, api_base: str, access_token: str, session: requests.Session, api_version: str = DEFAULT_API_VERSION
) -> dict[str, Any]:
    """``GET /account-info/{2026-09,2026-03,v3}/details``: the portal a static credential belongs to."""
    resp = send(
        session,
        "GET",
        api_base + path("account.details", api_version),
        headers={"Authorization": f"Bearer {access_token}"},
    )
    if resp.status_code >= 400:
        raise error_from_response(resp.status_code, resp.text, resp.headers)
    body = json_body(resp)
    return body if isinstance(body, dict) else {}
