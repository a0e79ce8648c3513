"""Campaigns, forms, form submissions and analytics reports, over real HTTP to the sandbox."""

from __future__ import annotations

import pytest

from hubspot_nb.sandbox import Sandbox

from ..tools import get_as, walk


# -- campaigns ----------------------------------------------------------------------------------------
def test_campaign_paging_properties_and_sorting(sandbox: Sandbox, token: str) -> None:
    campaigns = walk(sandbox, token, "/marketing/v3/campaigns", limit=5, properties="hs_name,hs_start_date")
    assert len(campaigns) == len({c["id"] for c in campaigns}) == len(sandbox.marketing.campaigns)
    assert all(set(c["properties"]) == {"hs_name", "hs_start_date"} for c in campaigns)
    bare = get_as(sandbox, token, "/marketing/v3/campaigns", limit=1).json()
    assert bare["results"][0]["properties"] == {} and bare["total"] == len(campaigns)
    by_name = get_as(sandbox, token, "/marketing/v3/campaigns", sort="-hs_name", properties="hs_name").json()
    names = [c["properties"]["hs_name"].lower() for c in by_name["results"]]
    assert names == sorted(names, reverse=True)
    word = campaigns[0]["properties"]["hs_name"].split()[0]
    named = get_as(sandbox, token, "/marketing/v3/campaigns", name=word.lower(), properties="hs_name").json()
    assert named["total"] >= 1 and all(word in c["properties"]["hs_name"] for c in named["results"])


def test_one_campaign_with_assets_and_reports(sandbox: Sandbox, token: str) -> None:
    md = sandbox.marketing
    campaign = max(md.campaigns, key=lambda c: len(c.emails))
    base = f"/marketing/v3/campaigns/{campaign.id}"
    props = "hs_name,hs_budget_items_sum_amount,hs_campaign_status,hs_color_hex,hs_owner"
    body = get_as(sandbox, token, base, properties=props).json()
    assert body["id"] == campaign.id and float(body["properties"]["hs_budget_items_sum_amount"]) > 0
    assert body["properties"]["hs_color_hex"].startswith("#")
    emails = walk(sandbox, token, f"{base}/assets/MARKETING_EMAIL", limit=2)
    assert {e["id"] for e in emails} == {e.id for e in campaign.emails}
    assert get_as(sandbox, token, f"{base}/assets/BLOG_POST").json()["results"] == []
    everything = get_as(sandbox, token, f"{base}/reports/metrics").json()
    assert set(everything) == {
        "sessions",
        "newContactsFirstTouch",
        "newContactsLastTouch",
        "influencedContacts",
    }
    assert (
        everything["influencedContacts"] > 0
        and everything["sessions"] >= everything["influencedContacts"] // 2
    )
    # the report follows the dates: two halves of a span add up to the whole span
    halves = [
        get_as(
            sandbox, token, f"{base}/reports/metrics", startDate="2025-01-01", endDate="2026-03-31"
        ).json(),
        get_as(
            sandbox, token, f"{base}/reports/metrics", startDate="2026-04-01", endDate="2027-12-31"
        ).json(),
    ]
    assert sum(h["sessions"] for h in halves) == everything["sessions"]


def test_revenue_depends_on_the_attribution_model(sandbox: Sandbox, token: str) -> None:
    campaign = max(sandbox.marketing.campaigns, key=lambda c: len(c.emails))
    path = f"/marketing/v3/campaigns/{campaign.id}/reports/revenue"
    linear = get_as(sandbox, token, path).json()
    assert linear == get_as(sandbox, token, path, attributionModel="LINEAR").json()
    assert linear["currencyCode"] == "USD" and linear["revenueAmount"] > 0 and linear["dealsNumber"] >= 0
    first = get_as(sandbox, token, path, attributionModel="FIRST_INTERACTION").json()
    assert first["revenueAmount"] != linear["revenueAmount"]
    assert first == get_as(sandbox, token, path, attributionModel="FIRST_INTERACTION").json()  # deterministic
    assert get_as(sandbox, token, path, attributionModel="MADE_UP").status_code == 400


def test_campaign_scopes(sandbox: Sandbox) -> None:
    campaigns_only = sandbox.oauth_token(scopes=["oauth", "marketing.campaigns.read"])["access_token"]
    guid = sandbox.marketing.campaigns[0].id
    assert get_as(sandbox, campaigns_only, "/marketing/v3/campaigns").status_code == 200
    assert (
        get_as(sandbox, campaigns_only, f"/marketing/v3/campaigns/{guid}/reports/revenue").status_code == 403
    )
    forms_only = sandbox.oauth_token(scopes=["oauth", "forms"])["access_token"]
    assert get_as(sandbox, forms_only, "/marketing/v3/campaigns").status_code == 403
    assert get_as(sandbox, forms_only, "/analytics/v2/reports/sources/total").status_code == 403


# -- forms and submissions ----------------------------------------------------------------------------
def test_forms_list_and_detail(sandbox: Sandbox, token: str) -> None:
    md = sandbox.marketing
    hubspot_forms = walk(sandbox, token, "/marketing/v3/forms", limit=3)
    every = walk(sandbox, token, "/marketing/v3/forms", limit=3, formTypes="all")
    archived = walk(sandbox, token, "/marketing/v3/forms", formTypes="all", archived="true")
    assert len(every) + len(archived) == len(md.forms)
    assert all(f["formType"] == "hubspot" for f in hubspot_forms) and len(hubspot_forms) < len(every)
    one = get_as(sandbox, token, f"/marketing/v3/forms/{every[0]['id']}").json()
    assert one == every[0]
    names = [field["name"] for group in one["fieldGroups"] for field in group["fields"]]
    assert "email" in names
    for key in ("configuration", "displayOptions", "legalConsentOptions", "createdAt", "updatedAt"):
        assert key in one


