"""What a token can learn about itself, and how it is given up: introspection, revocation and the
account it belongs to.

    GET    /oauth/v1/access-tokens/{token}       v1 metadata of an access token
    GET    /oauth/v1/refresh-tokens/{token}      v1 metadata of a refresh token
    DELETE /oauth/v1/refresh-tokens/{token}      v1 revocation → 204
    POST   /oauth/{v3,2026-03,2026-09}/token/introspect  {"active": true, …} or {"active": false}
    POST   /oauth/{v3,2026-03,2026-09}/token/revoke      → 200, empty (also for unknown tokens, RFC 7009)
    GET    /account-info/{v3,2026-03,2026-09}/details    the portal's settings (any valid token; for a
                                                        service key see ``Config.service_key_account_info``)

HubSpot leaves some of this unconfirmed (reference §1.5-1.6): a dead token's v3 introspection is
answered RFC-style ``{"active": false}``; v1 lookups of unknown tokens answer 404.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from typing import Any

from ..config import ACCOUNT_TIME_ZONE
from ..routing import ApiError, Request, Response, Router, missing_scopes
from ._host import OAuthHost
from ._login import check_client, oauth_error_response
from ._tokens import AccessToken, Grant, OAuthError

router = Router()


def _identity(sb: OAuthHost, scopes: Any) -> dict[str, Any]:
    return {
        "hub_id": sb.hub_id,
        "app_id": sb.app_id,
        "user_id": sb.user_id,
        "user": sb.user_email,
        "hub_domain": sb.hub_domain,
        "scopes": sorted(scopes),
        "token_type": "bearer",
    }


def _digest(label: str, token: str) -> str:
    """A stable opaque string derived from ``token`` (never the token itself)."""
    raw = hashlib.sha256(f"{label}:{token}".encode()).digest()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def signed_access_token(sb: OAuthHost, record: AccessToken) -> dict[str, Any]:
    """HubSpot's ``signed_access_token`` block (required by the v3/2026-03 introspection spec, optional
    in v1): the token's claims in HubSpot's spelling; the scope fields are opaque encoded strings."""
    return {
        "expiresAt": int((record.expires_at or 0) * 1000),  # ms; the same on every look-up
        "scopes": _digest("scopes", ",".join(sorted(record.scopes))),
        "hubId": sb.hub_id,
        "userId": sb.user_id,
        "appId": sb.app_id,
        "signature": _digest("signature", record.token),
        "scopeToScopeGroupPks": _digest("scope-groups", ",".join(sorted(record.scopes))),
        "newSignature": _digest("new-signature", record.token),
        "hublet": "na1",
        "trialScopes": "",
        "trialScopeToScopeGroupPks": "",
        "isUserLevel": False,
        "isServiceAccount": False,
        "isPrivateDistribution": False,
        "installingUserId": sb.user_id,
        "appInstallId": str(sb.app_id * 10 + 1),
        "audience": sb.client_id,
    }


def access_info(sb: OAuthHost, record: AccessToken) -> dict[str, Any]:
    return {
        "token": record.token,
        **_identity(sb, record.scopes),
        "expires_in": record.expires_in(time.time()),
        "is_private_distribution": False,
        "signed_access_token": signed_access_token(sb, record),
    }


def refresh_info(sb: OAuthHost, grant: Grant) -> dict[str, Any]:
    return {"token": grant.refresh_token, "client_id": grant.client_id, **_identity(sb, grant.scopes)}


# -- v1 -------------------------------------------------------------------------------------------
@router.route("GET", "/oauth/v1/access-tokens/{token}", limit="token")
def access_token_v1(sb: OAuthHost, req: Request) -> Any:
    record = sb.auth.live_access(req.path_params["token"])
    if record is None or record.kind != "oauth":
        raise ApiError(
            404, "The access token is unknown or has expired. Refresh it or log in again.", "OBJECT_NOT_FOUND"
        )
    return access_info(sb, record)


def _bad_refresh_token() -> Response:
    return oauth_error_response(OAuthError("BAD_REFRESH_TOKEN", "missing or invalid refresh token"), "v1")


@router.route("GET", "/oauth/v1/refresh-tokens/{token}", limit="token")
def refresh_token_v1(sb: OAuthHost, req: Request) -> Any:
    grant = sb.auth.grant(req.path_params["token"])
    return _bad_refresh_token() if grant is None else refresh_info(sb, grant)


@router.route("DELETE", "/oauth/v1/refresh-tokens/{token}", limit="token")
def revoke_v1(sb: OAuthHost, req: Request) -> Response:
    if not sb.auth.revoke_refresh(req.path_params["token"]):
        return _bad_refresh_token()
    return Response.empty(204)


# -- v3 and 2026-03 -------------------------------------------------------------------------------
def _introspect(sb: OAuthHost, token: str, hint: str | None) -> Response:
    record = None if hint == "refresh_token" else sb.auth.live_access(token)
    if record is not None and record.kind == "oauth":
        info = access_info(sb, record)
        return Response.json({"active": True, "token_use": "access_token", "client_id": sb.client_id, **info})
    grant = None if hint == "access_token" else sb.auth.grant(token)
    if grant is not None:
        info = refresh_info(sb, grant)
        return Response.json({"active": True, "token_use": "refresh_token", "app_id": sb.app_id, **info})
    return Response.json({"active": False})


def _revoke(sb: OAuthHost, token: str, hint: str | None) -> Response:
    if hint != "access_token" and sb.auth.revoke_refresh(token):
        return Response.empty(200)
    if hint != "refresh_token":
        sb.auth.revoke_access(token)
    return Response.empty(200)


def _answer_client_form(
    sb: OAuthHost, req: Request, answer: Callable[[OAuthHost, str, str | None], Response]
) -> Response:
    """``answer`` to the posted ``token`` and ``token_type_hint`` of a form the app posts with its
    client id and secret; a bad client (or any ``OAuthError``) becomes the OAuth error answer."""
    try:
        fields = req.form()
        check_client(fields)
        return answer(sb, fields.get("token") or "", fields.get("token_type_hint"))
    except OAuthError as exc:
        return oauth_error_response(exc, req.version or "v3")


@router.route("POST", "/oauth/v3/token/introspect", dated="/oauth/{version}/token/introspect", limit="token")
def introspect(sb: OAuthHost, req: Request) -> Response:
    """2026-09's spec declares only ``active`` (required); the sandbox answers every version alike."""
    return _answer_client_form(sb, req, _introspect)


@router.route("POST", "/oauth/v3/token/revoke", dated="/oauth/{version}/token/revoke", limit="token")
def revoke(sb: OAuthHost, req: Request) -> Response:
    return _answer_client_form(sb, req, _revoke)


# -- account --------------------------------------------------------------------------------------
@router.route(
    "GET", "/account-info/v3/details", dated="/account-info/{version}/details", scopes=(), limit="burst"
)
def account_details(sb: OAuthHost, req: Request) -> Any:
    token = req.token
    if (
        token is not None
        and token.kind == "service-key"
        and sb.auth.config.service_key_account_info == "needs_oauth_scope"
        and "oauth" not in token.scopes
    ):
        raise missing_scopes(("oauth",))  # HubSpot documents this endpoint with the oauth scope
    return {
        "portalId": sb.hub_id,
        "accountType": "STANDARD",
        "timeZone": ACCOUNT_TIME_ZONE,
        "companyCurrency": "USD",
        "additionalCurrencies": ["EUR", "GBP"],
        "utcOffset": "-05:00",
        "utcOffsetMilliseconds": -18_000_000,
        "uiDomain": "app.hubspot.com",
        "dataHostingLocation": "na1",
    }
