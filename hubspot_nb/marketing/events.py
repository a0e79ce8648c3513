"""E-mail events (``GET /email/public/v1/events``) as a typed DataFrame, pulled in time slices.

The legacy events API pages with an opaque ``offset`` token and ``hasMore``; one window is one
sequential chain of pages. A long window is cut into slices ``[t_i, t_i+1)`` that are pulled
concurrently (the client's shared limiter keeps the whole pull within HubSpot's rate limit), each
page is turned into a small typed frame at once (so memory stays close to the final frame's, not
a list of 100,000 dicts), rows outside their slice are dropped and rows already seen are dropped
by event ``id`` — so slice boundaries neither lose nor duplicate an event.

Columns (HubSpot's names, nested objects flattened with ``_``): index ``id``; ``created`` (UTC),
``type`` (category: SENT, DELIVERED, OPEN, CLICK, BOUNCE …), ``recipient``, ``emailCampaignId``,
``emailCampaignGroupId``, ``portalId``, ``appId``, ``appName``, ``sentBy_id``, ``sentBy_created``,
``url`` (clicks), ``referer``, ``deviceType``, ``userAgent``, ``browser_name``, ``browser_family``,
``browser_type``, ``location_country``, ``location_state``, ``location_city``, ``location_zipcode``,
``location_latitude``, ``location_longitude``, ``filteredEvent``, ``duration``, ``category`` /
``status`` / ``response`` (bounces, deliveries), ``dropReason``, ``dropMessage``, ``subject``,
``from``, ``smtpId``; any other field HubSpot sends follows as text.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, as_completed
from typing import Any

import pandas as pd

from .. import progress
from ..context import Context
from ..errors import NotFound
from ..frames.assembly import assemble_pages
from ..frames.convert import BOOL, FLOAT, INT, STR, UTC, typed_frame
from . import _rows as mf
from .emails import send_id_list

PAGE_SIZE = 1000  # what tap-hubspot uses
EVENT_TYPES = (
    "SENT",
    "DROPPED",
    "PROCESSED",
    "DELIVERED",
    "DEFERRED",
    "BOUNCE",
    "OPEN",
    "CLICK",
    "PRINT",
    "FORWARD",
    "STATUSCHANGE",
    "SPAMREPORT",
    "SUPPRESSED",
    "UNBOUNCE",
)
EVENT_KINDS = {
    "created": UTC,
    "type": STR,
    "recipient": STR,
    "emailCampaignId": INT,
    "emailCampaignGroupId": INT,
    "portalId": INT,
    "appId": INT,
    "appName": STR,
    "sentBy_id": STR,
    "sentBy_created": UTC,
    "url": STR,
    "referer": STR,
    "deviceType": STR,
    "userAgent": STR,
    "browser_name": STR,
    "browser_family": STR,
    "browser_type": STR,
    "location_country": STR,
    "location_state": STR,
    "location_city": STR,
    "location_zipcode": STR,
    "location_latitude": FLOAT,
    "location_longitude": FLOAT,
    "filteredEvent": BOOL,
    "duration": INT,
    "category": STR,
    "status": STR,
    "response": STR,
    "dropReason": STR,
    "dropMessage": STR,
    "subject": STR,
    "from": STR,
    "smtpId": STR,
}
# Few distinct values, many rows: categorical (recipient stays text: it is close to unique per send).
CATEGORY_COLUMNS = (
    "type", "appName", "deviceType", "userAgent", "browser_name", "browser_family", "browser_type",
    "location_country", "location_state", "location_city", "location_zipcode", "url", "referer",
    "category", "status", "dropReason", "dropMessage", "subject", "from",
)  # fmt: skip
COLUMNS = ("id", *EVENT_KINDS)
OTHER_KINDS = {"attempt": INT}  # fields only some events carry, that are not text


def event_row(event: dict[str, Any]) -> dict[str, Any]:
    """One event as a flat row; lists of plain values (``browser.version``, ``cc``) joined with ``;``,
    lists of objects (``subscriptions`` of a STATUSCHANGE) kept as JSON text."""
    row = mf.flatten(event)
    for key, value in row.items():
        if isinstance(value, list):
            nested = any(isinstance(v, (dict, list)) for v in value)
            row[key] = json.dumps(value) if nested else ";".join(str(v) for v in value)
    return row


def page_frame(
    events: list[dict[str, Any]], t0: pd.Timestamp | None = None, t1: pd.Timestamp | None = None
) -> pd.DataFrame:
    """A typed frame of one page of events, keeping only those with ``t0 <= created < t1``."""
    frame = typed_frame([event_row(e) for e in events], {**EVENT_KINDS, **OTHER_KINDS}, columns=COLUMNS)
    if t0 is not None and t1 is not None and len(frame):
        frame = frame[(frame["created"] >= t0) & (frame["created"] < t1)]
    # Repetitive text (types, devices, browsers, places, links) as categories from the first page
    # on: a year of events then waits for assembly in about the memory of the final frame.
    return frame.astype({c: "category" for c in CATEGORY_COLUMNS if c in frame.columns})


def time_slices(t0: pd.Timestamp, t1: pd.Timestamp, n: int) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """``[t0, t1)`` cut into ``n`` consecutive half-open slices on whole milliseconds."""
    ms0, ms1 = mf.to_ms(t0), mf.to_ms(t1)
    n = max(1, min(n, ms1 - ms0))
    edges = [ms0 + (ms1 - ms0) * i // n for i in range(n)] + [ms1]
    stamps = [pd.Timestamp(ms, unit="ms", tz="UTC") for ms in edges]
    return list(itertools.pairwise(stamps))


def auto_slices(t0: pd.Timestamp, t1: pd.Timestamp, workers: int) -> int:
    """About a week per slice, at most twice the client's worker threads (more only adds requests)."""
    days = (t1 - t0) / pd.Timedelta(days=1)
    return max(1, min(2 * workers, math.ceil(float(days) / 7)))


