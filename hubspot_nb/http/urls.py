"""Where HubSpot lives: the two base URLs and every API path this package calls, per API version.

Each endpoint has a dotted name (``"crm.objects"``, ``"marketing.emails.statistics"`` …) and a path
template per API version in ``PATHS[version][name]``; ``path(name, version, **parts)`` fills one
in. Code elsewhere names the endpoint, never spells the path: the data helpers ask their client
(``ctx.client.path(name, **parts)``), which knows its version. Parts are inserted as given: quote
values that can hold reserved characters (tokens) before passing them; object types, ids and report
names are HubSpot's own and need none.

Versions (``API_VERSIONS``; facts in docs/hubspot-paths.md):

* ``2026-09`` (the default, HubSpot's newest GA release) and ``2026-03`` (the first): HubSpot's
  date-versioned paths, ``/crm/objects/2026-09/{objectType}`` …, for every family that has one.
* ``legacy``: the numbered paths (``/crm/v3/…``, ``/crm/v4/associations/…``) for portals or proxies
  that need them. HubSpot stops supporting v1–v3 in September 2027 and v4 on 30 March 2027.

Form submissions, email events, analytics reports and forms have no date-versioned path (forms only
a ``2026-09-beta``, documented as identical to v3; a beta may change without notice, so forms stay
on v3 until a GA version exists). Under a date version they use their legacy path, and the first
use of each such family in a process says so once, as a ``HubSpotLegacyAPIWarning``.

OAuth's token endpoints have their own version axis (``2026-03``, ``v3``, ``v1``: which one is a
login setting, see ``auth.settings``): ``OAUTH_PATHS`` and ``oauth_path``.
"""

from __future__ import annotations

import threading
import warnings
from typing import Final

from ..errors import ConfigError, HubSpotLegacyAPIWarning

DEFAULT_API_BASE: Final = "https://api.hubapi.com"
DEFAULT_APP_BASE: Final = "https://app.hubspot.com"  # where users authorize apps

API_VERSIONS: Final = ("2026-09", "2026-03", "legacy")
DEFAULT_API_VERSION: Final = "2026-09"
DATED_VERSIONS: Final = ("2026-09", "2026-03")

# name -> (legacy template, date-versioned template with {version}, or None where HubSpot has none)
_ENDPOINTS: Final[dict[str, tuple[str, str | None]]] = {
    # CRM
    "crm.objects": ("/crm/v3/objects/{object_type}", "/crm/objects/{version}/{object_type}"),  # list
    "crm.objects.search": (
        "/crm/v3/objects/{object_type}/search",
        "/crm/objects/{version}/{object_type}/search",
    ),
    "crm.objects.batch_read": (
        "/crm/v3/objects/{object_type}/batch/read",
        "/crm/objects/{version}/{object_type}/batch/read",
    ),
    "crm.properties": ("/crm/v3/properties/{object_type}", "/crm/properties/{version}/{object_type}"),
    "crm.associations.batch_read": (
        "/crm/v4/associations/{from_type}/{to_type}/batch/read",
        "/crm/associations/{version}/{from_type}/{to_type}/batch/read",
    ),
    "crm.owners": ("/crm/v3/owners", "/crm/owners/{version}"),
    "crm.pipelines": ("/crm/v3/pipelines/{object_type}", "/crm/pipelines/{version}/{object_type}"),
    # accounts
    "account.details": ("/account-info/v3/details", "/account-info/{version}/details"),
    # marketing
    "marketing.emails": ("/marketing/v3/emails", "/marketing/emails/{version}"),
    "marketing.email": ("/marketing/v3/emails/{email_id}", "/marketing/emails/{version}/{email_id}"),
    "marketing.emails.statistics": (
        "/marketing/v3/emails/statistics/list",
        "/marketing/emails/{version}/statistics/list",
    ),
    "marketing.emails.histogram": (
        "/marketing/v3/emails/statistics/histogram",
        "/marketing/emails/{version}/statistics/histogram",
    ),
    "marketing.campaigns": ("/marketing/v3/campaigns", "/marketing/campaigns/{version}"),
    "marketing.campaign.metrics": (
        "/marketing/v3/campaigns/{campaign_id}/reports/metrics",
        "/marketing/campaigns/{version}/{campaign_id}/reports/metrics",
    ),
    "marketing.campaign.revenue": (
        "/marketing/v3/campaigns/{campaign_id}/reports/revenue",
        "/marketing/campaigns/{version}/{campaign_id}/reports/revenue",
    ),
    # legacy only (no date-versioned path; see LEGACY_ONLY)
    "marketing.forms": ("/marketing/v3/forms", None),
    "marketing.form_submissions": ("/form-integrations/v1/submissions/forms/{form_id}", None),
    "marketing.email_events": ("/email/public/v1/events", None),
    "analytics.report": ("/analytics/v2/reports/{breakdown}/{period}", None),
}

