"""Website traffic from HubSpot's analytics v2 reports as a tidy DataFrame (``hub.traffic()``).

Needs the ``business-intelligence`` scope.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..context import Context
from ..frames.convert import DATE, FLOAT, INT, STR, typed_frame
from . import _rows as mf

BREAKDOWNS = (
    "totals",
    "sessions",
    "sources",
    "geolocation",
    "utm-campaigns",
    "utm-contents",
    "utm-mediums",
    "utm-sources",
    "utm-terms",
)
PERIODS = ("total", "daily", "weekly", "monthly", "summarize/daily", "summarize/weekly", "summarize/monthly")


def traffic_rows(body: Any) -> list[dict[str, Any]]:
    """Rows of an analytics v2 report: ``breakdowns[]`` for ``total``, or ``{date: [breakdowns]}``
    for daily/weekly/monthly (``date`` column added), or ``{date: {metrics}}`` for summarize/…"""
    if not isinstance(body, dict):
        return []
    if "breakdowns" in body:
        return [mf.flatten(b) for b in body.get("breakdowns") or []]
    rows = []
    for date, items in body.items():
        if isinstance(items, list):  # {date: [one row per breakdown]}
            rows += [{"date": date, **mf.flatten(b)} for b in items]
        elif isinstance(items, dict):  # summarize/<period>: {date: {totals}}
            rows.append({"date": date, **mf.flatten(items)})
    return rows


def traffic_kinds(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Counts (JSON integers everywhere) → Int64, rates and averages (any JSON float) → Float64
    (HubSpot's units: ``bounceRate`` 42.5 means 42.5 %), anything else text; ``date`` a day."""
    kinds: dict[str, str] = {"date": DATE, "breakdown": STR}
    for row in rows:
        for key, value in row.items():
            if key in ("date", "breakdown") or value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                kinds[key] = STR
            elif kinds.get(key) != STR:
                kinds[key] = FLOAT if isinstance(value, float) or kinds.get(key) == FLOAT else INT
    return kinds


PAGE = 1000  # the reports' maximum limit


def _period_rows(ctx: Context, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of a daily/weekly/monthly report. ``limit``/``offset`` apply to each period's
    breakdowns, so while some period came back full the next offset is asked for too (one call
    only would silently keep the first ``PAGE`` breakdowns of each period)."""
    merged: dict[str, Any] = {}
    limit, offset = int(params["limit"]), 0
    while True:
        body = ctx.client.get(path, {**params, "offset": offset} if offset else params)
        if not isinstance(body, dict):
            return traffic_rows(merged)
        full = False
        for date, items in body.items():
            if isinstance(items, list):
                merged.setdefault(date, []).extend(items)
                full = full or len(items) >= limit
            else:
                merged[date] = items  # summarize/<period>: one dict per period, no paging
        if not full:
            return traffic_rows(merged)
        offset += limit


def traffic(
    ctx: Context, breakdown: str = "sources", period: str = "total", start: Any = None, end: Any = None
) -> pd.DataFrame:
    """Website traffic from ``/analytics/v2/reports/{breakdown}/{period}``, tidy.

    ``period="total"``: one row per breakdown value (``breakdown`` column, then HubSpot's metrics:
    ``visits, visitors, leads, contacts, …, bounceRate, …``). ``daily|weekly|monthly``: one row per
    ``date`` × ``breakdown``. ``start``/``end``: whole days, default the last 30 days up to today.
    """
    what = mf.choose(breakdown, BREAKDOWNS, "breakdown")
    when = mf.choose(period, PERIODS, "period")
    t1 = mf.to_utc(end, "end") if end is not None else pd.Timestamp.now(tz="UTC").normalize()
    t0 = mf.to_utc(start, "start") if start is not None else t1 - pd.Timedelta(days=30)
    params = {"start": t0.strftime("%Y%m%d"), "end": t1.strftime("%Y%m%d"), "limit": PAGE}
    path = ctx.client.path("analytics.report", breakdown=what, period=when)
    if when == "total":
        pages = ctx.client.offset_pages(
            path, params, has_more_key=None, total_key="total", results_key="breakdowns"
        )
        rows = [row for page in pages for row in traffic_rows(page)]
    else:
        rows = _period_rows(ctx, path, params)
    columns = (
        ["breakdown"]
        if when == "total"
        else ["date"]
        if when.startswith("summarize")
        else ["date", "breakdown"]
    )
    frame = typed_frame(rows, traffic_kinds(rows), index=None, columns=columns)
    frame.attrs.update(start=t0, end=t1, breakdown=what, period=when)
    return frame