def _pull(ctx: Context, params: dict[str, Any], t0: pd.Timestamp, t1: pd.Timestamp) -> list[pd.DataFrame]:
    """Every page of one window, each page already a typed frame."""
    query = {**params, "startTimestamp": mf.to_ms(t0), "endTimestamp": mf.to_ms(t1), "limit": PAGE_SIZE}
    frames = []
    for page in ctx.client.offset_pages(ctx.client.path("marketing.email_events"), query):
        events = page.get("events") or []
        if events:
            frames.append(page_frame(events, t0, t1))
    return frames


def _first_sight(ids: list[str], seen: set[str]) -> list[bool]:
    """Which ids are new (and remember them). A plain set: ``Index.isin`` on a growing set of
    100,000 ids costs seconds per page."""
    keep = []
    for event_id in ids:
        new = event_id not in seen
        if new:
            seen.add(event_id)
        keep.append(new)
    return keep


def send_ids(ctx: Context, email_id: Any) -> list[Any]:
    """The legacy send ids (``emailCampaignId``) of a marketing e-mail: its ``allEmailCampaignIds``
    when ``email_id`` is a v3 e-mail id, else ``email_id`` itself (already a send id)."""
    try:
        email = ctx.client.get(ctx.client.path("marketing.email", email_id=email_id)) or {}
    except NotFound:
        return [email_id]
    return send_id_list(email.get("allEmailCampaignIds")) or [email_id]


def _event_pages(
    ctx: Context, tasks: list[tuple[dict[str, Any], pd.Timestamp, pd.Timestamp]]
) -> Iterator[pd.DataFrame]:
    """Typed frames of the events of ``tasks`` (filters, slice start, slice end), pulled concurrently,
    one per page, no event twice. Frames arrive as slices finish (not in time order); each holds at
    most ``PAGE_SIZE`` rows."""
    futures: list[Future[list[pd.DataFrame]]] = [ctx.client.pool.submit(_pull, ctx, *task) for task in tasks]
    bar = progress.bar(ctx.progress, "email events", total=len(futures), unit="slice")
    seen: set[str] = set()
    try:
        for future in as_completed(futures):
            for frame in future.result():
                fresh = frame[_first_sight(frame.index.tolist(), seen)]
                if len(fresh):
                    yield fresh
            bar.update(1)
    finally:
        for future in futures:
            future.cancel()
        bar.close()


def email_events(
    ctx: Context,
    start: Any,
    end: Any,
    event_types: str | Iterable[str] | None = None,
    email_id: Any = None,
    *,
    slices: int | None = None,
) -> pd.DataFrame:
    """One row per e-mail event in ``[start, end)``, index ``id``, sorted by ``created``.

    ``event_types``: one type or a list (``"OPEN"``, ``["SENT", "CLICK"]``), None for all.
    ``email_id``: only events of that marketing e-mail (its v3 id: all its sends, both variants
    of an A/B test) or of one send (a legacy ``emailCampaignId``).
    ``slices``: how many time slices to pull concurrently (default: about one per week of the window).
    """
    t0, t1 = mf.to_utc(start, "start"), mf.to_utc(end, "end")
    frames: list[pd.DataFrame] = []
    if t1 > t0:  # an empty window asks nothing (nor checks the event types)
        if isinstance(event_types, str):
            event_types = [event_types]
        types = [mf.choose(t, EVENT_TYPES, "event type") for t in event_types] if event_types else [None]
        sends: list[Any] = [None] if email_id is None else send_ids(ctx, email_id)
        n = slices if slices is not None else auto_slices(t0, t1, ctx.client.max_workers)
        tasks = [
            ({k: v for k, v in (("eventType", kind), ("campaignId", send)) if v is not None}, a, b)
            for a, b in time_slices(t0, t1, n)
            for kind in types
            for send in sends
        ]
        frames = list(_event_pages(ctx, tasks))
    if not frames:
        frames = [page_frame([])]
    # Slices finish in any order: sort on (created, id) so the same events give the same frame.
    frame = assemble_pages(frames, leading=COLUMNS[1:], categories=CATEGORY_COLUMNS, sort_by="created")
    frame.index.name = "id"
    return frame
