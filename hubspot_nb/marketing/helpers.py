"""Marketing performance as typed DataFrames: e-mails, statistics, events, campaigns, forms, traffic.

Each helper takes a ``Hub`` and returns a pandas DataFrame; ``hub.marketing_emails()`` and friends
delegate here. HTTP, retries, rate limits and paging live in ``client``; turning JSON into typed
columns lives in ``marketing_frames`` (its docstring has the column naming rule and the statistics
column names). E-mails and their statistics live in ``marketing_emails`` and the time-sliced e-mail
event pull in ``marketing_events``; both are re-exported here. This module has campaigns, forms,
form submissions and traffic.

Scopes: a helper called with a token that lacks its scope raises ``MissingScopes`` (HubSpot's 403,
unchanged), whose message names the scope and how to add it. Emails and events need ``content``
(or ``marketing.email.read``), campaigns ``marketing.campaigns.read`` (revenue also
``marketing.campaigns.revenue.read``), forms and submissions ``forms``, traffic
``business-intelligence``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import MissingScopes
from ..http.urls import path as endpoint
from . import _frames as mf
from ._frames import BOOL, CAT, DATE, FLOAT, INT, OBJ, STR, UTC
from .emails import EMAIL_KINDS as EMAIL_KINDS  # re-exported: tests and users know them here
from .emails import INTERVALS as INTERVALS
from .emails import email_row as email_row
from .emails import email_statistics, marketing_emails
from .events import email_events, iter_email_events

if TYPE_CHECKING:
    from ..hub import Hub

__all__ = [
    "ATTRIBUTION_MODELS",
    "campaigns",
    "email_events",
    "email_statistics",
    "form_submissions",
    "forms",
    "iter_email_events",
    "marketing_emails",
    "traffic",
]


# -- campaigns -------------------------------------------------------------------------------------
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
    hub: Hub,
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
        for page in hub.client.pages(endpoint("marketing.campaigns"), params)
        for r in page.get("results") or []
    ]

    def reports(row: dict[str, Any]) -> dict[str, Any]:
        metrics = hub.client.get(endpoint("marketing.campaign.metrics", campaign_id=row["id"]), window) or {}
        extra = {column: metrics.get(key) for key, column in METRICS.items()}
        if revenue:
            revenue_path = endpoint("marketing.campaign.revenue", campaign_id=row["id"])
            money = hub.client.get(revenue_path, {**window, "attributionModel": model}) or {}
            extra.update({column: money.get(key) for key, (column, _) in REVENUE.items()})
        return extra

    for row, extra in zip(rows, hub.client.pool.map(reports, rows), strict=True):
        row.update(extra)
    kinds = {column: kind for column, kind in CAMPAIGN_PROPERTIES.values()}
    kinds.update({"createdAt": UTC, "updatedAt": UTC, **dict.fromkeys(METRICS.values(), INT)})
    columns = ["id", *kinds]
    if revenue:
        kinds.update(dict(REVENUE.values()))
        columns += [column for column, _ in REVENUE.values()]
    frame = mf.typed_frame(rows, kinds, columns=columns)
    if revenue:
        frame.attrs["attribution_model"] = model
    return frame


# -- forms and submissions ---------------------------------------------------------------------------
def _form_records(hub: Hub) -> list[dict[str, Any]]:
    return [
        r
        for page in hub.client.pages(endpoint("marketing.forms"), {"limit": 50})
        for r in page.get("results") or []
    ]


def _form_fields(form: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for group in form.get("fieldGroups") or [] for f in group.get("fields") or []]


def forms(hub: Hub) -> pd.DataFrame:
    """One row per form, index ``id``: ``name, formType, createdAt, updatedAt, archived, fields``
    (the field names, a list) and ``field_count``."""
    rows = []
    for form in _form_records(hub):
        names = [f.get("name") for f in _form_fields(form)]
        rows.append(
            {
                "id": form.get("id"),
                "name": form.get("name"),
                "formType": form.get("formType"),
                "createdAt": form.get("createdAt"),
                "updatedAt": form.get("updatedAt"),
                "archived": bool(form.get("archived")),
                "fields": names,
                "field_count": len(names),
            }
        )
    kinds = {
        "name": STR,
        "formType": CAT,
        "createdAt": UTC,
        "updatedAt": UTC,
        "archived": BOOL,
        "fields": OBJ,
        "field_count": INT,
    }
    return mf.typed_frame(rows, kinds, columns=["id", *kinds])


# HubSpot form field types → column kinds for the submitted values (the rest stay text)
FIELD_KINDS = {"number": FLOAT, "single_checkbox": BOOL, "booleancheckbox": BOOL, "datepicker": DATE}
SUBMISSION_COLUMNS = ("id", "form_id", "form_name", "submittedAt", "pageUrl", "contact_id")


def _submissions(hub: Hub, form: dict[str, Any], since: pd.Timestamp | None) -> list[dict[str, Any]]:
    """All submissions of one form (newest first), stopping at the first one older than ``since``."""
    rows: list[dict[str, Any]] = []
    path = endpoint("marketing.form_submissions", form_id=form["id"])
    for page in hub.client.pages(path, {"limit": 50}):
        for sub in page.get("results") or []:
            # Parse the time only when there is a cutoff: a pandas Series per row costs ~8 ms.
            if since is not None:
                submitted = mf.utc_series([sub.get("submittedAt")])[0]
                if pd.notna(submitted) and submitted < since:
                    return rows  # HubSpot lists newest first: everything after this is older
            row = {
                "id": sub.get("conversionId"),
                "form_id": form["id"],
                "form_name": form.get("name"),
                "submittedAt": sub.get("submittedAt"),
                "pageUrl": sub.get("pageUrl"),
            }
            for value in sub.get("values") or []:
                name = str(value.get("name"))
                column = f"value_{name}" if name in SUBMISSION_COLUMNS else name
                # A multi-value field arrives as several entries with the same name: keep them all.
                row[column] = (
                    value.get("value") if column not in row else f"{row[column]};{value.get('value')}"
                )
            rows.append(row)
    return rows


def contact_ids_by_email(hub: Hub, emails: Iterable[str]) -> dict[str, str]:
    """Contact id per e-mail address (lower-cased), via batch read with ``idProperty=email``,
    100 addresses per call, calls made concurrently. Unknown addresses are simply absent."""
    unique = sorted({e.strip().lower() for e in emails if isinstance(e, str) and "@" in e})
    chunks = [unique[i : i + 100] for i in range(0, len(unique), 100)]

    def read(chunk: list[str]) -> list[dict[str, Any]]:
        body = {"idProperty": "email", "properties": ["email"], "inputs": [{"id": e} for e in chunk]}
        return (hub.client.post(endpoint("crm.objects.batch_read", object_type="contacts"), body) or {}).get(
            "results"
        ) or []

    found: dict[str, str] = {}
    for results in hub.client.pool.map(read, chunks):
        for record in results:
            email = ((record.get("properties") or {}).get("email") or "").strip().lower()
            if email:
                found[email] = str(record.get("id"))
    return found


def form_submissions(hub: Hub, form_id: str | None = None, since: Any = None) -> pd.DataFrame:
    """One row per form submission, index ``id`` (HubSpot's ``conversionId``), newest first.

    Columns: ``form_id, form_name, submittedAt`` (UTC), ``pageUrl, contact_id`` (the contact whose
    e-mail matches the submitted ``email``, else missing), then one column per submitted field
    (typed from the form definition: numbers, checkboxes as booleans, dates; the rest text).
    ``form_id=None``: every form. ``since``: only submissions made since then.
    """
    all_forms = _form_records(hub)
    chosen = [f for f in all_forms if form_id is None or str(f.get("id")) == str(form_id)]
    if form_id is not None and not chosen:
        chosen = [{"id": str(form_id), "name": None}]  # not listed (archived?): HubSpot decides
    cutoff = mf.to_utc(since, "since") if since is not None else None
    rows = [
        row for part in hub.client.pool.map(lambda f: _submissions(hub, f, cutoff), chosen) for row in part
    ]
    kinds: dict[str, str] = {"form_id": STR, "form_name": STR, "submittedAt": UTC, "pageUrl": STR}
    for form in chosen:
        for field in _form_fields(form):
            kind = FIELD_KINDS.get(str(field.get("fieldType")))
            if kind and field.get("name") not in kinds:
                kinds[str(field.get("name"))] = kind
    emails = [row.get("email") for row in rows]
    if any(emails):
        try:
            ids = contact_ids_by_email(hub, [e for e in emails if e])
        except MissingScopes as exc:
            warnings.warn(f"contact_id left empty: {exc}", stacklevel=3)
            ids = {}
        for row in rows:
            email = row.get("email")
            row["contact_id"] = ids.get(email.strip().lower()) if isinstance(email, str) else None
    frame = mf.typed_frame(rows, kinds, columns=SUBMISSION_COLUMNS)
    return frame.sort_values("submittedAt", ascending=False, kind="stable")


# -- traffic (analytics v2) ----------------------------------------------------------------------------
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


def traffic(
    hub: Hub, breakdown: str = "sources", period: str = "total", start: Any = None, end: Any = None
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
    params = {"start": t0.strftime("%Y%m%d"), "end": t1.strftime("%Y%m%d"), "limit": 1000}
    path = endpoint("analytics.report", breakdown=what, period=when)
    if when == "total":
        pages = hub.client.offset_pages(
            path, params, has_more_key=None, total_key="total", results_key="breakdowns"
        )
        rows = [row for page in pages for row in traffic_rows(page)]
    else:
        rows = traffic_rows(hub.client.get(path, params))
    columns = (
        ["breakdown"]
        if when == "total"
        else ["date"]
        if when.startswith("summarize")
        else ["date", "breakdown"]
    )
    frame = mf.typed_frame(rows, traffic_kinds(rows), index=None, columns=columns)
    frame.attrs.update(start=t0, end=t1, breakdown=what, period=when)
    return frame
