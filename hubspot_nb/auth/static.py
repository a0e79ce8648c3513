"""Static credentials: HubSpot service keys and private-app (or project static-auth) tokens.

Both are sent as ``Authorization: Bearer …``, never expire on a clock we know and cannot be
refreshed, so one path serves both; ``kind`` ("service-key" or "private-app") only changes the
words of the messages and whether the credential is cached (service keys are, like OAuth logins).

``verify`` checks a credential with one or two cheap calls and says who it belongs to:

1. ``GET /account-info/{version}/details`` — the portal id. HubSpot documents it with the ``oauth`` scope,
   which a service key may not be able to hold (reference §4a, unconfirmed), so a 403 here is no
   verdict:
2. then ``GET /crm/objects/{version}/contacts?limit=1`` (the contacts list the data helpers use) decides:
   200 = the key works (the portal id stays unknown), 401 = refused, 403 = a scope is missing.

Key formats are unconfirmed (legacy private-app tokens look ``pat-na1-…``), so any non-empty
string is accepted and nothing is assumed about a prefix. No message quotes the credential.
"""

from __future__ import annotations

import logging

import requests

from ..errors import (
    APIError,
    AuthenticationFailed,
    LoginFailed,
    MissingScopes,
    NetworkError,
    error_from_response,
)
from ..http.client import send
from ..http.urls import DEFAULT_API_VERSION, check_api_version, path
from .endpoints import account_info
from .portal import Authorized, portal_info
from .token import Token

log = logging.getLogger("hubspot_nb.auth.static")

KINDS = ("service-key", "private-app")
WHERE_KEYS_ARE_MADE = "Development › Keys › Service keys (or Settings › Integrations › Service keys)"
# The scopes to tick when making a key, per data helper (reference §4a step 2 and §5).
KEY_SCOPES: dict[str, tuple[str, ...]] = {
    "contacts(), companies(), deals()": (
        "crm.objects.contacts.read",
        "crm.objects.companies.read",
        "crm.objects.deals.read",
    ),
    "owners": ("crm.objects.owners.read",),
    'objects("tickets")': ("tickets",),
    "marketing_emails(), email_statistics(), email_events()": ("content",),
    "campaigns()": ("marketing.campaigns.read",),
    "forms(), form_submissions()": ("forms",),
    "traffic()": ("business-intelligence",),
}


def verify(
    credential: str,
    kind: str = "service-key",
    *,
    api_base: str,
    api_version: str = DEFAULT_API_VERSION,
    session: requests.Session | None = None,
) -> Authorized:
    """A ``Token`` for ``credential`` and the portal it belongs to, or ``LoginFailed`` saying why not
    (``reason``: ``empty``, ``bad_key``/``bad_token`` (401), ``missing_scopes`` (403), ``network``,
    ``login_failed``)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    value = (credential or "").strip()
    if not value:
        raise LoginFailed(_empty(kind), "empty")
    api_version = check_api_version(api_version)
    session = session or requests.Session()
    token = Token(value, kind=kind, api_base=api_base)
    details: dict[str, object] = {}
    try:
        try:
            details = account_info(
                api_base=api_base, access_token=value, session=session, api_version=api_version
            )
        except MissingScopes:
            log.debug("account info refused the %s (403); checking it with a contacts read", kind)
            _contacts_check(api_base, api_version, value, session)
    except AuthenticationFailed:
        raise LoginFailed(_refused(kind), "bad_key" if kind == "service-key" else "bad_token") from None
    except MissingScopes as exc:
        raise LoginFailed(_lacks(kind, exc.missing_scopes), "missing_scopes") from None
    except NetworkError:
        raise LoginFailed(
            f"Could not reach HubSpot to check the {_name(kind)}; check the network and try again.", "network"
        ) from None
    except APIError as exc:
        raise LoginFailed(
            f"HubSpot answered {exc.status} while checking the {_name(kind)}; try again in a minute.",
            "login_failed",
        ) from None
    info = portal_info(token, details)
    token.hub_id = info.hub_id
    return Authorized(token, info, api_version)


def _contacts_check(api_base: str, api_version: str, credential: str, session: requests.Session) -> None:
    # The list path crm/pull.py reads; limit=1 is the cheapest call.
    resp = send(
        session,
        "GET",
        api_base + path("crm.objects", api_version, object_type="contacts"),
        params={"limit": 1},
        headers={"Authorization": f"Bearer {credential}"},
    )
    if resp.status_code >= 400:
        raise error_from_response(resp.status_code, resp.text, resp.headers)


def scopes_to_tick() -> list[str]:
    """Every scope of ``KEY_SCOPES``, in order, once."""
    return list(dict.fromkeys(s for scopes in KEY_SCOPES.values() for s in scopes))


def _name(kind: str) -> str:
    return "service key" if kind == "service-key" else "access token"


def _empty(kind: str) -> str:
    if kind == "service-key":
        return f"No service key given. Make one in HubSpot under {WHERE_KEYS_ARE_MADE}, then paste it."
    return (
        "No access token given. Paste a legacy private app's token or a project app's static token, or "
        f"use a service key instead (made under {WHERE_KEYS_ARE_MADE}): hnb.login(service_key=...)."
    )


def _refused(kind: str) -> str:
    if kind == "service-key":
        return (
            "HubSpot refused this key (401): check you copied the whole key, or make a new one under "
            f"{WHERE_KEYS_ARE_MADE} and paste that."
        )
    return (
        "HubSpot did not accept this access token: it is wrong, was rotated, or its app was deleted. "
        "Copy it again where it was made (a legacy private app: its Auth tab under Settings > "
        "Integrations > Private apps), or connect with a service key (hnb.login(service_key=...)) or "
        "an OAuth app (`hubspot-nb app init` makes one)."
    )


def _lacks(kind: str, scopes: list[str]) -> str:
    named = ", ".join(scopes) or "HubSpot did not say which"
    tick = ", ".join(scopes) or "the scopes listed above"
    if kind == "service-key":
        return (
            f"This key lacks a scope (403: {named}): open the key in HubSpot ({WHERE_KEYS_ARE_MADE}), "
            f"Add new scope → tick {tick}, save, and paste it again."
        )
    return f"This token lacks a scope (403: {named}): add {tick} to the app's scopes, then try again."
