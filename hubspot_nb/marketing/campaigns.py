"""Campaigns with their metrics and revenue as a typed DataFrame (``hub.campaigns()``).

Needs the ``marketing.campaigns.read`` scope (revenue also ``marketing.campaigns.revenue.read``); a
token without it raises ``MissingScopes``, whose message names the scope and how to add it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..context import Context
from ..frames.convert import CAT, DATE, FLOAT, INT, STR, UTC, typed_frame
from . import _rows as mf

ATTRIBUTION_MODELS = (
    "LINEAR",
    "FIRST_INTERACTION",
    "LAST_INTERACTION",
    "FULL_PATH",
    "U_SHAPED",
    "W_SHAPED",
    "TIME_DECAY",
    "J_SHAPED",
    "INVERSE_J_SHAPED",
)
# HubSpot campaign property → our column
CAMPAIGN_PROPERTIES = {
    "hs_name": ("name", STR),
    "hs_campaign_status": ("status", CAT),
    "hs_start_date": ("start_date", DATE),
    "hs_end_date": ("end_date", DATE),
    "hs_budget_items_sum_amount": ("budget", FLOAT),
    "hs_spend_items_sum_amount": ("spend", FLOAT),
    "hs_currency_code": ("currency", CAT),
    "hs_audience": ("audience", STR),
    "hs_goal": ("goal", STR),
    "hs_notes": ("notes", STR),
    "hs_owner": ("owner", STR),
    "hs_utm": ("utm", STR),
}
METRICS = {
    "sessions": "sessions",
    "newContactsFirstTouch": "new_contacts_first_touch",
    "newContactsLastTouch": "new_contacts_last_touch",
    "influencedContacts": "influenced_contacts",
}
REVENUE = {
    "revenueAmount": ("revenue", FLOAT),
    "dealAmount": ("deal_amount", FLOAT),
    "dealsNumber": ("deals", INT),
    "contactsNumber": ("revenue_contacts", INT),
    "currencyCode": ("revenue_currency", CAT),
}


def campaign_row(record: dict[str, Any]) -> dict[str, Any]:
    props = record.get("properties") or {}
    row: dict[str, Any] = {"id": record.get("id")}
    for prop, (column, _) in CAMPAIGN_PROPERTIES.items():
        row[column] = props.get(prop)
    row["createdAt"], row["updatedAt"] = record.get("createdAt"), record.get("updatedAt")
    return row


def campaigns(
    ctx: Context,
    start: Any = None,
    end: Any = None,
    revenue: bool = False,
    attribution_model: str = "LINEAR",
) -> pd.DataFrame:
    """One row per campaign, index ``id`` (HubSpot's campaign GUID).

    Columns: ``name, status, start_date, end_date`` (dates), ``budget, spend, currency, audience,
    goal, notes, owner, utm, createdAt, updatedAt``, then the metrics for ``[start, end]`` (whole
    days; None = HubSpot's default, all time): ``sessions, new_contacts_first_touch,
    new_contacts_last_touch, influenced_contacts``; with ``revenue=True`` also ``revenue,
    deal_amount, deals, revenue_contacts, revenue_currency`` under ``attribution_model`` (one of
    ``ATTRIBUTION_MODELS``). One metrics (and revenue) call per campaign, made concurrently.
    """
    model = mf.choose(attribution_model, ATTRIBUTION_MODELS, "attribution_model")
    window: dict[str, str] = {}
    if start is not None:
        window["startDate"] = mf.to_utc(start, "start").strftime("%Y-%m-%d")
    if end is not None:
        window["endDate"] = mf.to_utc(end, "end").strftime("%Y-%m-%d")
    params = {"limit": 100, "properties": list(CAMPAIGN_PROPERTIES)}  # repeated: properties=a&properties=b
    rows = [
        campaign_row(r)
        for page in ctx.client.pages(ctx.client.path("marketing.campaigns"), params)
        for r in page.get("results") or []
    ]

    def reports(row: dict[str, Any]) -> dict[str, Any]:
        metrics = (
            ctx.client.get(ctx.client.path("marketing.campaign.metrics", campaign_id=row["id"]), window) or {}
        )
        extra = {column: metrics.get(key) for key, column in METRICS.items()}
        if revenue:
            revenue_path = ctx.client.path("marketing.campaign.revenue", campaign_id=row["id"])
            money = ctx.client.get(revenue_path, {**window, "attributionModel": model}) or {}
            extra.update({column: money.get(key) for key, (column, _) in REVENUE.items()})
        return extra

    for row, extra in zip(rows, ctx.client.pool.map(reports, rows), strict=True):
        row.update(extra)
    kinds = {column: kind for column, kind in CAMPAIGN_PROPERTIES.values()}
    kinds.update({"createdAt": UTC, "updatedAt": UTC, **dict.fromkeys(METRICS.values(), INT)})
    columns = ["id", *kinds]
    if revenue:
        kinds.update(dict(REVENUE.values()))
        columns += [column for column, _ in REVENUE.values()]
    frame = typed_frame(rows, kinds, columns=columns)
    if revenue:
        frame.attrs["attribution_model"] = model
    return frame
