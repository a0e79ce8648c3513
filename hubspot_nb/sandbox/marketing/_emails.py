"""Marketing routes: marketing emails v3 with statistics, legacy email events and email campaigns
(this module). Campaigns, forms and analytics live in their own modules; ``marketing/__init__``
joins the routers.

Marketing emails are also served at ``/marketing/emails/{2026-03,2026-09}`` (same sub-paths, same
data); 2026-09 accepts only the ``content`` scope, v3 and 2026-03 also ``marketing.email.read``.
The legacy email events (``/email/public/v1/…``) have no dated path.

Paging and shape choices (HubSpot leaves some open, reference §3):
- ``GET /marketing/v3/emails``: ``limit`` default 100 (the spec's stated default), max 100;
  opaque ``after`` cursor; sorted by ``createdAt`` unless ``sort`` says otherwise.
- statistics ``startTimestamp``/``endTimestamp`` are ISO 8601; the window is ``[start, end)``;
  a missing bound is open. ``campaignAggregations`` is keyed by the marketing campaign's GUID
  (the email's ``campaign``). Histogram buckets are calendar-aligned in UTC (weeks start on
  Monday) and clipped to the window, so they sum exactly to the ``statistics/list`` aggregate.
- ``GET /email/public/v1/events``: newest first; ``limit`` default 100, max 1000; ``offset`` is an
  opaque, stable token (it names a fixed position, so pages never shift).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from ..routing import ApiError, Handler, Request, Response, Router
from ._email_events import N_CODES, S_SENT, TYPES
from ._json import (
    add_counts,
    app_of,
    email_counts,
    email_json,
    event_json,
    legacy_campaign_json,
    statistics,
)
from ._params import (
    EMAIL_SCOPES,
    EMAIL_SCOPES_BY_VERSION,
    EVENT_SCOPES,
    MarketingHost,
    check_window,
    choice_arg,
    cursor_page,
    decode_cursor,
    encode_cursor,
    epoch_ms_arg,
    iso_ms_arg,
)

router = Router()

EMAIL_TYPES = ("BATCH_EMAIL", "AUTOMATED_EMAIL", "AB_EMAIL", "RSS_EMAIL", "AUTOMATED_AB_EMAIL", "BLOG_EMAIL")
INTERVALS = ("YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "QUARTER_HOUR", "MINUTE", "SECOND")
MAX_BUCKETS = 10_000
_SORT_KEYS = {
    "createdAt": lambda e: (e.created_ms, e.id),
    "updatedAt": lambda e: (e.updated_ms, e.id),
    "name": lambda e: (e.name.lower(), e.id),
    "createdBy": lambda e: (e.index % 5, e.id),
    "updatedBy": lambda e: (e.index % 5, e.id),
}


def _email_api(pattern: str, *, slash: bool = False) -> Callable[[Handler], Handler]:
    """A GET route of the marketing-emails API: all of them need the same scopes (per version)."""
    by_version = EMAIL_SCOPES_BY_VERSION
    return router.api("GET", pattern, scopes=EMAIL_SCOPES, version_scopes=by_version, slash=slash)


# -- marketing emails v3 --------------------------------------------------------------------------
@_email_api("/marketing/v3/emails", slash=True)
def list_emails(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    limit = req.int_arg("limit", 100, maximum=100)
    start = decode_cursor(req, "after") or 0
    emails = [e for e in md.emails if _email_matches(e, req)]
    key, descending = _sort_key(req)
    emails.sort(key=key, reverse=descending)
    with_stats = req.bool_arg("includeStats")
    return cursor_page(req, emails, start, limit, lambda e: email_json(md, e, with_stats), total=True)


@_email_api("/marketing/v3/emails/{email_id}")
def get_email(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    email = md.email_by_id.get(req.path_params["email_id"])
    if email is None or (email.archived and not req.bool_arg("archived")):
        raise ApiError(
            404, f"No marketing email with id {req.path_params['email_id'][:40]}.", "OBJECT_NOT_FOUND"
        )
    return Response.json(email_json(md, email, req.bool_arg("includeStats")), records=1)


def _email_matches(e: Any, req: Request) -> bool:
    if e.archived != req.bool_arg("archived"):
        return False
    types = [t.upper() for t in req.args("type")]
    for t in types:
        if t not in EMAIL_TYPES:
            raise ApiError(
                400, f"Invalid value for 'type': '{t[:40]}'; valid values: {', '.join(EMAIL_TYPES)}."
            )
    if types and e.type not in types:
        return False
    published = req.arg("isPublished")
    if published not in (None, "") and e.is_published != req.bool_arg("isPublished"):
        return False
    campaign = req.arg("campaign")
    if campaign and (e.campaign is None or e.campaign.id != campaign):
        return False
    for field, when in (("created", e.created_ms), ("updated", e.updated_ms), ("published", e.published_ms)):
        exact = iso_ms_arg(req, f"{field}At")
        after, before = iso_ms_arg(req, f"{field}After"), iso_ms_arg(req, f"{field}Before")
        if exact is None and after is None and before is None:
            continue
        if when is None or (exact is not None and when != exact):
            return False
        if (after is not None and when <= after) or (before is not None and when >= before):
            return False
    return True


def _sort_key(req: Request) -> tuple[Any, bool]:
    """(key function, descending) from ``sort`` (``name`` or ``-name``)."""
    sort = (req.args("sort") or ["createdAt"])[0]
    name = sort.lstrip("-")
    if name not in _SORT_KEYS:
        raise ApiError(
            400, f"Invalid value for 'sort': '{sort[:40]}'; valid fields: {', '.join(_SORT_KEYS)}."
        )
    return _SORT_KEYS[name], sort.startswith("-")


# -- statistics -------------------------------------------------------------------------------------
def _stats_scope(sb: MarketingHost, req: Request) -> tuple[list[Any], int | None, int | None]:
    start, end = iso_ms_arg(req, "startTimestamp"), iso_ms_arg(req, "endTimestamp")
    check_window(start, end, "startTimestamp/endTimestamp")
    ids = req.args("emailIds")
    for i in ids:
        if not i.isdigit():
            raise ApiError(400, f"Invalid value for 'emailIds': '{i[:40]}' is not an email id (a number).")
    md = sb.marketing
    emails = [md.email_by_id[i] for i in ids if i in md.email_by_id] if ids else list(md.emails)
    return emails, start, end


@_email_api("/marketing/v3/emails/statistics/list")
def statistics_list(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    emails, start, end = _stats_scope(sb, req)
    aggregate = [0] * N_CODES
    per_campaign: dict[str, list[int]] = {}
    sent_ids = []
    for e in emails:
        counts = email_counts(md, e, start, end)
        add_counts(aggregate, counts)
        if counts[S_SENT]:
            sent_ids.append(int(e.id))
        if e.campaign is not None and any(counts):
            add_counts(per_campaign.setdefault(e.campaign.id, [0] * N_CODES), counts)
    body = {
        "aggregate": statistics(aggregate),
        "campaignAggregations": {k: statistics(v) for k, v in per_campaign.items()},
        "emails": sent_ids,
    }
    return Response.json(body, records=len(sent_ids))


@_email_api("/marketing/v3/emails/statistics/histogram")
def statistics_histogram(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    interval = choice_arg(req, "interval", INTERVALS)
    if interval is None:
        raise ApiError(400, f"Missing parameter 'interval'; valid values: {', '.join(INTERVALS)}.")
    emails, start, end = _stats_scope(sb, req)
    start = md.start_ms if start is None else start
    end = md.anchor_ms if end is None else end
    bounds = _buckets(interval, start, end)
    starts = [b[0] for b in bounds]
    totals = [[0] * N_CODES for _ in bounds]
    log = md.events
    for e in emails:
        for send_id in e.email_campaign_ids:
            s = log.send_index.get(send_id)
            span = log.span(s) if s is not None else None
            if s is None or span is None:
                continue
            first = max(0, bisect.bisect_right(starts, span[0]) - 1)
            for k in range(first, len(bounds)):
                lo, hi = bounds[k]
                if lo > span[1]:
                    break
                add_counts(totals[k], log.code_counts(s, lo, hi))
    results = [
        {"interval": {"start": _iso(lo), "end": _iso(hi)}, "aggregations": statistics(c)}
        for (lo, hi), c in zip(bounds, totals, strict=True)
    ]
    return Response.json({"total": len(results), "results": results}, records=len(results))


def _buckets(interval: str, start: int, end: int) -> list[tuple[int, int]]:
    """Calendar-aligned UTC buckets covering ``[start, end)``, clipped to it."""
    out: list[tuple[int, int]] = []
    edge = _floor(interval, datetime.fromtimestamp(start / 1000, tz=timezone.utc))
    while True:
        nxt = _step(interval, edge)
        lo, hi = int(edge.timestamp() * 1000), int(nxt.timestamp() * 1000)
        if lo >= end:
            break
        out.append((max(lo, start), min(hi, end)))
        if len(out) > MAX_BUCKETS:
            raise ApiError(
                400,
                f"Too many intervals (over {MAX_BUCKETS}); use a coarser interval or a shorter time span.",
            )
        edge = nxt
    return out


def _floor(interval: str, t: datetime) -> datetime:
    if interval == "YEAR":
        return t.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if interval == "QUARTER":
        return t.replace(month=1 + 3 * ((t.month - 1) // 3), day=1, hour=0, minute=0, second=0, microsecond=0)
    if interval == "MONTH":
        return t.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "WEEK":
        return day - timedelta(days=t.weekday())
    if interval == "DAY":
        return day
    if interval == "HOUR":
        return t.replace(minute=0, second=0, microsecond=0)
    if interval == "QUARTER_HOUR":
        return t.replace(minute=t.minute - t.minute % 15, second=0, microsecond=0)
    if interval == "MINUTE":
        return t.replace(second=0, microsecond=0)
    return t.replace(microsecond=0)


def _step(interval: str, t: datetime) -> datetime:
    if interval in ("YEAR", "QUARTER", "MONTH"):
        months = {"YEAR": 12, "QUARTER": 3, "MONTH": 1}[interval]
        total = t.month - 1 + months
        return t.replace(year=t.year + total // 12, month=total % 12 + 1)
    seconds = {"WEEK": 7 * 86400, "DAY": 86400, "HOUR": 3600, "QUARTER_HOUR": 900, "MINUTE": 60, "SECOND": 1}
    return t + timedelta(seconds=seconds[interval])


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")


# -- legacy email events and email campaigns ----------------------------------------------------------
@router.route("GET", "/email/public/v1/events", scopes=EVENT_SCOPES, limit="burst")
def list_events(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    log = md.events
    start, end = epoch_ms_arg(req, "startTimestamp"), epoch_ms_arg(req, "endTimestamp")
    check_window(start, end, "startTimestamp/endTimestamp")
    limit = req.int_arg("limit", 100, maximum=1000)
    kind = choice_arg(req, "eventType", TYPES)
    kind_code = TYPES.index(kind) if kind else None
    send_arg = req.arg("emailCampaignId") or req.arg("campaignId")
    recipient = (req.arg("recipient") or "").lower() or None
    resume = decode_cursor(req, "offset")  # the next position to return, counting down
    lo, hi = log.window(start, end)
    if resume is not None:
        hi = min(hi, resume)
    if send_arg is not None:
        if not send_arg.isdigit():
            raise ApiError(400, f"Invalid value for 'emailCampaignId': '{send_arg[:40]}' is not a number.")
        s = log.send_index.get(int(send_arg))
        positions: Any = log.positions[s] if s is not None else []
        candidates = positions[bisect.bisect_left(positions, lo) : bisect.bisect_left(positions, hi)]
    else:
        candidates = range(lo, hi)
    events: list[dict[str, Any]] = []
    next_pos = lo
    for pos in reversed(candidates):
        if kind_code is not None and log.type[pos] != kind_code:
            continue
        if recipient is not None and md.contacts[log.recipient[pos]][1].lower() != recipient:
            continue
        if len(events) == limit:
            next_pos = pos + 1
            break
        events.append(event_json(md, pos))
    has_more = len(events) == limit and next_pos > lo
    body = {"events": events, "hasMore": has_more, "offset": encode_cursor(next_pos if has_more else lo)}
    return Response.json(body, records=len(events))


@router.route("GET", "/email/public/v1/campaigns/by-id", scopes=EVENT_SCOPES, limit="burst")
def list_legacy_campaigns(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    limit = req.int_arg("limit", 250, maximum=1000)
    start = decode_cursor(req, "offset") or 0
    sends = sorted(md.email_by_send)
    page = sends[start : start + limit]
    campaigns = []
    for send_id in page:
        email = md.email_by_send[send_id]
        app_id, app_name = app_of(email)
        campaigns.append(
            {"id": send_id, "appId": app_id, "appName": app_name, "lastUpdatedTime": email.updated_ms}
        )
    has_more = start + limit < len(sends)
    body = {"campaigns": campaigns, "hasMore": has_more, "offset": encode_cursor(start + len(page))}
    return Response.json(body, records=len(campaigns))


@router.route("GET", "/email/public/v1/campaigns/{campaign_id}", scopes=EVENT_SCOPES, limit="burst")
def get_legacy_campaign(sb: MarketingHost, req: Request) -> Response:
    md = sb.marketing
    raw = req.path_params["campaign_id"]
    if not raw.isdigit() or int(raw) not in md.email_by_send:
        raise ApiError(404, f"No email campaign with id {raw[:40]}.", "OBJECT_NOT_FOUND")
    return Response.json(legacy_campaign_json(md, int(raw)), records=1)
