"""The marketing helpers against the sandbox over real HTTP.

Every frame is checked against the raw JSON the sandbox serves, fetched here with plain
``requests`` and our own paging (so a bug in the helpers' paging cannot hide itself), plus
consistency across endpoints: events ↔ statistics, sliced ↔ single-window pulls, faults ↔ no faults.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import requests
from helpers import make_hub

import hubspot_nb as hnb
from hubspot_nb.hub import Hub
from hubspot_nb.marketing import campaigns as marketing_campaigns
from hubspot_nb.marketing import events as marketing_events
from hubspot_nb.marketing import traffic as marketing_traffic

DAY = pd.Timedelta(days=1)


# -- helpers -----------------------------------------------------------------------------------------
def raw_get(hub: Hub, path: str, params: Any = None) -> Any:
    """One GET with plain requests (retrying only injected faults, never reshaping the body)."""
    for _ in range(30):
        try:
            resp = requests.get(
                hub.api_base + path,
                params=params,
                headers={"Authorization": f"Bearer {hub.token.bearer()}"},
                timeout=30,
            )
            if resp.status_code == 200:
                return resp.json()
            if resp.status_code not in (429, 502, 503):
                raise AssertionError(f"{path} answered {resp.status_code}: {resp.text[:300]}")
        except (requests.ConnectionError, ValueError):
            pass
    raise AssertionError(f"{path}: no clean answer in 30 tries")


def raw_cursor(hub: Hub, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    out, query = [], dict(params)
    while True:
        page = raw_get(hub, path, query)
        out += page.get("results") or []
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return out
        query["after"] = after


def raw_events(hub: Hub, t0: pd.Timestamp, t1: pd.Timestamp, **params: Any) -> list[dict[str, Any]]:
    query = {"startTimestamp": t0.value // 10**6, "endTimestamp": t1.value // 10**6, "limit": 1000, **params}
    out = []
    while True:
        page = raw_get(hub, "/email/public/v1/events", query)
        out += page["events"]
        if not page.get("hasMore"):
            return out
        query["offset"] = page["offset"]


def utc(value: Any) -> pd.Timestamp:
    if isinstance(value, int):
        return pd.Timestamp(value, unit="ms", tz="UTC")
    return pd.Timestamp(value).tz_convert("UTC")


# -- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hub(sandbox: Any) -> Hub:
    return make_hub(sandbox)


@pytest.fixture(scope="module")
def emails(hub: Hub) -> pd.DataFrame:
    return hub.marketing_emails(archived=True)


@pytest.fixture(scope="module")
def data_span(emails: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """From the first send to a day after the last: every event the sandbox has."""
    first = emails["publishedAt"].min().floor("D")
    return first, first + pd.Timedelta(days=400)


@pytest.fixture(scope="module")
def all_events(hub: Hub, data_span: tuple[pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
    return hub.email_events(*data_span)


@pytest.fixture(scope="module")
def busy_month(emails: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The thirty days (from a publishing day) in which the most e-mails went out: thousands of events."""
    sent = emails[emails["publishedAt"].notna()]
    days = sent["publishedAt"].dt.floor("D")

    def volume(day: pd.Timestamp) -> int:
        return int(sent.loc[(days >= day) & (days < day + pd.Timedelta(days=30)), "sent"].sum())

    start = max(sorted(days.unique()), key=volume)
    return start, start + pd.Timedelta(days=30)


