"""Campaign routes (``/marketing/v3/campaigns``): list, one campaign, its assets and its reports;
also at ``/marketing/campaigns/{2026-03,2026-09}`` (same sub-paths, same data). 2026-09's
``reports/revenue`` accepts only ``marketing.campaigns.revenue.read`` (v3 and 2026-03 also the
``.lite``/``.full`` scopes); its removed 207s concern batch operations the sandbox does not serve.

Choices: list ``limit`` default 50, max 100, opaque ``after`` cursor, sorted by ``createdAt``
unless ``sort`` (``hs_name``, ``createdAt``, ``updatedAt``, ``-`` for descending) says otherwise;
``name`` filters by a case-insensitive substring. As HubSpot documents, ``properties`` picks the
properties returned — without it ``properties`` is an empty map — and empty values are left out.
Dates (``startDate``/``endDate``, ``YYYY-MM-DD``, inclusive, UTC) bound the reports and asset
metrics; without them they cover all time. Reports are computed from the campaign's email events
and form submissions in the window, so they move with the dates:

- ``influencedContacts`` = unique clickers of the campaign's emails + known contacts submitting
  its forms; ``sessions`` = email clicks + 3 × submissions; new contacts = fixed per-campaign shares
  of the influenced contacts;
- revenue = the campaign's base revenue × a weight per attribution model × the window's share of
  the influenced contacts (``dealAmount`` = revenue × 1.25).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ..routing import ApiError, Request, Response, Router
from ._data import MarketingData
from ._email_events import (
    N_CODES,
    S_CLICK_AGAIN,
    S_CLICK_COMPUTER,
    S_CLICK_UNKNOWN,
    S_OPEN_COMPUTER,
    S_OPEN_UNKNOWN,
    S_SENT,
)
from ._json import add_counts, campaign_json, email_counts
from ._params import (
    CAMPAIGN_SCOPES,
    REVENUE_SCOPES,
    REVENUE_SCOPES_BY_VERSION,
    MarketingHost,
    check_window,
    cursor_page,
    decode_cursor,
    ymd_arg,
)
from ._records import Campaign

router = Router()

ATTRIBUTION_MODELS = {
    "LINEAR": 1.0,
    "FIRST_INTERACTION": 0.85,
    "LAST_INTERACTION": 1.15,
    "FULL_PATH": 0.95,
    "U_SHAPED": 1.05,
    "W_SHAPED": 0.98,
    "TIME_DECAY": 1.1,
    "J_SHAPED": 1.08,
    "INVERSE_J_SHAPED": 0.9,
}
ASSET_TYPES = (
    "AD_CAMPAIGN",
    "BLOG_POST",
    "CALL",
    "CASE_STUDY",
    "CTA",
    "EXTERNAL_WEB_URL",
    "FORM",
    "LANDING_PAGE",
    "MARKETING_EMAIL",
    "MARKETING_EVENT",
    "MEETING_EVENT",
    "OBJECT_LIST",
    "SITE_PAGE",
    "SOCIAL_BROADCAST",
    "WEB_INTERACTIVE",
)
_SORTS = {
    "hs_name": lambda c: (c.name.lower(), c.id),
    "createdAt": lambda c: (c.created_ms, c.id),
    "updatedAt": lambda c: (c.updated_ms, c.id),
}


@router.api("GET", "/marketing/v3/campaigns", scopes=CAMPAIGN_SCOPES, slash=True)
def list_campaigns(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    limit = req.int_arg("limit", 50, maximum=100)
    start = decode_cursor(req, "after") or 0
    sort = req.arg("sort") or "createdAt"
    if sort.lstrip("-") not in _SORTS:
        raise ApiError(
            400,
            f"Invalid value for 'sort': '{sort[:40]}'; valid values: {', '.join(_SORTS)} (- for descending).",
        )
    name = (req.arg("name") or "").lower()
    found = [c for c in md.campaigns if name in c.name.lower()]
    found.sort(key=_SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))
    props = req.args("properties") or None
    return cursor_page(req, found, start, limit, lambda c: campaign_json(c, props), total=True)


@router.api("GET", "/marketing/v3/campaigns/{campaign_guid}", scopes=CAMPAIGN_SCOPES)
def get_campaign(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    campaign = _campaign(md, req)
    window = _window(req)
    body = campaign_json(campaign, req.args("properties") or None)
    body["assets"] = {
        kind: {"results": _assets(md, campaign, kind, window)} for kind in ("MARKETING_EMAIL", "FORM")
    }
    return Response.json(body, records=1)


@router.api("GET", "/marketing/v3/campaigns/{campaign_guid}/assets/{asset_type}", scopes=CAMPAIGN_SCOPES)
def list_assets(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    campaign = _campaign(md, req)
    kind = req.path_params["asset_type"].upper()
    if kind not in ASSET_TYPES:
        raise ApiError(400, f"Unknown asset type '{kind[:40]}'; valid types: {', '.join(ASSET_TYPES)}.")
    limit = req.int_arg("limit", 10, maximum=100)
    start = decode_cursor(req, "after") or 0
    return cursor_page(req, _assets(md, campaign, kind, _window(req)), start, limit)


@router.api("GET", "/marketing/v3/campaigns/{campaign_guid}/reports/metrics", scopes=CAMPAIGN_SCOPES)
def campaign_metrics(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    campaign = _campaign(md, req)
    influenced, sessions = _influence(md, campaign, _window(req))
    body = {
        "sessions": sessions,
        "newContactsFirstTouch": round(influenced * campaign.first_touch_share),
        "newContactsLastTouch": round(influenced * campaign.last_touch_share),
        "influencedContacts": influenced,
    }
    return Response.json(body, records=1)


@router.api(
    "GET",
    "/marketing/v3/campaigns/{campaign_guid}/reports/revenue",
    scopes=REVENUE_SCOPES,
    version_scopes=REVENUE_SCOPES_BY_VERSION,
)
def campaign_revenue(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    campaign = _campaign(md, req)
    model = (req.arg("attributionModel") or "LINEAR").upper()
    if model not in ATTRIBUTION_MODELS:
        raise ApiError(
            400,
            f"Invalid value for 'attributionModel': '{model[:40]}'; "
            f"valid values: {', '.join(ATTRIBUTION_MODELS)}.",
        )
    influenced, _ = _influence(md, campaign, _window(req))
    everyone, _ = _influence(md, campaign, (None, None))
    share = influenced / everyone if everyone else 0.0
    revenue = round(campaign.revenue_base * ATTRIBUTION_MODELS[model] * share, 2)
    body = {
        "currencyCode": "USD",
        "revenueAmount": revenue,
        "dealAmount": round(revenue * 1.25, 2),
        "dealsNumber": round(campaign.deals_base * share),
        "contactsNumber": influenced,
    }
    return Response.json(body, records=1)


# -- helpers ----------------------------------------------------------------------------------------
Window = tuple[int | None, int | None]


def _campaign(md: MarketingData, req: Request) -> Campaign:
    guid = req.path_params["campaign_guid"]
    campaign = md.campaign_by_id.get(guid)
    if campaign is None:
        raise ApiError(404, f"No campaign with id {guid[:40]}.", "OBJECT_NOT_FOUND")
    return campaign


def _window(req: Request) -> Window:
    """``[startDate 00:00, endDate + 1 day 00:00)`` in ms (UTC); open where a date is missing."""
    start, end = ymd_arg(req, "startDate", dashed=True), ymd_arg(req, "endDate", dashed=True)
    check_window(start, end, "startDate/endDate")

    def ms(d: Any) -> int:
        return int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp() * 1000)

    return (ms(start) if start else None, ms(end + timedelta(days=1)) if end else None)


def _submissions_in(md: MarketingData, forms: list[Any], window: Window) -> list[Any]:
    lo, hi = window
    return [
        s
        for form in forms
        for s in md.submissions[form.id]
        if (lo is None or s.submitted_ms >= lo) and (hi is None or s.submitted_ms < hi)
    ]


def _influence(md: MarketingData, campaign: Campaign, window: Window) -> tuple[int, int]:
    """(influenced contacts, sessions) of the campaign in the window."""
    counts = [0] * N_CODES
    for email in campaign.emails:
        add_counts(counts, email_counts(md, email, *window))
    unique_clicks = sum(counts[S_CLICK_COMPUTER : S_CLICK_UNKNOWN + 1])
    all_clicks = unique_clicks + counts[S_CLICK_AGAIN]
    subs = _submissions_in(md, campaign.forms, window)
    submitters = {s.contact for s in subs if s.contact >= 0}
    return unique_clicks + len(submitters), all_clicks + 3 * len(subs)


def _assets(md: MarketingData, campaign: Campaign, kind: str, window: Window) -> list[dict[str, Any]]:
    if kind == "MARKETING_EMAIL":
        out = []
        for email in campaign.emails:
            c = email_counts(md, email, *window)
            opens = sum(c[S_OPEN_COMPUTER : S_OPEN_UNKNOWN + 1])
            clicks = sum(c[S_CLICK_COMPUTER : S_CLICK_UNKNOWN + 1])
            sent = {"SENT": c[S_SENT], "OPEN": opens, "CLICKS": clicks}
            out.append({"id": email.id, "name": email.name, "metrics": sent})
        return out
    if kind == "FORM":
        out = []
        for form in campaign.forms:
            subs = _submissions_in(md, [form], window)
            views = len(subs) * 7 + form.index * 3
            rate = round(100.0 * len(subs) / views, 2) if views else 0.0
            submitted = {"SUBMISSIONS": len(subs), "VIEWS": views, "CONVERSION_RATE": rate}
            out.append({"id": form.id, "name": form.name, "metrics": submitted})
        return out
    return []
