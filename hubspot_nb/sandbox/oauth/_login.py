"""OAuth login against the sandbox: the consent page, the callback page and the token endpoints.

    GET  /oauth/authorize      consent page (HTML); its form POSTs back here with decision=approve|deny
    POST /oauth/authorize      302 to redirect_uri?code=…&state=… (or ?error=access_denied&state=…)
    GET  /oauth/callback       the sandbox's own redirect target: shows the code with a Copy button
    POST /oauth/{v1,v3,2026-03,2026-09}/token   grant_type=authorization_code | refresh_token

Error bodies follow HubSpot's token endpoint (``status``: ``BAD_AUTH_CODE`` …); the v3 and 2026-03
endpoints add RFC 6749's ``error``/``error_description``, as HubSpot announced for them. Page forms
use relative URLs so the pages work behind a path prefix (jupyter-server-proxy).
"""

from __future__ import annotations

import functools
import html
import time
import uuid
from dataclasses import dataclass
from importlib import resources
from string import Template
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..config import CLIENT_SECRET, Config
from ..routing import Request, Response, Router
from ._host import OAuthHost
from ._tokens import KNOWN_SCOPES, AccessToken, Grant, OAuthError, is_builtin_client

router = Router()
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


# -- pages ----------------------------------------------------------------------------------------
@functools.cache
def _template(name: str) -> str:
    return resources.files(__package__).joinpath("pages", name).read_text(encoding="utf-8")


def render(page: str, title: str, *, raw: dict[str, str] | None = None, **values: Any) -> str:
    """Fill ``pages/<page>`` and the layout. ``values`` are escaped; ``raw`` is trusted HTML."""
    fields = {k: html.escape(str(v), quote=True) for k, v in values.items()}
    fields.update(raw or {})
    content = Template(_template(page)).substitute(fields)
    return Template(_template("layout.html")).substitute(title=html.escape(title), content=content)


def message_page(heading: str, message: str, next_step: str, status: int = 400) -> Response:
    css_class = "error" if status >= 400 else ""
    text = render(
        "message.html", heading, heading=heading, message=message, next_step=next_step, css_class=css_class
    )
    return Response.html(text, status=status)


class PageError(Exception):
    """A login request the consent page refuses (shown as an HTML page, never redirected)."""


# -- authorize ------------------------------------------------------------------------------------
@dataclass
class AuthorizeRequest:
    client_id: str
    redirect_uri: str
    scope: str  # as sent: space-separated
    optional_scope: str
    state: str | None
    required: tuple[str, ...]
    optional_granted: tuple[str, ...]  # the optional scopes the portal has; the others are dropped

    @property
    def scopes(self) -> tuple[str, ...]:
        """What the app will be granted."""
        return self.required + self.optional_granted


def redirect_accepted(sb: OAuthHost, uri: str) -> bool:
    """The built-in app's redirect URLs: the sandbox's callback page, or any loopback http URL."""
    if not uri or any(ch.isspace() or ord(ch) < 32 for ch in uri):
        return False
    if uri in (f"{sb.public_url}/oauth/callback", f"{sb.base_url}/oauth/callback"):
        return True
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and not parts.fragment


def parse_authorize(sb: OAuthHost, values: dict[str, str]) -> AuthorizeRequest:
    client_id = values.get("client_id") or ""
    if not is_builtin_client(client_id):
        raise PageError(
            f"Unknown client_id {client_id!r}. The sandbox's app is {sb.client_id!r}: "
            "set client_id to it and start the login again."
        )
    redirect_uri = values.get("redirect_uri") or ""
    if not redirect_accepted(sb, redirect_uri):
        raise PageError(
            f"The redirect_uri {redirect_uri!r} is not registered for this app. Use "
            f"{sb.public_url}/oauth/callback or any http://localhost:PORT/… or http://127.0.0.1:PORT/… URL."
        )
    scope = values.get("scope") or ""
    optional_scope = values.get("optional_scope") or ""
    required = tuple(dict.fromkeys(scope.split()))
    if not required:
        raise PageError("The authorize URL has no scope parameter; list the scopes the app needs.")
    optional = tuple(s for s in dict.fromkeys(optional_scope.split()) if s not in required)
    granted = check_scopes(sb.config, required, optional)
    return AuthorizeRequest(
        client_id, redirect_uri, scope, optional_scope, values.get("state"), required, granted
    )


