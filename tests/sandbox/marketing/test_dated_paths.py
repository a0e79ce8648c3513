"""Marketing on HubSpot's date-versioned paths beside the legacy ones: emails and campaigns at
2026-03/2026-09, forms at 2026-09-beta, the same data on every path; 2026-09's narrower scopes
(emails: only ``content``; campaign revenue: only ``marketing.campaigns.revenue.read``); and no
dated path for form submissions, email events or analytics."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from hubspot_nb.sandbox import Sandbox

from ..tools import get_as

DATED = ("2026-03", "2026-09")
WINDOW = {"startTimestamp": "2025-01-01T00:00:00Z", "endTimestamp": "2027-01-01T00:00:00Z"}


def assert_same_modulo_path(legacy: requests.Response, dated: requests.Response, old: str, new: str) -> None:
    assert legacy.status_code == dated.status_code == 200, (legacy.text[:300], dated.text[:300])

    def normal(reply: requests.Response, prefix: str) -> Any:
        return json.loads(json.dumps(reply.json()).replace(prefix, "<prefix>"))

    assert normal(legacy, old) == normal(dated, new)


def pairs(sb: Sandbox, version: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    md = sb.marketing
    email = next(e for e in md.emails if not e.archived)
    campaign = max(md.campaigns, key=lambda c: len(c.emails))
    c = f"/{campaign.id}"
    emails, campaigns = f"/marketing/emails/{version}", f"/marketing/campaigns/{version}"
    return [
        ("/marketing/v3/emails", emails, "", {"limit": 5, "includeStats": "true"}),
        ("/marketing/v3/emails", emails, f"/{email.id}", {"includeStats": "true"}),
        ("/marketing/v3/emails", emails, "/statistics/list", WINDOW),
        ("/marketing/v3/emails", emails, "/statistics/histogram", {"interval": "MONTH", **WINDOW}),
        ("/marketing/v3/campaigns", campaigns, "", {"limit": 3, "properties": "hs_name,hs_start_date"}),
        ("/marketing/v3/campaigns", campaigns, c, {"properties": "hs_name"}),
        ("/marketing/v3/campaigns", campaigns, f"{c}/assets/MARKETING_EMAIL", {"limit": 2}),
        ("/marketing/v3/campaigns", campaigns, f"{c}/reports/metrics", {"startDate": "2026-01-01"}),
        ("/marketing/v3/campaigns", campaigns, f"{c}/reports/revenue", {"attributionModel": "U_SHAPED"}),
    ]


@pytest.mark.parametrize("version", DATED)
def test_dated_emails_and_campaigns_serve_the_legacy_data(sandbox: Sandbox, token: str, version: str) -> None:
    for old, new, rest, params in pairs(sandbox, version):
        legacy = get_as(sandbox, token, old + rest, **params)
        dated = get_as(sandbox, token, new + rest, **params)
        assert_same_modulo_path(legacy, dated, old, new)
    first = get_as(sandbox, token, f"/marketing/emails/{version}", limit=2).json()
    assert first["paging"]["next"]["link"].startswith(f"/marketing/emails/{version}?after=")


def test_beta_forms_serve_the_v3_forms(sandbox: Sandbox, token: str) -> None:
    old, new = "/marketing/v3/forms", "/marketing/forms/2026-09-beta"
    for params in ({"formTypes": "all", "limit": 3}, {}, {"archived": "true", "formTypes": "all"}):
        assert_same_modulo_path(
            get_as(sandbox, token, old, **params), get_as(sandbox, token, new, **params), old, new
        )
    form = sandbox.marketing.forms[0]
    assert_same_modulo_path(
        get_as(sandbox, token, f"{old}/{form.id}"), get_as(sandbox, token, f"{new}/{form.id}"), old, new
    )
    # Forms have no GA date version.
    assert get_as(sandbox, token, "/marketing/forms/2026-09").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/form-integrations/2026-09/submissions/forms/x",
        "/email/public/2026-09/events",
        "/email/2026-09/events",
        "/analytics/2026-09/reports/totals/total",
    ],
)
def test_legacy_only_families_have_no_dated_path(sandbox: Sandbox, token: str, path: str) -> None:
    reply = get_as(sandbox, token, path)
    assert reply.status_code == 404 and reply.json()["category"] == "OBJECT_NOT_FOUND"


def test_2026_09_emails_need_the_content_scope(sandbox: Sandbox) -> None:
    email_read = sandbox.oauth_token(scopes=["oauth", "marketing.email.read"])["access_token"]
    content = sandbox.oauth_token(scopes=["oauth", "content"])["access_token"]
    for rest in ("", "/statistics/list", "/statistics/histogram?interval=DAY"):
        for version in ("v3", "2026-03"):
            path = f"/marketing/{version}/emails" if version == "v3" else f"/marketing/emails/{version}"
            assert get_as(sandbox, email_read, path + rest).status_code == 200, path + rest
        refused = get_as(sandbox, email_read, f"/marketing/emails/2026-09{rest}")
        assert refused.status_code == 403, refused.text
        body = refused.json()
        assert body["status"] == "error" and body["category"] == "MISSING_SCOPES" and body["correlationId"]
        assert body["message"] == "This app hasn't been granted all required scopes to make this call."
        assert body["errors"][0]["context"]["requiredGranularScopes"] == ["content"]
        assert get_as(sandbox, content, f"/marketing/emails/2026-09{rest}").status_code == 200
    email = sandbox.marketing.emails[0].id
    assert get_as(sandbox, email_read, f"/marketing/emails/2026-09/{email}").status_code == 403
    assert get_as(sandbox, email_read, f"/marketing/v3/emails/{email}").status_code == 200


def test_2026_09_campaign_revenue_needs_the_revenue_read_scope(sandbox: Sandbox) -> None:
    guid = sandbox.marketing.campaigns[0].id
    lite = sandbox.oauth_token(scopes=["oauth", "marketing.campaigns.revenue.lite.read"])["access_token"]
    full = sandbox.oauth_token(scopes=["oauth", "marketing.campaigns.revenue.read"])["access_token"]
    for path in (
        f"/marketing/v3/campaigns/{guid}/reports/revenue",
        f"/marketing/campaigns/2026-03/{guid}/reports/revenue",
    ):
        assert get_as(sandbox, lite, path).status_code == 200, path
    refused = get_as(sandbox, lite, f"/marketing/campaigns/2026-09/{guid}/reports/revenue")
    assert refused.status_code == 403 and refused.json()["category"] == "MISSING_SCOPES"
    assert refused.json()["errors"][0]["context"]["requiredGranularScopes"] == [
        "marketing.campaigns.revenue.read"
    ]
    assert get_as(sandbox, full, f"/marketing/campaigns/2026-09/{guid}/reports/revenue").status_code == 200
