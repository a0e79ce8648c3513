"""Who a login connected: ``PortalInfo``, and ``Authorized``, the result of a finished OAuth login.

Both are plain values the auth layer fills (from the token response, introspection or the account
details) and hands up: ``Hub`` attaches them through its public methods (``Hub.from_login``,
``hub.attach``), so nothing here needs to know what a hub is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..http.urls import DEFAULT_API_VERSION

if TYPE_CHECKING:
    from .token import Token


@dataclass
class PortalInfo:
    """Who is connected: filled from the token response, introspection or account details."""

    hub_id: int | None = None
    hub_domain: str | None = None
    user: str | None = None  # e-mail of the user who authorized the app, when HubSpot says
    user_id: int | None = None
    app_id: int | None = None
    scopes: list[str] = field(default_factory=list)
    token_kind: str = "oauth"  # "oauth", "service-key" or "private-app"

    def describe(self) -> str:
        who = f" as {self.user}" if self.user else ""
        if self.hub_id is None and not self.hub_domain:
            return f"your HubSpot portal (hub id unknown: the key may not read account info){who}"
        where = self.hub_domain or f"portal {self.hub_id}"
        return f"{where} (hub id {self.hub_id}){who}"


@dataclass(frozen=True)
class Authorized:
    """A finished login: the token, who it belongs to, and the API version the login was asked for
    (what ``OAuthFlow.finish`` returns; ``Hub.from_login`` makes its client use that version)."""

    token: Token
    info: PortalInfo
    api_version: str = DEFAULT_API_VERSION


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