# -- marketing emails --------------------------------------------------------------------------------
def test_marketing_emails_equal_what_the_sandbox_serves(hub: Hub, emails: pd.DataFrame) -> None:
    raw = raw_cursor(hub, "/marketing/v3/emails", {"includeStats": "true", "limit": 7})
    archived = raw_cursor(hub, "/marketing/v3/emails", {"includeStats": "true", "archived": "true"})
    assert archived, "the sandbox should have a few archived emails"
    assert len(emails) == len(raw) + len(archived) and emails.index.is_unique
    assert set(emails.index[emails["archived"]]) == {r["id"] for r in archived}
    for record in raw + archived:
        row = emails.loc[record["id"]]
        assert row["name"] == record["name"] and row["subject"] == record["subject"]
        assert row["type"] == record["type"] and row["state"] == record["state"]
        assert row["createdAt"] == utc(record["createdAt"])
        assert row["updatedAt"] == utc(record["updatedAt"])
        if "publishedAt" in record:
            assert row["publishedAt"] == utc(record["publishedAt"])
        else:
            assert pd.isna(row["publishedAt"])
        if "campaign" in record:
            assert (row["campaign"], row["campaignName"]) == (record["campaign"], record["campaignName"])
        else:
            assert pd.isna(row["campaign"]) and pd.isna(row["campaignName"])
        assert row["fromName"] == record["from"]["fromName"]
        # v3 spells the send ids as strings; the frame keeps them numbers, as email_events' emailCampaignId
        assert all(isinstance(k, str) for k in record["allEmailCampaignIds"])
        assert row["allEmailCampaignIds"] == [int(k) for k in record["allEmailCampaignIds"]]
        stats = record["stats"]
        for name, value in stats["counters"].items():
            assert row[name] == value, name
        assert row["open_rate"] == pytest.approx(stats["ratios"]["openratio"] / 100)
        assert row["click_rate"] == pytest.approx(stats["ratios"]["clickratio"] / 100)
        assert row["click_through_rate"] == pytest.approx(stats["ratios"]["clickthroughratio"] / 100)
        assert row["open_device_mobile"] == stats["deviceBreakdown"]["open_device_type"]["mobile"]
        assert row["click_device_computer"] == stats["deviceBreakdown"]["click_device_type"]["computer"]


def test_marketing_emails_types(emails: pd.DataFrame) -> None:
    assert emails.index.name == "id"
    for column in ("publishedAt", "createdAt", "updatedAt"):
        assert str(emails[column].dtype) == "datetime64[ns, UTC]"
    assert emails["type"].dtype == "category" and emails["state"].dtype == "category"
    assert str(emails["sent"].dtype) == "Int64" and str(emails["open_rate"].dtype) == "Float64"
    assert str(emails["archived"].dtype) == "boolean"
    drafts = emails[emails["publishedAt"].isna()]
    assert len(drafts) and (drafts["sent"] == 0).all()  # a draft sent nothing (zero, not missing)