# The one map: API version -> endpoint name -> path template (legacy-only endpoints keep their
# legacy path in every version).
PATHS: Final[dict[str, dict[str, str]]] = {
    version: {
        name: legacy if dated is None or version == "legacy" else dated.replace("{version}", version)
        for name, (legacy, dated) in _ENDPOINTS.items()
    }
    for version in API_VERSIONS
}

# Legacy-only endpoints: the family named in the notice, and what HubSpot offers instead.
UNSUPPORTED_FROM: Final = "September 2027"  # v1–v3 (HubSpot changelog, 15 Sep 2026)
LEGACY_ONLY: Final[dict[str, tuple[str, str]]] = {
    "marketing.forms": (
        "forms (v3)",
        "only a 2026-09-beta exists, which may change without notice, so hubspot_nb stays on v3",
    ),
    "marketing.form_submissions": ("form submissions (v1)", "HubSpot has no date-versioned successor"),
    "marketing.email_events": ("email events (v1)", "HubSpot has no date-versioned successor"),
    "analytics.report": ("analytics reports (v2)", "HubSpot has no date-versioned successor"),
}

# OAuth: ``endpoint`` is the token endpoint version ("2026-03", "v3" or "v1"); authorize is on the app base.
OAUTH_PATHS: Final[dict[str, str]] = {
    "oauth.authorize": "/oauth/authorize",
    "oauth.token": "/oauth/{endpoint}/token",
    "oauth.introspect": "/oauth/{endpoint}/token/introspect",
    "oauth.revoke": "/oauth/{endpoint}/token/revoke",
    "oauth.v1.access_token": "/oauth/v1/access-tokens/{token}",  # v1 introspection (GET)
    "oauth.v1.refresh_token": "/oauth/v1/refresh-tokens/{token}",  # v1 revocation (DELETE)
}

_noticed: set[str] = set()  # legacy-only families already announced in this process
_noticed_lock = threading.Lock()


def check_api_version(version: str) -> str:
    """``version`` normalised (``" 2026-09 "`` → ``"2026-09"``), or ``ConfigError`` listing the choices."""
    cleaned = str(version).strip().lower()
    if cleaned not in API_VERSIONS:
        raise ConfigError(
            f"Unknown API version {version!r}. Use one of {', '.join(API_VERSIONS)} "
            f"(default {DEFAULT_API_VERSION}; legacy = HubSpot's v1–v4 paths), "
            "as api_version= or HUBSPOT_API_VERSION."
        )
    return cleaned


def path(name: str, version: str, **parts: object) -> str:
    """The path of endpoint ``name`` in API ``version`` with its ``{parts}`` filled in
    (``KeyError`` names a missing part or an unknown endpoint). A legacy-only endpoint asked for
    under a date version announces itself once per process (``HubSpotLegacyAPIWarning``)."""
    template = PATHS[version][name]
    if version != "legacy" and name in LEGACY_ONLY:
        _notice(name, version, template)
    return template.format(**parts)


def _notice(name: str, version: str, template: str) -> None:
    family, instead = LEGACY_ONLY[name]
    with _noticed_lock:
        if family in _noticed:
            return
        _noticed.add(family)
    warnings.warn(
        f"hubspot_nb: {family} has no {version} path ({instead}), so it is read from the legacy path "
        f"{template.split('{')[0].rstrip('/')}. HubSpot stops supporting v1–v3 APIs in {UNSUPPORTED_FROM}.",
        HubSpotLegacyAPIWarning,
        stacklevel=4,  # path() <- client.path() <- the data helper
    )


def oauth_path(name: str, **parts: object) -> str:
    """The path of OAuth endpoint ``name`` (``endpoint=`` the token endpoint version where it has one)."""
    return OAUTH_PATHS[name].format(**parts)
