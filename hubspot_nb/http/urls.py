"""Where HubSpot lives: the two base URLs and every API path this package calls, in one table.

Each endpoint has a dotted name (``"crm.objects"``, ``"marketing.emails.statistics"`` …) and a
path template; ``path(name, **parts)`` fills it in. Code elsewhere names the endpoint, never spells
the path, so a new API version is a change here (a per-version table behind ``path``), not a hunt
through the helpers. Parts are inserted as given: quote values that can hold reserved characters
(tokens) before passing them; object types, ids and report names are HubSpot's own and need none.
"""

from __future__ import annotations

from typing import Final

DEFAULT_API_BASE: Final = "https://api.hubapi.com"
DEFAULT_APP_BASE: Final = "https://app.hubspot.com"  # where users authorize apps

PATHS: Final[dict[str, str]] = {
    # CRM
    "crm.objects": "/crm/v3/objects/{object_type}",  # list (GET)
    "crm.objects.search": "/crm/v3/objects/{object_type}/search",
    "crm.objects.batch_read": "/crm/v3/objects/{object_type}/batch/read",
    "crm.properties": "/crm/v3/properties/{object_type}",
    "crm.associations.batch_read": "/crm/v4/associations/{from_type}/{to_type}/batch/read",
    "crm.owners": "/crm/v3/owners",
    "crm.pipelines": "/crm/v3/pipelines/{object_type}",
    # accounts and OAuth (``version``: "2026-03", "v3" or "v1"; the authorize page is on the app base)
    "account.details": "/account-info/v3/details",
    "oauth.authorize": "/oauth/authorize",
    "oauth.token": "/oauth/{version}/token",
    "oauth.introspect": "/oauth/{version}/token/introspect",
    "oauth.revoke": "/oauth/{version}/token/revoke",
    "oauth.v1.access_token": "/oauth/v1/access-tokens/{token}",  # v1 introspection (GET)
    "oauth.v1.refresh_token": "/oauth/v1/refresh-tokens/{token}",  # v1 revocation (DELETE)
    # marketing
    "marketing.emails": "/marketing/v3/emails",
    "marketing.email": "/marketing/v3/emails/{email_id}",
    "marketing.emails.statistics": "/marketing/v3/emails/statistics/list",
    "marketing.emails.histogram": "/marketing/v3/emails/statistics/histogram",
    "marketing.email_events": "/email/public/v1/events",
    "marketing.campaigns": "/marketing/v3/campaigns",
    "marketing.campaign.metrics": "/marketing/v3/campaigns/{campaign_id}/reports/metrics",
    "marketing.campaign.revenue": "/marketing/v3/campaigns/{campaign_id}/reports/revenue",
    "marketing.forms": "/marketing/v3/forms",
    "marketing.form_submissions": "/form-integrations/v1/submissions/forms/{form_id}",
    "analytics.report": "/analytics/v2/reports/{breakdown}/{period}",
}


def path(name: str, **parts: object) -> str:
    """The path of endpoint ``name`` with its ``{parts}`` filled in (``KeyError`` names a missing one)."""
    return PATHS[name].format(**parts)
