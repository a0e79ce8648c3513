"""Legacy analytics v2 reports: ``GET /analytics/v2/reports/{breakdown_by}/{time_period}`` (HubSpot
has no date-versioned successor, so the sandbox serves only this path).

``breakdown_by``: ``totals``, ``sources``, ``geolocation``, ``utm-campaigns``. ``time_period``:
``total``, ``daily``, ``weekly``, ``monthly`` and ``summarize/daily|weekly|monthly``. ``start`` and
``end`` (``YYYYMMDD``, inclusive) are required. Shapes:

- ``total``: ``{"offset", "total", "totals": {metrics}, "breakdowns": [{"breakdown", metrics…}]}``
  (HubSpot's documented shape): ``total`` = number of breakdown rows, ``offset`` = the offset of
  the next page; rows sorted by visits, paged by numeric ``offset``/``limit`` (default 100, max 1000);
- ``daily``/``weekly``/``monthly``: ``{"YYYY-MM-DD": [rows…], …}`` keyed by the period's first
  day (weeks start on Monday), only the days in ``[start, end]`` counted, ``limit``/``offset``
  applied to each period's rows;
- ``summarize/<period>``: ``{"YYYY-MM-DD": {metrics}, …}``: the totals of each period.
Days outside the data (the year before the anchor) have no traffic and are left out.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..routing import ApiError, Request, Response, Router
from ._params import ANALYTICS_SCOPES, MarketingHost, ymd_arg
from ._traffic import COUNTS, metrics

router = Router()

BREAKDOWNS = ("totals", "sources", "geolocation", "utm-campaigns")
PERIODS = ("total", "daily", "weekly", "monthly")


@router.route(
    "GET", "/analytics/v2/reports/{breakdown_by}/{time_period}", scopes=ANALYTICS_SCOPES, limit="burst"
)
def report(sb: MarketingHost, req: Request) -> Response:
    return _report(sb, req, req.path_params["time_period"], summarize=False)


@router.route(
    "GET",
    "/analytics/v2/reports/{breakdown_by}/summarize/{time_period}",
    scopes=ANALYTICS_SCOPES,
    limit="burst",
)
def summarized_report(sb: MarketingHost, req: Request) -> Response:
    return _report(sb, req, req.path_params["time_period"], summarize=True)


def _report(sb: MarketingHost, req: Request, period: str, *, summarize: bool) -> Response:
    by = req.path_params["breakdown_by"]
    if by not in BREAKDOWNS:
        raise ApiError(400, f"Unknown breakdown '{by[:40]}'; valid breakdowns: {', '.join(BREAKDOWNS)}.")
    valid = PERIODS[1:] if summarize else PERIODS
    if period not in valid:
        raise ApiError(400, f"Unknown time period '{period[:40]}'; valid periods: {', '.join(valid)}.")
    start, end = ymd_arg(req, "start", dashed=False), ymd_arg(req, "end", dashed=False)
    if start is None or end is None:
        raise ApiError(400, "Both 'start' and 'end' are required, as dates in the form YYYYMMDD.")
    if end < start:
        raise ApiError(400, "Invalid time span: 'end' is before 'start'.")
    limit = req.int_arg("limit", 100, maximum=1000)
    offset = req.int_arg("offset", 0, minimum=0)
    traffic = sb.marketing.traffic
    days = traffic.days(start, end)
    if period == "total":
        rows = traffic.breakdown(by, days)
        everything = [0] * len(COUNTS)
        for _, counts in rows:
            everything = [a + b for a, b in zip(everything, counts, strict=True)]
        page = rows[offset : offset + limit]
        body: dict[str, Any] = {
            "offset": offset + len(page),
            "total": len(rows),
            "totals": metrics(everything),
            "breakdowns": [{"breakdown": name, **metrics(counts)} for name, counts in page],
        }
        return Response.json(body, records=len(page))
    out: dict[str, Any] = {}
    records = 0
    for key, group in _periods(period, days):
        if summarize:
            ((_, counts),) = traffic.breakdown("totals", group)
            out[key] = metrics(counts)
            records += 1
        else:
            rows = traffic.breakdown(by, group)[offset : offset + limit]
            out[key] = [{"breakdown": name, **metrics(counts)} for name, counts in rows]
            records += len(rows)
    return Response.json(out, records=records)


def _periods(period: str, days: list[date]) -> list[tuple[str, list[date]]]:
    groups: dict[str, list[date]] = {}
    for day in days:
        if period == "daily":
            first = day
        elif period == "weekly":
            first = day - timedelta(days=day.weekday())
        else:
            first = day.replace(day=1)
        groups.setdefault(first.isoformat(), []).append(day)
    return list(groups.items())