def test_submissions_come_from_crm_contacts_and_strangers(sandbox: Sandbox, token: str) -> None:
    contacts = walk(sandbox, token, "/crm/v3/objects/contacts", limit=100, properties="email")
    known = {c["properties"]["email"] for c in contacts if c["properties"].get("email")}
    in_crm = outside = 0
    for form in sandbox.marketing.forms:
        subs = walk(sandbox, token, f"/form-integrations/v1/submissions/forms/{form.id}", limit=50)
        assert (
            len(subs) == len({s["conversionId"] for s in subs}) == len(sandbox.marketing.submissions[form.id])
        )
        times = [s["submittedAt"] for s in subs]
        assert times == sorted(times, reverse=True)  # newest first
        for sub in subs:
            email = next(v["value"] for v in sub["values"] if v["name"] == "email")
            if email in known:
                in_crm += 1
            else:
                outside += 1
            assert sub["pageUrl"].startswith("https://")
    assert in_crm > 5 * outside > 0


def test_form_errors(sandbox: Sandbox, token: str) -> None:
    some_form = sandbox.marketing.forms[0].id
    cases = [
        ("/form-integrations/v1/submissions/forms/no-such-form", {}, 404),
        (f"/form-integrations/v1/submissions/forms/{some_form}", {"limit": "51"}, 400),
        (f"/form-integrations/v1/submissions/forms/{some_form}", {"after": "??"}, 400),
        ("/marketing/v3/forms/no-such-form", {}, 404),
        ("/marketing/v3/forms", {"formTypes": "paper"}, 400),
        ("/marketing/v3/campaigns/no-such-campaign", {}, 404),
        ("/marketing/v3/campaigns", {"limit": "1000"}, 400),
        ("/marketing/v3/campaigns", {"sort": "size"}, 400),
        (f"/marketing/v3/campaigns/{sandbox.marketing.campaigns[0].id}/assets/POSTCARD", {}, 400),
        (
            f"/marketing/v3/campaigns/{sandbox.marketing.campaigns[0].id}/reports/metrics",
            {"startDate": "1/2/26"},
            400,
        ),
    ]
    for path, params, status in cases:
        reply = get_as(sandbox, token, path, **params)
        assert reply.status_code == status, (path, params, reply.text)
        assert reply.json()["message"]


# -- analytics ----------------------------------------------------------------------------------------
def test_sources_total_report(sandbox: Sandbox, token: str) -> None:
    body = get_as(
        sandbox, token, "/analytics/v2/reports/sources/total", start="20260101", end="20260331"
    ).json()
    names = {b["breakdown"] for b in body["breakdowns"]}
    assert {
        "ORGANIC",
        "PAID_SEARCH",
        "SOCIAL_MEDIA",
        "EMAIL_MARKETING",
        "DIRECT_TRAFFIC",
        "REFERRALS",
    } <= names
    assert body["total"] == len(body["breakdowns"]) == 9
    assert body["totals"]["visits"] == sum(b["visits"] for b in body["breakdowns"])
    assert 0 < body["totals"]["bounceRate"] < 100 and body["totals"]["pageviewsPerSession"] > 1
    page = get_as(
        sandbox, token, "/analytics/v2/reports/sources/total", start="20260101", end="20260331", limit=4
    )
    second = get_as(
        sandbox,
        token,
        "/analytics/v2/reports/sources/total",
        start="20260101",
        end="20260331",
        limit=4,
        offset=4,
    )
    assert (
        page.json()["offset"] == 4
        and page.json()["breakdowns"] + second.json()["breakdowns"] == body["breakdowns"][:8]
    )


def test_time_series_reports_add_up(sandbox: Sandbox, token: str) -> None:
    span = {"start": "20260301", "end": "20260430"}
    total = get_as(sandbox, token, "/analytics/v2/reports/totals/total", **span).json()["totals"]["visits"]
    daily = get_as(sandbox, token, "/analytics/v2/reports/sources/daily", **span).json()
    assert len(daily) == 61 and "2026-03-01" in daily
    assert sum(row["visits"] for rows in daily.values() for row in rows) == total
    monthly = get_as(sandbox, token, "/analytics/v2/reports/totals/summarize/monthly", **span).json()
    assert list(monthly) == ["2026-03-01", "2026-04-01"]
    assert sum(m["visits"] for m in monthly.values()) == total
    weekly = get_as(sandbox, token, "/analytics/v2/reports/geolocation/weekly", **span).json()
    assert sum(row["visits"] for rows in weekly.values() for row in rows) == total
    utm = get_as(sandbox, token, "/analytics/v2/reports/utm-campaigns/total", **span).json()
    assert utm["totals"]["visits"] == total


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/analytics/v2/reports/sources/total", {}),
        ("/analytics/v2/reports/sources/total", {"start": "2026-01-01", "end": "20260131"}),
        ("/analytics/v2/reports/sources/total", {"start": "20260201", "end": "20260101"}),
        ("/analytics/v2/reports/moonphase/total", {"start": "20260101", "end": "20260131"}),
        ("/analytics/v2/reports/sources/hourly", {"start": "20260101", "end": "20260131"}),
        ("/analytics/v2/reports/sources/total", {"start": "20260101", "end": "20260131", "limit": "5000"}),
    ],
)
def test_analytics_bad_input(sandbox: Sandbox, token: str, path: str, params: dict) -> None:
    reply = get_as(sandbox, token, path, **params)
    assert reply.status_code == 400, reply.text
    assert reply.json()["category"] == "VALIDATION_ERROR"