# HubSpot's texts for a refused install URL (hubspot-2026.md §5), shown on its error page.
INVALID_SCOPE = "An invalid scope name was provided. Please contact the app developer."
SCOPE_MISMATCH = (
    "Authorization failed because there is a mismatch between the scopes in the install URL and the "
    "app's configured scopes. Please contact the app developer."
)
ACCOUNT_LACKS = "Authorization failed because your account lacks access to the required scopes [{}]"
SCOPE_ERROR_HEADING = "Couldn't complete the connection"


class ScopeError(PageError):
    """An install URL whose scopes HubSpot refuses: HubSpot's text plus what the sandbox saw."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


def check_scopes(config: Config, required: tuple[str, ...], optional: tuple[str, ...]) -> tuple[str, ...]:
    """HubSpot's install-URL rules; returns the optional scopes granted (those the portal has).

    Every scope named must be a real scope name, configured in the app (``app_scopes`` or
    ``app_optional_scopes``); every configured required scope must be in ``scope``; a scope in
    ``scope`` is required for this install, so the portal must offer it. Optional scopes the portal
    lacks are dropped from the grant."""
    named = required + optional
    unknown = [s for s in named if s not in KNOWN_SCOPES]
    if unknown:
        raise ScopeError(INVALID_SCOPE, f"Not a HubSpot scope name: {', '.join(unknown)}.")
    configured = set(config.app_scopes) | set(config.app_optional_scopes)
    foreign = [s for s in named if s not in configured]
    if foreign:
        raise ScopeError(
            SCOPE_MISMATCH,
            f"The app is not configured with: {', '.join(foreign)} (its required scopes: "
            f"{_names(config.app_scopes)}; optional: {_names(config.app_optional_scopes)}).",
        )
    missing = [s for s in config.app_scopes if s not in required]
    if missing:
        raise ScopeError(
            SCOPE_MISMATCH,
            f"The install URL's scope parameter lacks the app's required scope(s): {', '.join(missing)}.",
        )
    available = set(config.portal_scopes)
    lacking = [s for s in required if s not in available]
    if lacking:
        raise ScopeError(
            ACCOUNT_LACKS.format(", ".join(lacking)),
            "The portal's products do not offer them (sandbox setting portal_scopes); ask for them "
            "as optional scopes instead, or use a portal that has them.",
        )
    return tuple(s for s in optional if s in available)


def _names(scopes: tuple[str, ...]) -> str:
    return ", ".join(scopes) if scopes else "none"


def _login_error(exc: PageError) -> Response:
    if isinstance(exc, ScopeError):
        return message_page(SCOPE_ERROR_HEADING, str(exc), f"Sandbox detail: {exc.detail}")
    return message_page("This login link is not valid", str(exc), "Nothing was authorized.")


@router.route("GET", "/oauth/authorize")
def consent_page(sb: OAuthHost, req: Request) -> Response:
    values = {k: v[-1] for k, v in req.query.items()}
    try:
        ask = parse_authorize(sb, values)
    except PageError as exc:
        return _login_error(exc)
    hidden = "\n".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value, quote=True)}">'
        for name, value in (
            ("client_id", ask.client_id),
            ("redirect_uri", ask.redirect_uri),
            ("scope", ask.scope),
            ("optional_scope", ask.optional_scope),
            ("state", ask.state),
        )
        if value is not None
    )
    optional_block = ""
    if ask.optional_granted:
        optional_block = "<p>And, where your account has them:</p>" + _scope_list(ask.optional_granted)
    text = render(
        "consent.html",
        f"Connect {sb.app_name}",
        app_name=sb.app_name,
        portal_name=sb.portal_name,
        hub_id=sb.hub_id,
        redirect_uri=ask.redirect_uri,
        raw={
            "scope_items": _scope_list(ask.required, items=True),
            "optional_block": optional_block,
            "hidden_fields": hidden,
        },
    )
    return Response.html(text)


def _scope_list(scopes: tuple[str, ...], items: bool = False) -> str:
    lis = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in scopes)
    return lis if items else f'<ul class="scopes">{lis}</ul>'


@router.route("POST", "/oauth/authorize")
def decide(sb: OAuthHost, req: Request) -> Response:
    form = req.form()
    try:
        ask = parse_authorize(sb, form)  # never trust the hidden fields: check everything again
    except PageError as exc:
        return _login_error(exc)
    decision = form.get("decision")
    if decision == "approve":
        code = sb.auth.issue_code(ask.client_id, ask.redirect_uri, ask.scopes)
        params = {"code": code}
    elif decision == "deny":
        params = {"error": "access_denied"}
    else:
        return message_page(
            "No decision", "The form did not say approve or deny.", "Open the authorize link again."
        )
    if ask.state is not None:
        params["state"] = ask.state
    return Response.redirect(_proxy_safe(sb, _with_query(ask.redirect_uri, params)))


def _proxy_safe(sb: OAuthHost, location: str) -> str:
    """Behind jupyter-server-proxy (``public_url`` a bare path like ``/user/x/proxy/8750``) the proxy
    prefixes every root-relative ``Location`` with that path itself; so send our own pages as paths
    from the sandbox's root, which also stay right for a browser talking to the sandbox directly."""
    public = sb.public_url
    if public.startswith("/") and location.startswith(public + "/"):
        return location[len(public) :]
    return location


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


