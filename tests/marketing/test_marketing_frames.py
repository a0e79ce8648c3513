"""The pure parts of the marketing helpers: flattening HubSpot's JSON and typing the columns."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from hubspot_nb.context import Context
from hubspot_nb.errors import InvalidInput, NotLoggedIn
from hubspot_nb.frames.assembly import assemble_pages
from hubspot_nb.frames.convert import typed_column, typed_frame
from hubspot_nb.http.client import HubSpotClient
from hubspot_nb.marketing import _rows as mf
from hubspot_nb.marketing import campaigns as marketing_campaigns
from hubspot_nb.marketing import emails as marketing_emails
from hubspot_nb.marketing import events as marketing_events
from hubspot_nb.marketing import traffic as marketing_traffic

pytestmark = pytest.mark.usefixtures("fast_paths")  # every test with the fast paths on and off

STATS = {
    "counters": {"sent": 200, "delivered": 190, "open": 76, "click": 19, "bounce": 10, "newcounter": 4},
    "ratios": {"openratio": 40.0, "clickratio": 10.0, "clickthroughratio": 25.0, "oddratio": 1.5},
    "deviceBreakdown": {
        "open_device_type": {"computer": 50, "mobile": 20, "unknown": 6},
        "click_device_type": {"computer": 12, "MOBILE": 7},
    },
    "qualifierStats": {},
}


def test_stats_columns_flatten_counters_ratios_and_devices():
    cols = mf.stats_columns(STATS)
    assert (cols["sent"], cols["delivered"], cols["open"], cols["click"]) == (200, 190, 76, 19)
    assert cols["newcounter"] == 4  # counters HubSpot adds later are kept
    assert cols["open_rate"] == pytest.approx(0.40)  # percentages become fractions
    assert cols["click_through_rate"] == pytest.approx(0.25)
    assert cols["odd_rate"] == pytest.approx(0.015)
    assert cols["open_device_computer"] == 50 and cols["open_device_unknown"] == 6
    assert cols["click_device_mobile"] == 7  # device names lower-cased
    assert cols["hardbounced"] is None  # not sent by HubSpot: missing, not zero
    assert list(cols)[: len(mf.STAT_COLUMNS)] == list(mf.STAT_COLUMNS)


def test_stats_columns_without_stats_are_all_missing():
    assert set(mf.stats_columns(None)) == set(mf.STAT_COLUMNS)
    assert all(v is None for v in mf.stats_columns({}).values())


def test_email_row_and_frame_types():
    record = {
        "id": "123",
        "name": "Spring launch",
        "subject": "Hello",
        "type": "BATCH_EMAIL",
        "state": "PUBLISHED",
        "isPublished": True,
        "campaign": "c-1",
        "campaignName": "Spring",
        "from": {"fromName": "Ann", "replyTo": "ann@example.com"},
        "publishedAt": "2026-03-01T10:00:00.000Z",
        "createdAt": "2026-02-27T09:30:00Z",
        "updatedAt": "2026-03-02T00:00:00.000Z",
        "archived": False,
        "stats": STATS,
    }
    row = marketing_emails.email_row(record, archived=False)
    assert row["fromName"] == "Ann" and row["sent"] == 200
    kinds = {**marketing_emails.EMAIL_KINDS, **mf.stat_kinds(mf.stats_columns(STATS))}
    frame = typed_frame([row, {"id": "124", "name": "Draft", "archived": True}], kinds)
    assert list(frame.index) == ["123", "124"] and frame.index.name == "id"
    assert str(frame["publishedAt"].dtype) == "datetime64[ns, UTC]"
    assert frame.loc["123", "publishedAt"] == pd.Timestamp("2026-03-01T10:00:00Z")
    assert pd.isna(frame.loc["124", "publishedAt"])
    assert frame["type"].dtype == "category"
    assert str(frame["sent"].dtype) == "Int64" and pd.isna(frame.loc["124", "sent"])
    assert str(frame["open_rate"].dtype) == "Float64"
    assert str(frame["archived"].dtype) == "boolean" and frame.loc["124", "archived"]
    assert str(frame["name"].dtype) == "string"


def test_to_utc_accepts_the_usual_spellings():
    expected = pd.Timestamp("2026-01-31T00:00:00Z")
    assert mf.to_utc("2026-01-31") == expected
    assert mf.to_utc(dt.date(2026, 1, 31)) == expected
    assert mf.to_utc(dt.datetime(2026, 1, 31)) == expected  # naive = UTC
    assert mf.to_utc(dt.datetime(2026, 1, 31, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == expected
    assert mf.to_utc(int(expected.timestamp() * 1000)) == expected  # ms epoch
    assert mf.to_iso(mf.to_utc("2026-01-31T12:00:00.123+02:00")) == "2026-01-31T10:00:00.123Z"
    assert mf.to_ms(expected) == 1_769_817_600_000


@pytest.mark.parametrize("bad", ["yesterday-ish", None, True, "2026-13-45"])
def test_to_utc_rejects_nonsense_with_a_helpful_message(bad):
    with pytest.raises(InvalidInput, match="start"):
        mf.to_utc(bad, "start")


def test_choose_is_case_insensitive_and_lists_valid_values():
    assert mf.choose("day", marketing_emails.INTERVALS, "interval") == "DAY"
    with pytest.raises(InvalidInput) as info:
        mf.choose("fortnight", marketing_emails.INTERVALS, "interval")
    assert "fortnight" in str(info.value) and "DAY" in str(info.value) and "MONTH" in str(info.value)


class _NoLogin:
    """A token that was never obtained: the client raises NotLoggedIn at its first request."""

    can_refresh = False

    def bearer(self) -> str:
        raise NotLoggedIn("not logged in (this test must not send any request)")

    def refresh(self, stale: str | None = None) -> None:
        raise NotLoggedIn("not logged in")


def offline_context() -> Context:
    return Context(client=HubSpotClient(_NoLogin()))


def test_unknown_attribution_model_is_refused_before_any_request():
    ctx = offline_context()  # any HTTP call would raise NotLoggedIn instead
    with pytest.raises(InvalidInput) as info:
        marketing_campaigns.campaigns(ctx, revenue=True, attribution_model="MOST_RECENT")
    for model in marketing_campaigns.ATTRIBUTION_MODELS:
        assert model in str(info.value)


def test_unknown_traffic_breakdown_and_event_type_are_refused():
    with pytest.raises(InvalidInput, match="sources"):
        marketing_traffic.traffic(offline_context(), breakdown="planets")
    with pytest.raises(InvalidInput, match="CLICK"):
        ctx = offline_context()
        marketing_events.email_events(ctx, "2026-01-01", "2026-01-02", event_types=["LICK"])


def test_typed_column_keeps_missing_values_missing():
    assert typed("", "str").isna().all()
    assert list(typed(["true", "false", None, True], "bool")) == [True, False, pd.NA, True]
    assert str(typed(["1", "2", None], "int").dtype) == "Int64"
    assert str(typed(["1.5", "x", None], "float").dtype) == "Float64"
    assert typed(["1.5", "x", None], "float").isna().tolist() == [False, True, True]
    days = typed(["2026-05-01", None], "date")
    assert days[0] == pd.Timestamp("2026-05-01") and pd.isna(days[1])
    stamps = typed([1_700_000_000_000, "2026-05-01T10:00:00Z", ""], "utc")
    assert stamps[0] == pd.Timestamp(1_700_000_000_000, unit="ms", tz="UTC") and pd.isna(stamps[2])


def typed(values, kind):
    return typed_column(values if isinstance(values, list) else [values], kind)


EVENTS = [
    {
        "id": "e1",
        "created": 1_767_225_600_000,  # 2026-01-01T00:00:00Z
        "type": "OPEN",
        "recipient": "a@example.com",
        "emailCampaignId": 250_000_001,
        "deviceType": "COMPUTER",
        "browser": {"name": "Firefox", "family": "Firefox", "version": ["120", "0"]},
        "location": {"city": "Berlin", "country": "Germany", "latitude": 52.5},
        "sentBy": {"id": "s-1", "created": 1_767_225_000_000},
        "filteredEvent": False,
    },
    {
        "id": "e2",
        "created": 1_767_225_601_000,
        "type": "CLICK",
        "recipient": "a@example.com",
        "emailCampaignId": 250_000_001,
        "url": "https://www.example.com/pricing",
        "someNewField": 7,
    },
    {"id": "e3", "created": 1_767_312_000_000, "type": "SENT", "recipient": "b@example.com"},  # next day
]


def test_page_frame_flattens_and_types_one_page():
    frame = marketing_events.page_frame(EVENTS)
    assert list(frame.index) == ["e1", "e2", "e3"]
    assert list(frame.columns[: len(marketing_events.EVENT_KINDS)]) == list(marketing_events.EVENT_KINDS)
    assert frame.loc["e1", "created"] == pd.Timestamp("2026-01-01T00:00:00Z")
    assert frame.loc["e1", "browser_name"] == "Firefox" and frame.loc["e1", "browser_version"] == "120;0"
    assert frame.loc["e1", "location_latitude"] == 52.5 and frame.loc["e1", "sentBy_id"] == "s-1"
    assert frame.loc["e2", "url"] == "https://www.example.com/pricing"
    assert frame.loc["e2", "someNewField"] == "7"  # unknown fields are kept, as text
    assert str(frame["emailCampaignId"].dtype) == "Int64" and pd.isna(frame.loc["e3", "emailCampaignId"])
    assert pd.isna(frame.loc["e2", "filteredEvent"])


def test_page_frame_keeps_only_its_half_open_window():
    t0, t1 = pd.Timestamp("2026-01-01T00:00:00Z"), pd.Timestamp("2026-01-02T00:00:00Z")
    assert list(marketing_events.page_frame(EVENTS, t0, t1).index) == ["e1", "e2"]
    assert list(marketing_events.page_frame(EVENTS, t1, t1 + pd.Timedelta(days=1)).index) == ["e3"]


def test_assemble_builds_one_sorted_frame_with_categories_and_consumes_the_pages():
    late = marketing_events.page_frame(EVENTS[2:])  # arrives first, happened last
    early = marketing_events.page_frame(EVENTS[:2])
    pages = [late, early]
    both = assemble_pages(pages, leading=["created", "type"], categories=["type"], sort_by="created")
    assert list(both.index) == ["e1", "e2", "e3"]
    assert list(both.columns[:2]) == ["created", "type"]
    assert list(both.columns[2:]) == sorted(both.columns[2:])
    assert both["type"].dtype == "category" and list(both["type"]) == ["OPEN", "CLICK", "SENT"]
    assert set(both["type"].cat.categories) == {"OPEN", "CLICK", "SENT"}
    assert both.loc["e2", "someNewField"] == "7" and pd.isna(both.loc["e3", "someNewField"])
    assert str(both["emailCampaignId"].dtype) == "Int64" and pd.isna(both.loc["e3", "emailCampaignId"])
    assert str(both["created"].dtype) == "datetime64[ns, UTC]"
    assert pages == []  # consumed: each page was released once copied


def test_assemble_breaks_time_ties_by_id():
    same = [{**e, "created": 1_767_225_600_000} for e in EVENTS]
    frame = assemble_pages([marketing_events.page_frame(same[::-1])], sort_by="created")
    assert list(frame.index) == ["e1", "e2", "e3"]


@pytest.mark.parametrize("n", [1, 3, 7, 64])
def test_time_slices_tile_the_window_exactly(n):
    t0, t1 = pd.Timestamp("2026-01-01T00:00:00Z"), pd.Timestamp("2026-03-01T00:00:00.007Z")
    slices = marketing_events.time_slices(t0, t1, n)
    assert len(slices) == n
    assert slices[0][0] == t0 and slices[-1][1] == t1
    assert all(a < b for a, b in slices)
    assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(slices))


def test_time_slices_never_cut_below_a_millisecond():
    t0 = pd.Timestamp("2026-01-01T00:00:00Z")
    assert len(marketing_events.time_slices(t0, t0 + pd.Timedelta(milliseconds=3), 10)) == 3


def test_auto_slices_grow_with_the_window_but_stay_bounded():
    t0 = pd.Timestamp("2026-01-01T00:00:00Z")
    assert marketing_events.auto_slices(t0, t0 + pd.Timedelta(days=2), 8) == 1
    assert marketing_events.auto_slices(t0, t0 + pd.Timedelta(days=30), 8) == 5
    assert marketing_events.auto_slices(t0, t0 + pd.Timedelta(days=3650), 8) == 16


def test_traffic_rows_total_and_per_period_shapes():
    total = {"offset": 0, "total": 2, "totals": {"visits": 30}, "breakdowns": [
        {"breakdown": "ORGANIC", "visits": 20, "bounceRate": 41.5},
        {"breakdown": "DIRECT_TRAFFIC", "visits": 10, "bounceRate": 50.0},
    ]}  # fmt: skip
    second = {"breakdown": "DIRECT_TRAFFIC", "visits": 10, "bounceRate": 50.0}
    assert marketing_traffic.traffic_rows(total)[1] == second
    daily = {"2026-01-01": [{"breakdown": "ORGANIC", "visits": 3}], "2026-01-02": []}
    assert marketing_traffic.traffic_rows(daily) == [
        {"date": "2026-01-01", "breakdown": "ORGANIC", "visits": 3}
    ]