def test_marketing_emails_without_stats_and_since(hub: Hub, emails: pd.DataFrame) -> None:
    plain = hub.marketing_emails(stats=False)
    assert "sent" not in plain.columns and "open_rate" not in plain.columns
    assert set(plain.index) == set(emails.index[~emails["archived"]])
    cutoff = emails["updatedAt"].sort_values().iloc[len(emails) // 2]
    recent = hub.marketing_emails(since=cutoff)
    raw = raw_cursor(hub, "/marketing/v3/emails", {"updatedAfter": cutoff.isoformat()})
    assert set(recent.index) == {r["id"] for r in raw} and 0 < len(recent) < len(plain)
    assert (recent["updatedAt"] > cutoff).all()


# -- statistics ---------------------------------------------------------------------------------------
def test_email_statistics_aggregate_equal_the_raw_answer(hub: Hub, busy_month: Any) -> None:
    t0, t1 = busy_month
    stats = hub.email_statistics(t0, t1)
    window = {"startTimestamp": t0.isoformat(), "endTimestamp": t1.isoformat()}
    raw = raw_get(hub, "/marketing/v3/emails/statistics/list", window)
    total = stats.loc[("total", "all")]
    for name, value in raw["aggregate"]["counters"].items():
        assert total[name] == value, name
    assert total["open_rate"] == pytest.approx(raw["aggregate"]["ratios"]["openratio"] / 100)
    campaigns = stats.loc["campaign"]
    assert set(campaigns.index) == set(raw["campaignAggregations"])
    for key, data in raw["campaignAggregations"].items():
        assert campaigns.loc[key, "sent"] == data["counters"]["sent"]
    per_email = stats.loc["email"]
    assert set(per_email.index) == {str(e) for e in raw["emails"]} and len(per_email) > 0
    # "emails" lists the e-mails that went out in the window: their sends are all the window's sends
    # (opens and clicks also come from e-mails sent before it, so those need not add up).
    assert per_email["sent"].sum() == total["sent"] > 0
    assert (per_email["sent"] > 0).all()


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_email_statistics_histogram_sums_to_the_aggregate(hub: Hub, busy_month: Any, interval: str) -> None:
    t0, t1 = busy_month
    series = hub.email_statistics(t0, t1, interval=interval)
    total = hub.email_statistics(t0, t1).loc[("total", "all")]
    assert series.index.name == "start" and str(series.index.dtype) == "datetime64[ns, UTC]"
    assert series.index.is_monotonic_increasing and series.index[0] == t0 and series["end"].iloc[-1] == t1
    for column in ("sent", "delivered", "open", "click"):
        assert series[column].sum() == total[column], column
    raw = raw_get(
        hub,
        "/marketing/v3/emails/statistics/histogram",
        {"startTimestamp": t0.isoformat(), "endTimestamp": t1.isoformat(), "interval": interval.upper()},
    )
    assert len(series) == len(raw["results"])
    assert list(series["sent"]) == [r["aggregations"]["counters"]["sent"] for r in raw["results"]]


# -- events ---------------------------------------------------------------------------------------------
def test_email_events_equal_the_raw_events(hub: Hub, busy_month: Any) -> None:
    t0, t1 = busy_month
    frame = hub.email_events(t0, t1)
    raw = raw_events(hub, t0, t1)
    assert len(raw) > 2000, "the window should hold a few pages of events"
    assert frame.index.is_unique and len(frame) == len(raw)
    by_id = {e["id"]: e for e in raw}
    assert set(frame.index) == set(by_id)
    assert frame["created"].is_monotonic_increasing
    assert (frame["created"] >= t0).all() and (frame["created"] < t1).all()
    for event_id in frame.index[:: max(1, len(frame) // 300)]:
        row, event = frame.loc[event_id], by_id[event_id]
        assert row["created"] == utc(event["created"]) and row["type"] == event["type"]
        assert row["recipient"] == event["recipient"] and row["emailCampaignId"] == event["emailCampaignId"]
        if event["type"] == "CLICK":
            assert row["url"] == event["url"]
        if "browser" in event:
            assert row["browser_name"] == event["browser"]["name"]
            assert row["location_city"] == event["location"]["city"]
            assert row["deviceType"] == event["deviceType"]
    assert frame["type"].dtype == "category" and str(frame["created"].dtype) == "datetime64[ns, UTC]"
    assert {"SENT", "DELIVERED", "OPEN", "CLICK"} <= set(frame["type"].astype(str))


@pytest.mark.slow
def test_sliced_pull_equals_single_window_pull(hub: Hub, busy_month: Any) -> None:
    t0, t1 = busy_month
    single = marketing_events.email_events(hub.context, t0, t1, slices=1)
    for n in (3, 17):
        sliced = marketing_events.email_events(hub.context, t0, t1, slices=n)
        pd.testing.assert_frame_equal(sliced, single)


@pytest.mark.slow
def test_event_filters(hub: Hub, busy_month: Any, emails: pd.DataFrame) -> None:
    t0, t1 = busy_month
    everything = hub.email_events(t0, t1)
    clicks = hub.email_events(t0, t1, event_types="click")
    assert set(clicks["type"].astype(str)) == {"CLICK"}
    assert set(clicks.index) == set(everything.index[everything["type"] == "CLICK"])
    two = hub.email_events(t0, t1, event_types=["OPEN", "CLICK"])
    assert len(two) == (everything["type"].isin(["OPEN", "CLICK"])).sum()
    busiest = everything["emailCampaignId"].value_counts().index[0]
    email_id = next(i for i, ids in emails["allEmailCampaignIds"].items() if busiest in ids)
    one = hub.email_events(t0, t1, email_id=email_id)
    expected = everything["emailCampaignId"].isin(emails.loc[email_id, "allEmailCampaignIds"])
    assert len(one) == expected.sum() > 0
    by_send = hub.email_events(t0, t1, email_id=int(busiest))
    assert set(by_send.index) == set(everything.index[everything["emailCampaignId"] == busiest])


@pytest.mark.slow
def test_events_agree_with_email_statistics(all_events: pd.DataFrame, emails: pd.DataFrame) -> None:
    """Counting our event rows gives the counters our emails frame reports, for every email."""
    events = all_events
    assert len(events) > 20_000 and events.index.is_unique
    sends = emails[["allEmailCampaignIds"]].explode("allEmailCampaignIds").dropna()
    email_of = {int(send): email for email, send in sends["allEmailCampaignIds"].items()}
    events = events.assign(email=events["emailCampaignId"].map(email_of))
    assert events["email"].notna().all()
    counts = events.groupby(["email", "type"], observed=True).size().unstack(fill_value=0)
    first_opens = events[events["type"] == "OPEN"].drop_duplicates(["emailCampaignId", "recipient"])
    unique_opens = first_opens.groupby("email").size()
    checked = 0
    for email_id, row in emails[emails["publishedAt"].notna()].iterrows():
        got = counts.loc[email_id] if email_id in counts.index else pd.Series(dtype=int)
        assert got.get("SENT", 0) == row["sent"], email_id
        assert got.get("DELIVERED", 0) == row["delivered"], email_id
        assert got.get("BOUNCE", 0) == row["bounce"], email_id
        assert unique_opens.get(email_id, 0) == row["open"], email_id
        checked += 1
    assert checked > 10


# -- campaigns --------------------------------------------------------------------------------------------
def test_campaigns_equal_what_the_sandbox_serves(hub: Hub) -> None:
    t0, t1 = pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-10-31", tz="UTC")
    frame = hub.campaigns(t0, t1, revenue=True, attribution_model="first_interaction")
    props = list(marketing_campaigns.CAMPAIGN_PROPERTIES)
    raw = raw_cursor(hub, "/marketing/v3/campaigns", {"properties": props, "limit": 5})
    assert len(frame) == len(raw) > 0 and frame.index.is_unique
    window = {"startDate": "2026-01-01", "endDate": "2026-10-31"}
    for record in raw:
        row, p = frame.loc[record["id"]], record["properties"]
        assert row["name"] == p["hs_name"] and row["status"] == p["hs_campaign_status"]
        assert row["start_date"] == pd.Timestamp(p["hs_start_date"])
        assert row["budget"] == pytest.approx(float(p["hs_budget_items_sum_amount"]))
        assert row["spend"] == pytest.approx(float(p["hs_spend_items_sum_amount"]))
        metrics = raw_get(hub, f"/marketing/v3/campaigns/{record['id']}/reports/metrics", window)
        assert row["sessions"] == metrics["sessions"]
        assert row["new_contacts_first_touch"] == metrics["newContactsFirstTouch"]
        assert row["influenced_contacts"] == metrics["influencedContacts"]
        money = raw_get(
            hub,
            f"/marketing/v3/campaigns/{record['id']}/reports/revenue",
            {**window, "attributionModel": "FIRST_INTERACTION"},
        )
        assert row["revenue"] == pytest.approx(money["revenueAmount"])
        assert row["deals"] == money["dealsNumber"]
    assert frame.attrs["attribution_model"] == "FIRST_INTERACTION"
    assert str(frame["start_date"].dtype) == "datetime64[ns]" and frame["status"].dtype == "category"


def test_unknown_attribution_model_lists_the_valid_ones(hub: Hub) -> None:
    with pytest.raises(hnb.InvalidInput) as info:
        hub.campaigns(revenue=True, attribution_model="LAST_CLICK")
    assert "LINEAR" in str(info.value) and "W_SHAPED" in str(info.value)


# -- forms ------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_forms_and_submissions_equal_what_the_sandbox_serves(hub: Hub, sandbox: Any) -> None:
    forms = hub.forms()
    raw_forms = raw_cursor(hub, "/marketing/v3/forms", {"limit": 3, "formTypes": "all"})
    assert set(forms.index) == {f["id"] for f in raw_forms}
    raw_archived = raw_cursor(hub, "/marketing/v3/forms", {"formTypes": "all", "archived": "true"})
    assert raw_archived, "the sandbox has archived forms"
    subs = hub.form_submissions()
    total = 0
    for form in raw_forms + raw_archived:
        raw = raw_cursor(hub, f"/form-integrations/v1/submissions/forms/{form['id']}", {"limit": 50})
        total += len(raw)
        mine = subs[subs["form_id"] == form["id"]]
        assert set(mine.index) == {r["conversionId"] for r in raw}
        for record in raw[:20]:
            row = mine.loc[record["conversionId"]]
            assert row["submittedAt"] == utc(record["submittedAt"]) and row["pageUrl"] == record["pageUrl"]
            assert row["form_name"] == form["name"] and row["form_archived"] == form["archived"]
            for value in record["values"]:
                assert row[value["name"]] == value["value"]
    assert len(subs) == total > 0
    assert str(subs["submittedAt"].dtype) == "datetime64[ns, UTC]"
    # contact_id: the contact whose email was submitted (and only those)
    known = subs[subs["contact_id"].notna()]
    assert 0.7 < len(known) / len(subs) < 1.0, "most, not all, submitters are contacts"
    contacts = sandbox.portal.store("contacts")
    for _, row in known.head(50).iterrows():
        assert contacts.value(row["contact_id"], "email").lower() == row["email"].lower()
    unknown = subs[subs["contact_id"].isna()]
    emails_in_crm = {str(contacts.value(i, "email")).lower() for i in contacts.ids()}
    assert not set(unknown["email"].str.lower()) & emails_in_crm


def test_form_submissions_of_one_form_since(hub: Hub) -> None:
    subs = hub.form_submissions()
    form_id = subs["form_id"].value_counts().index[0]
    mine = subs[subs["form_id"] == form_id]
    cutoff = mine["submittedAt"].sort_values().iloc[len(mine) // 2]
    recent = hub.form_submissions(form_id=form_id, since=cutoff)
    assert set(recent.index) == set(mine.index[mine["submittedAt"] >= cutoff])
    assert recent["submittedAt"].is_monotonic_decreasing


# -- traffic ------------------------------------------------------------------------------------------------
def test_traffic_total_and_daily(hub: Hub, busy_month: Any) -> None:
    t0, t1 = busy_month
    total = hub.traffic("sources", "total", t0, t1)
    raw = raw_get(
        hub,
        "/analytics/v2/reports/sources/total",
        {"start": t0.strftime("%Y%m%d"), "end": t1.strftime("%Y%m%d")},
    )
    assert list(total["breakdown"]) == [b["breakdown"] for b in raw["breakdowns"]]
    assert list(total["visits"]) == [b["visits"] for b in raw["breakdowns"]]
    daily = hub.traffic("sources", "daily", t0, t1)
    assert {"date", "breakdown", "visits"} <= set(daily.columns)
    assert str(daily["date"].dtype) == "datetime64[ns]"
    assert daily["date"].nunique() >= 30 and daily.groupby("date").size().max() <= len(total)
    per_source = daily.groupby("breakdown")["visits"].sum()
    for _, row in total.iterrows():
        assert per_source[row["breakdown"]] == row["visits"]


def test_traffic_per_period_pages_past_a_full_period(
    hub: Hub, busy_month: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """limit/offset apply to each period's breakdowns: a full period means more to fetch."""
    t0, t1 = busy_month
    whole = hub.traffic("geolocation", "weekly", t0, t1)
    per_week = whole.groupby("date").size()
    assert per_week.max() > 3, "needs periods with more breakdowns than the small page"
    monkeypatch.setattr(marketing_traffic, "PAGE", 3)
    paged = hub.traffic("geolocation", "weekly", t0, t1)
    key = ["date", "breakdown"]
    pd.testing.assert_frame_equal(
        paged.sort_values(key).reset_index(drop=True), whole.sort_values(key).reset_index(drop=True)
    )


# -- scopes ------------------------------------------------------------------------------------------------
def test_missing_scope_reaches_the_user_unwrapped(sandbox: Any) -> None:
    limited = make_hub(sandbox, scopes=["oauth", "crm.objects.contacts.read", "forms"])
    for call in (
        lambda: limited.marketing_emails(),
        lambda: limited.email_events("2026-01-01", "2026-03-01"),  # raised in a worker thread
        lambda: limited.email_statistics("2026-01-01", "2026-03-01"),
    ):
        with pytest.raises(hnb.MissingScopes) as info:
            call()
        assert type(info.value) is hnb.MissingScopes
        assert "content" in str(info.value) and "log in again" in str(info.value)
    with pytest.raises(hnb.MissingScopes, match="business-intelligence"):
        limited.traffic(start="2026-01-01", end="2026-01-31")


def test_form_submissions_without_contacts_scope_warn_and_leave_contact_id_empty(sandbox: Any) -> None:
    limited = make_hub(sandbox, scopes=["oauth", "forms"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        subs = limited.form_submissions()
    assert len(subs) and subs["contact_id"].isna().all()
    assert any("crm.objects.contacts.read" in str(w.message) for w in caught)


# -- faults -------------------------------------------------------------------------------------------------
@pytest.fixture
def faulty(fresh_sandbox: Any) -> Iterator[tuple[Any, Hub]]:
    sb = fresh_sandbox()
    yield sb, make_hub(sb)


@pytest.mark.slow
def test_faults_give_identical_frames(faulty: tuple[Any, Hub], busy_month: Any) -> None:
    sb, hub = faulty
    t0, t1 = busy_month

    def pull() -> dict[str, pd.DataFrame]:
        return {
            "emails": hub.marketing_emails(archived=True),
            "stats": hub.email_statistics(t0, t1),
            "daily": hub.email_statistics(t0, t1, interval="day"),
            "events": marketing_events.email_events(hub.context, t0, t1, slices=6),
            "campaigns": hub.campaigns(t0, t1, revenue=True),
            "forms": hub.forms(),
            "submissions": hub.form_submissions(),
            "traffic": hub.traffic("sources", "daily", t0, t1),
        }

    clean = pull()
    requests.post(f"{sb.base_url}/_sandbox/config", json={"fault_rate": 0.15}, timeout=10).raise_for_status()
    before = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    noisy = pull()
    after = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert faults(after) - faults(before) >= 5, "faults should really have been injected"
    for name, frame in clean.items():
        if name == "forms":
            frame, other = frame.drop(columns="fields"), noisy[name].drop(columns="fields")
            assert list(clean[name]["fields"]) == list(noisy[name]["fields"])
        else:
            other = noisy[name]
        pd.testing.assert_frame_equal(other, frame, obj=name)


def faults(stats: dict[str, Any]) -> int:
    value = stats.get("faults", stats.get("faults_injected", 0))
    return sum(value.values()) if isinstance(value, dict) else int(value)
