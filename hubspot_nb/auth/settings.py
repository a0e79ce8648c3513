"""Login settings: where they come from, their defaults, and the one safety rule on URLs.

Order of precedence: explicit arguments, then environment variables, then the token cache (the
cache is consulted by ``login``/``connect``, not here). ``resolve`` returns a ``Settings`` with
every value it found; missing ones stay ``None`` so the caller can say exactly what to set.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import ConfigError
from ..http.urls import DEFAULT_API_BASE as DEFAULT_API_BASE  # re-exported: the login defaults
from ..http.urls import DEFAULT_API_VERSION, check_api_version
from ..http.urls import DEFAULT_APP_BASE as DEFAULT_APP_BASE

DEFAULT_TOKEN_ENDPOINT = "2026-03"  # /oauth/v1/token is deprecated (sunset 2027-02-16)
TOKEN_ENDPOINTS = ("2026-03", "v3", "v1")
# The token endpoint each API version logs in with, unless token_endpoint= says otherwise.
# 2026-09 stays on /oauth/2026-03/token: 2026-09's spec declares no token response schema (and its
# introspection a bare {active}, without the hub id a login needs), while 2026-03's declares the
# token object; HubSpot's own docs exchange codes at 2026-03. ``legacy`` uses v3, not v1: both are
# numbered paths that still answer, but OAuth v1 ends 2027-02-16, seven months before v3 (Sept 2027),
# and v3 speaks the same form-posted introspect/revoke as 2026-03.
TOKEN_ENDPOINT_FOR_API_VERSION = {"2026-09": "2026-03", "2026-03": "2026-03", "legacy": "v3"}

# What every notebook needs: the three CRM object reads. ``oauth`` is HubSpot's base scope. These are
# sent as ``scope``: they must be exactly the app's required scopes (app-hsmeta.json ``requiredScopes``).
DEFAULT_SCOPES = [
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.companies.read",
    "crm.objects.deals.read",
]
# Sent as ``optional_scope``. Empty by default: HubSpot refuses an install URL naming a scope the app is
# not configured with, so only the user can say which optional scopes their app has
# (HUBSPOT_OPTIONAL_SCOPES, or ``hubspot-nb app init --for analysis``).
DEFAULT_OPTIONAL_SCOPES: list[str] = []
# The optional scopes the marketing and analysis helpers use (hubspot-2026.md §5): granted where the
# portal has them, dropped where it does not, so a portal without Marketing Hub still installs the app.
ANALYSIS_OPTIONAL_SCOPES = [
    "content",
    "marketing.campaigns.read",
    "marketing.campaigns.revenue.read",  # hub.campaign_revenue()
    "forms",
    "business-intelligence",
    "tickets",
    "crm.objects.owners.read",
]
# Named scope sets for ``hubspot-nb app init --for NAME``: (required, optional).
SCOPE_PRESETS: dict[str, tuple[list[str], list[str]]] = {
    "crm": (DEFAULT_SCOPES, DEFAULT_OPTIONAL_SCOPES),
    "analysis": (DEFAULT_SCOPES, ANALYSIS_OPTIONAL_SCOPES),
}

ENV = {
    "client_id": "HUBSPOT_CLIENT_ID",
    "client_secret": "HUBSPOT_CLIENT_SECRET",
    "redirect_uri": "HUBSPOT_REDIRECT_URI",
    "scopes": "HUBSPOT_SCOPES",
    "optional_scopes": "HUBSPOT_OPTIONAL_SCOPES",
    "service_key": "HUBSPOT_SERVICE_KEY",
    "access_token": "HUBSPOT_ACCESS_TOKEN",
    "api_base": "HUBSPOT_API_BASE",
    "app_base": "HUBSPOT_APP_BASE",
    "api_version": "HUBSPOT_API_VERSION",
    "cache_dir": "HUBSPOT_NB_CACHE_DIR",
}


@dataclass
class Settings:
    """Everything a login needs. ``sources`` says where each value came from ("argument"/"env")."""

    client_id: str | None = None
    client_secret: str | None = None
    redirect_uri: str | None = None
    scopes: list[str] = field(default_factory=lambda: list(DEFAULT_SCOPES))
    optional_scopes: list[str] = field(default_factory=lambda: list(DEFAULT_OPTIONAL_SCOPES))
    service_key: str | None = None
    access_token: str | None = None
    api_base: str = DEFAULT_API_BASE
    app_base: str = DEFAULT_APP_BASE
    api_version: str = DEFAULT_API_VERSION
    cache_dir: str | None = None
    token_endpoint: str = DEFAULT_TOKEN_ENDPOINT
    sources: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        # Never show the secret or the access token, only whether they are set.
        return (
            f"Settings(client_id={self.client_id!r}, client_secret={'set' if self.client_secret else None}, "
            f"redirect_uri={self.redirect_uri!r}, scopes={self.scopes}, "
            f"optional_scopes={self.optional_scopes}, "
            f"service_key={'set' if self.service_key else None}, "
            f"access_token={'set' if self.access_token else None}, api_base={self.api_base!r}, "
            f"app_base={self.app_base!r}, api_version={self.api_version!r}, "
            f"token_endpoint={self.token_endpoint!r})"
        )

    def static_credential(self) -> tuple[str, str] | None:
        """``(kind, value)`` of the static credential to use, or None: an argument wins over the
        environment; within each, a service key wins over an access token."""
        for source in ("argument", "env"):
            for name, kind in (("service_key", "service-key"), ("access_token", "private-app")):
                value = getattr(self, name)
                if value and self.sources.get(name) == source:
                    return kind, value
        return None


def split_scopes(value: str | Iterable[str] | None) -> list[str] | None:
    """``"a b,c"`` or ``["a", "b"]`` -> ``["a", "b", "c"]``; None stays None."""
    if value is None:
        return None
    items = value.replace(",", " ").split() if isinstance(value, str) else [str(v).strip() for v in value]
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def resolve(**arguments: object) -> Settings:
    """Merge ``arguments`` (None = not given) over the ``HUBSPOT_*`` environment variables.

    Also validates what it can: the API version, the token endpoint version and both base URLs.
    Without ``token_endpoint`` the API version picks it (``TOKEN_ENDPOINT_FOR_API_VERSION``).
    """
    if arguments.get("service_key") is not None and arguments.get("access_token") is not None:
        raise ConfigError(
            "Pass either service_key= (a HubSpot service key) or access_token= (a legacy private-app or "
            "static app token), not both: they are two ways to the same thing."
        )
    settings = Settings()
    for name, env_name in ENV.items():
        value = arguments.get(name)
        source = "argument"
        if value is None:
            value = os.environ.get(env_name) or None
            source = "env"
        if value is None:
            continue
        if name in ("scopes", "optional_scopes"):
            value = split_scopes(value)  # type: ignore[arg-type]
        elif isinstance(value, str):
            value = value.strip()
            if name in ("api_base", "app_base"):
                value = value.rstrip("/")
        setattr(settings, name, value)
        settings.sources[name] = source
    settings.api_version = check_api_version(settings.api_version)
    endpoint = arguments.get("token_endpoint")
    settings.token_endpoint = (
        check_token_endpoint(str(endpoint))
        if endpoint is not None
        else TOKEN_ENDPOINT_FOR_API_VERSION[settings.api_version]
    )
    check_base_url(settings.api_base, what="api_base")
    check_base_url(settings.app_base, what="app_base", allow_relative=True)
    if settings.redirect_uri:
        check_base_url(settings.redirect_uri, what="redirect_uri", allow_relative=True)
    return settings


def resolve_api_version(value: str | None = None) -> str:
    """The API version to use: ``value``, else ``HUBSPOT_API_VERSION``, else ``2026-09``
    (``ConfigError`` for anything but ``2026-09``, ``2026-03`` or ``legacy``)."""
    if value is None:
        value = os.environ.get(ENV["api_version"]) or None
    return check_api_version(value if value is not None else DEFAULT_API_VERSION)


def check_token_endpoint(version: str) -> str:
    version = version.strip().lower()
    if version not in TOKEN_ENDPOINTS:
        raise ConfigError(
            f"Unknown token endpoint {version!r}. Use one of {', '.join(TOKEN_ENDPOINTS)} "
            f"(the default {DEFAULT_TOKEN_ENDPOINT!r} is HubSpot's current one)."
        )
    return version


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, what: str = "URL", allow_relative: bool = False) -> str:
    """Refuse URLs that would send tokens or secrets in clear text.

    ``https://`` is always fine; ``http://`` only to a loopback host (the local sandbox).
    ``allow_relative`` accepts a path such as ``/user/ann/proxy/8750`` for browser-facing URLs
    under JupyterHub, which the browser resolves against the notebook server's own origin.
    """
    parts = urlsplit(url)
    if allow_relative and not parts.scheme and not parts.netloc and url.startswith("/"):
        return url
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname:
        if is_loopback(parts.hostname):
            return url
        raise ConfigError(
            f"Refusing plain http:// for {what} {url!r}: tokens would travel unencrypted. "
            f"Use https:// (http:// is allowed only for localhost/127.0.0.1, e.g. the sandbox)."
        )
    raise ConfigError(f"{what} {url!r} is not a usable URL; it should look like https://api.hubapi.com.")
