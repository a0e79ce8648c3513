"""Marketing e-mails and their statistics as typed DataFrames (``hub.marketing_emails()`` and
``hub.email_statistics()`` delegate here). Needs the ``content`` scope (the only one 2026-09 accepts;
v3 and 2026-03 also take ``marketing.email.read``).

HTTP, retries, rate limits and paging live in the client (``ctx.client``); turning JSON into typed
columns lives in ``_rows`` (its docstring has the column naming rule and the statistics column
names).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd

from ..context import Context
from ..frames.convert import BOOL, CAT, OBJ, STR, UTC, typed_frame
from . import _rows as mf

# -- marketing e-mails ------------------------------------------------------------------------------
EMAIL_KINDS = {
    "name": STR,
    "subject": STR,
    "type": CAT,
    "subcategory": CAT,
    "state": CAT,
    "isPublished": BOOL,
    "isTransactional": BOOL,
    "campaign": STR,
    "campaignName": STR,
    "fromName": STR,
    "replyTo": STR,
    "language": CAT,
    "publishedAt": UTC,
    "publishDate": UTC,
    "createdAt": UTC,
    "updatedAt": UTC,
    "archived": BOOL,
    "allEmailCampaignIds": OBJ,
}


def send_id_list(values: Any) -> list[Any] | None:
    """``allEmailCampaignIds`` as numbers: the v3 spec declares the items strings, but they are the
    numeric send ids the v1 APIs (``email_events``' ``emailCampaignId``) use; either spelling is read."""
    if values is None:
        return None
    return [int(v) if isinstance(v, str) and v.isdigit() else v for v in values]


def email_row(record: dict[str, Any], archived: bool) -> dict[str, Any]:
    """One marketing e-mail (``/marketing/v3/emails`` record) as a flat row."""
    row: dict[str, Any] = {"id": record.get("id")}
    for name in EMAIL_KINDS:
        row[name] = record.get(name)
    sender = record.get("from") or {}
    row["fromName"], row["replyTo"] = sender.get("fromName"), sender.get("replyTo")
    row["archived"] = bool(record.get("archived")) or archived
    row["allEmailCampaignIds"] = send_id_list(record.get("allEmailCampaignIds"))
    row.update(mf.stats_columns(record.get("stats")))
    return row


def _email_records(ctx: Context, *, stats: bool, archived: bool, since: Any) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {
        "limit": 100,
        "archived": str(archived).lower(),
        "includeStats": str(stats).lower(),
        "marketingCampaignNames": "true",
    }
    if since is not None:
        params["updatedAfter"] = mf.to_iso(mf.to_utc(since, "since"))
    for page in ctx.client.pages(ctx.client.path("marketing.emails"), params):
        yield from page.get("results") or []


def marketing_emails(
    ctx: Context, stats: bool = True, since: Any = None, archived: bool = False
) -> pd.DataFrame:
    """One row per marketing e-mail, index ``id``.

    Columns: ``name, subject, type, subcategory, state, isPublished, isTransactional, campaign``
    (campaign id), ``campaignName, fromName, replyTo, language, publishedAt, publishDate,
    createdAt, updatedAt`` (UTC), ``archived``, ``allEmailCampaignIds`` (a list: the legacy send
    ids that ``email_events`` rows carry as ``emailCampaignId``; A/B e-mails have two), then with
    ``stats=True`` the statistics columns
    (``sent, delivered, open, click, …, open_rate, click_rate, …, open_device_mobile …``; see
    ``hubspot_nb.marketing._rows``). ``since``: only e-mails updated since then.
    ``archived=True`` adds archived e-mails (HubSpot lists them only in a separate pass).

    HubSpot's list with ``includeStats=true`` can leave e-mails out, so with ``stats=True`` a second
    pass without statistics adds any e-mail the first one missed (its statistics stay missing).
    """
    rows: dict[str, dict[str, Any]] = {}
    for archived_pass in [False, True] if archived else [False]:
        for with_stats in [True, False] if stats else [False]:
            for record in _email_records(ctx, stats=with_stats, archived=archived_pass, since=since):
                key = str(record.get("id"))
                if key not in rows:
                    rows[key] = email_row(record, archived_pass)
    kinds = dict(EMAIL_KINDS)
    columns = ["id", *EMAIL_KINDS]
    if stats:
        columns += mf.STAT_COLUMNS
        for row in rows.values():
            kinds.update(mf.stat_kinds(k for k in row if k not in kinds and k != "id"))
    frame = typed_frame(list(rows.values()), kinds, columns=columns)
    return frame if stats else frame[[c for c in frame.columns if c not in mf.STAT_COLUMNS]]


# -- e-mail statistics -------------------------------------------------------------------------------
INTERVALS = ("YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "QUARTER_HOUR", "MINUTE", "SECOND")


def _stats_rows(items: Iterable[tuple[str, str, Any]]) -> pd.DataFrame:
    rows = [{"level": level, "id": key, **mf.stats_columns(data)} for level, key, data in items]
    kinds = {"level": CAT, "id": STR}
    for row in rows:
        kinds.update(mf.stat_kinds(k for k in row if k not in kinds))
    frame = typed_frame(rows, kinds, index=None, columns=["level", "id", *mf.STAT_COLUMNS])
    return frame.set_index(["level", "id"])


def email_statistics(ctx: Context, start: Any, end: Any, interval: str | None = None) -> pd.DataFrame:
    """E-mail statistics for ``[start, end)``.

    ``interval=None``: aggregates from ``statistics/list``, index (``level``, ``id``): one
    ``("total", "all")`` row, one ``("campaign", <campaign id>)`` row per campaign and one
    ``("email", <email id>)`` row per e-mail sent in the window (one extra call per e-mail,
    made concurrently). ``frame.loc["campaign"]`` is the per-campaign table.

    ``interval="day" | "week" | "month"`` (or any of HubSpot's ``INTERVALS``): a time series from
    ``statistics/histogram``, index ``start`` (UTC), column ``end``, then the statistics columns.
    """
    t0, t1 = mf.to_utc(start, "start"), mf.to_utc(end, "end")
    window = {"startTimestamp": mf.to_iso(t0), "endTimestamp": mf.to_iso(t1)}
    if interval is None:
        body = ctx.client.get(ctx.client.path("marketing.emails.statistics"), window) or {}
        email_ids = [str(e) for e in body.get("emails") or []]

        def one_email(email_id: str) -> Any:
            answer = (
                ctx.client.get(
                    ctx.client.path("marketing.emails.statistics"), {**window, "emailIds": email_id}
                )
                or {}
            )
            return answer.get("aggregate")

        per_email = list(ctx.client.pool.map(one_email, email_ids))
        items = [("total", "all", body.get("aggregate"))]
        items += [("campaign", str(k), v) for k, v in (body.get("campaignAggregations") or {}).items()]
        items += [("email", e, s) for e, s in zip(email_ids, per_email, strict=True)]
        frame = _stats_rows(items)
    else:
        unit = mf.choose(interval, INTERVALS, "interval")
        rows = []
        for page in ctx.client.pages(
            ctx.client.path("marketing.emails.histogram"), {**window, "interval": unit}
        ):
            for item in page.get("results") or []:
                span = item.get("interval") or {}
                data = item.get("aggregations") or item.get("aggregateStatistic")
                rows.append({"start": span.get("start"), "end": span.get("end"), **mf.stats_columns(data)})
        kinds = {"start": UTC, "end": UTC}
        for row in rows:
            kinds.update(mf.stat_kinds(k for k in row if k not in kinds))
        frame = typed_frame(rows, kinds, index="start", columns=["start", "end", *mf.STAT_COLUMNS])
        frame.index = pd.DatetimeIndex(frame.index.astype("datetime64[ns, UTC]"), name="start")
        frame = frame.sort_index()
    frame.attrs.update(start=t0, end=t1, interval=interval)
    return frame