@router.route("GET", "/oauth/callback")
def callback_page(sb: OAuthHost, req: Request) -> Response:
    error = req.arg("error")
    if error:
        detail = req.arg("error_description") or (
            "You cancelled the login." if error == "access_denied" else f"HubSpot said: {error}."
        )
        return message_page(
            "Login not completed", detail, "Run the login cell again to start over.", status=200
        )
    code = req.arg("code")
    if not code:
        return message_page(
            "No code here",
            "This page shows the login code after you approve the app, but this URL has none.",
            "Run the login cell again and click the authorize link it shows.",
        )
    text = render("callback.html", "Copy your login code", code=code, state=req.arg("state") or "(none)")
    return Response.html(text)


# -- token endpoint -------------------------------------------------------------------------------
RFC_ERRORS = {
    "BAD_CLIENT_ID": "invalid_client",
    "BAD_CLIENT_SECRET": "invalid_client",
    "BAD_GRANT_TYPE": "unsupported_grant_type",
}


def oauth_error_response(exc: OAuthError, version: str) -> Response:
    body: dict[str, Any] = {"status": exc.status, "message": exc.message, "correlationId": str(uuid.uuid4())}
    if version != "v1":
        body["error"] = RFC_ERRORS.get(exc.status, exc.rfc_error)
        body["error_description"] = exc.message
    return Response.json(body, status=400)


def check_client(fields: dict[str, str]) -> None:
    """The app's credentials; raises ``OAuthError`` (BAD_CLIENT_ID / BAD_CLIENT_SECRET)."""
    if not is_builtin_client(fields.get("client_id")):
        raise OAuthError("BAD_CLIENT_ID", "missing or unknown client_id", "invalid_client")
    if fields.get("client_secret") != CLIENT_SECRET:
        raise OAuthError("BAD_CLIENT_SECRET", "missing or invalid client_secret", "invalid_client")


def token_fields(req: Request, version: str) -> dict[str, str]:
    """The request's parameters: the form body; v1 also takes query parameters (as its spec says)."""
    fields = req.form()
    if version == "v1":
        fields = {**{k: v[-1] for k, v in req.query.items()}, **fields}
    return fields


def _exchange(sb: OAuthHost, fields: dict[str, str]) -> tuple[AccessToken, Grant]:
    grant_type = fields.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthError(
            "BAD_GRANT_TYPE",
            f"unsupported grant_type {grant_type!r}; use authorization_code or refresh_token",
        )
    check_client(fields)
    if grant_type == "authorization_code":
        return sb.auth.redeem_code(
            fields.get("code") or "", fields["client_id"], fields.get("redirect_uri") or ""
        )
    return sb.auth.refresh(fields.get("refresh_token") or "", fields["client_id"])


def token_body(sb: OAuthHost, access: AccessToken, grant: Grant) -> dict[str, Any]:
    return {
        "token_type": "bearer",
        "refresh_token": grant.refresh_token,
        "access_token": access.token,
        "expires_in": access.expires_in(time.time()),
        "token_use": "access_token",
        "hub_id": sb.hub_id,
        "user_id": sb.user_id,
        "scopes": sorted(grant.scopes),
    }


@router.route("POST", "/oauth/v1/token", limit="token")
@router.route("POST", "/oauth/v3/token", dated="/oauth/{version}/token", limit="token")
def token(sb: OAuthHost, req: Request) -> Response:
    """The token endpoint of every version; v1 answers errors in its own shape (``oauth_error_response``)."""
    version = req.version or "v1"
    try:
        access, grant = _exchange(sb, token_fields(req, version))
    except OAuthError as exc:
        return oauth_error_response(exc, version)
    return Response.json(token_body(sb, access, grant))
