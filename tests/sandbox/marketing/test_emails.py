"""Marketing emails, their statistics and the legacy email events, over real HTTP to the sandbox."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from hubspot_nb.sandbox import Sandbox

from ..tools import get_as


def _all_emails(sb: Sandbox, token: str, **params: Any) -> list[dict[str, Any]]:
    out, after = [], None
    while True:
        reply = get_as(sb, token, "/marketing/v3/emails", limit=7, after=after, **params)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        out.extend(body["results"])
        after = body.get("paging", {}).get("next", {}).get("after")
        if after is None:
            assert body["total"] == len(out)
            return out


def _all_events(sb: Sandbox, token: str, **params: Any) -> list[dict[str, Any]]:
    out, offset = [], None
    while True:
        reply = get_as(sb, token, "/email/public/v1/events", limit=1000, offset=offset, **params)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        out.extend(body["events"])
        if not body["hasMore"]:
            return out
        offset = body["offset"]


def test_email_paging_walks_every_email_once(sandbox: Sandbox, token: str) -> None:
    live = _all_emails(sandbox, token)
    archived = _all_emails(sandbox, token, archived="true")
    ids = [e["id"] for e in live + archived]
    assert len(ids) == len(set(ids)) == len(sandbox.marketing.emails)
    assert all(e["archived"] for e in archived) and not any(e["archived"] for e in live)
    created = [e["createdAt"] for e in live]
    assert created == sorted(created)
    first = live[0]
    for key in ("id", "name", "subject", "type", "state", "subcategory", "isPublished", "createdAt", "from"):
        assert key in first
    assert "stats" not in first


def test_email_filters(sandbox: Sandbox, token: str) -> None:
    everything = _all_emails(sandbox, token)
    published = _all_emails(sandbox, token, isPublished="true")
    drafts = _all_emails(sandbox, token, isPublished="false")
    assert len(published) + len(drafts) == len(everything) and drafts
    batch = _all_emails(sandbox, token, type="BATCH_EMAIL")
    assert batch and all(e["type"] == "BATCH_EMAIL" for e in batch)
    cut = sorted(e["createdAt"] for e in everything)[len(everything) // 2]
    later = _all_emails(sandbox, token, createdAfter=cut)
    assert later and all(e["createdAt"] > cut for e in later)
    by_name = get_as(sandbox, token, "/marketing/v3/emails", sort="-name", limit=100).json()["results"]
    names = [e["name"].lower() for e in by_name]
    assert names == sorted(names, reverse=True)


def test_stats_match_the_events_of_each_email(sandbox: Sandbox, token: str) -> None:
    """Counters are the events counted: open/click = unique recipients, the rest = event counts."""
    emails = _all_emails(sandbox, token, includeStats="true") + _all_emails(
        sandbox, token, includeStats="true", archived="true"
    )
    checked = 0
    for email in emails:
        counters = email["stats"]["counters"]
        events = [
            ev
            for send in email["allEmailCampaignIds"]
            for ev in _all_events(sandbox, token, emailCampaignId=send)
        ]
        kinds = Counter(ev["type"] for ev in events)
        assert counters["sent"] == kinds["SENT"]
        assert counters["delivered"] == kinds["DELIVERED"]
        assert counters["bounce"] == kinds["BOUNCE"]
        assert counters["dropped"] == kinds["DROPPED"]
        assert counters["spamreport"] == kinds["SPAMREPORT"]
        assert counters["unsubscribed"] == kinds["STATUSCHANGE"]
        openers = {(ev["emailCampaignId"], ev["recipient"]) for ev in events if ev["type"] == "OPEN"}
        clickers = {(ev["emailCampaignId"], ev["recipient"]) for ev in events if ev["type"] == "CLICK"}
        assert counters["open"] == len(openers)
        assert counters["click"] == len(clickers)
        devices = email["stats"]["deviceBreakdown"]["open_device_type"]
        assert set(devices) == {"computer", "mobile", "unknown"} and sum(devices.values()) == counters["open"]
        if not email["isPublished"]:
            assert not events
        checked += bool(events)
    assert checked >= len(emails) // 2


def test_event_paging_is_newest_first_and_complete(sandbox: Sandbox, token: str) -> None:
    events = _all_events(sandbox, token)
    assert len(events) == len(sandbox.marketing.events) > 10_000
    assert len({ev["id"] for ev in events}) == len(events)
    created = [ev["created"] for ev in events]
    assert created == sorted(created, reverse=True)
    sent = {ev["id"]: ev for ev in events if ev["type"] == "SENT"}
    clicks = [ev for ev in events if ev["type"] == "CLICK"]
    assert clicks and all(ev["url"].startswith("https://") and ev["sentBy"]["id"] in sent for ev in clicks)
    change = next(ev for ev in events if ev["type"] == "STATUSCHANGE")
    assert change["subscriptions"][0]["status"] == "UNSUBSCRIBED"
    bounce = next(ev for ev in events if ev["type"] == "BOUNCE")
    assert bounce["category"] and bounce["status"]


def test_event_filters_and_windows(sandbox: Sandbox, token: str) -> None:
    everything = _all_events(sandbox, token, eventType="CLICK")
    assert everything and all(ev["type"] == "CLICK" for ev in everything)
    middle = everything[len(everything) // 2]["created"]
    newer = _all_events(sandbox, token, eventType="CLICK", startTimestamp=middle)
    older = _all_events(sandbox, token, eventType="CLICK", endTimestamp=middle)
    assert len(newer) + len(older) == len(everything)
    assert all(ev["created"] >= middle for ev in newer) and all(ev["created"] < middle for ev in older)
    someone = everything[0]["recipient"]
    theirs = _all_events(sandbox, token, recipient=someone)
    assert theirs and all(ev["recipient"] == someone for ev in theirs)


def test_event_offsets_are_stable(sandbox: Sandbox, token: str) -> None:
    first = get_as(sandbox, token, "/email/public/v1/events", limit=50).json()
    again = get_as(sandbox, token, "/email/public/v1/events", limit=50).json()
    assert first == again and first["hasMore"]
    second = get_as(sandbox, token, "/email/public/v1/events", limit=50, offset=first["offset"]).json()
    assert (
        second == get_as(sandbox, token, "/email/public/v1/events", limit=50, offset=first["offset"]).json()
    )
    assert not {e["id"] for e in first["events"]} & {e["id"] for e in second["events"]}
    assert first["events"][-1]["created"] >= second["events"][0]["created"]


def test_statistics_list_and_histogram_agree(sandbox: Sandbox, token: str) -> None:
    window = {"startTimestamp": "2026-02-01T00:00:00Z", "endTimestamp": "2026-09-15T00:00:00Z"}
    listed = get_as(sandbox, token, "/marketing/v3/emails/statistics/list", **window).json()
    aggregate = listed["aggregate"]["counters"]
    assert aggregate["sent"] > 0 and listed["emails"]
    for interval in ("DAY", "WEEK", "MONTH"):
        hist = get_as(
            sandbox, token, "/marketing/v3/emails/statistics/histogram", interval=interval, **window
        ).json()
        assert hist["total"] == len(hist["results"]) > 0
        for key, value in aggregate.items():
            assert sum(r["aggregations"]["counters"][key] for r in hist["results"]) == value, (interval, key)
        assert hist["results"][0]["interval"]["start"] == "2026-02-01T00:00:00Z"
        assert hist["results"][-1]["interval"]["end"] == "2026-09-15T00:00:00Z"
    # per-campaign and per-email numbers add up to the aggregate
    per_email = [
        get_as(sandbox, token, "/marketing/v3/emails/statistics/list", emailIds=i, **window).json()[
            "aggregate"
        ]
        for i in listed["emails"]
    ]
    assert sum(s["counters"]["sent"] for s in per_email) == aggregate["sent"]
    campaigns = listed["campaignAggregations"]
    assert campaigns and set(campaigns) <= {c.id for c in sandbox.marketing.campaigns}
    assert sum(c["counters"]["sent"] for c in campaigns.values()) <= aggregate["sent"]


def test_legacy_campaigns_map_to_marketing_emails(sandbox: Sandbox, token: str) -> None:
    listing = get_as(sandbox, token, "/email/public/v1/campaigns/by-id", limit=1000).json()
    ids = [c["id"] for c in listing["campaigns"]]
    assert ids and not listing["hasMore"]
    email = next(
        e for e in _all_emails(sandbox, token, includeStats="true") if e["stats"]["counters"]["sent"]
    )
    sends = [
        get_as(sandbox, token, f"/email/public/v1/campaigns/{k}").json() for k in email["allEmailCampaignIds"]
    ]
    assert all(s["contentId"] == int(email["id"]) for s in sends)
    assert sum(s["counters"]["sent"] for s in sends) == email["stats"]["counters"]["sent"]
    assert sum(s["counters"]["open"] for s in sends) >= email["stats"]["counters"]["open"]  # v1: all opens


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/marketing/v3/emails", {"limit": "101"}, 400),
        ("/marketing/v3/emails", {"limit": "ten"}, 400),
        ("/marketing/v3/emails", {"after": "not-a-cursor!"}, 400),
        ("/marketing/v3/emails", {"type": "CARRIER_PIGEON"}, 400),
        ("/marketing/v3/emails", {"createdAfter": "yesterday"}, 400),
        ("/marketing/v3/emails", {"sort": "colour"}, 400),
        ("/marketing/v3/emails/123", {}, 404),
        ("/marketing/v3/emails/statistics/list", {"startTimestamp": "2026-13-01"}, 400),
        (
            "/marketing/v3/emails/statistics/list",
            {"startTimestamp": "2026-05-01T00:00:00Z", "endTimestamp": "2026-04-01T00:00:00Z"},
            400,
        ),
        ("/marketing/v3/emails/statistics/list", {"emailIds": "abc"}, 400),
        ("/marketing/v3/emails/statistics/histogram", {}, 400),
        ("/marketing/v3/emails/statistics/histogram", {"interval": "FORTNIGHT"}, 400),
        ("/marketing/v3/emails/statistics/histogram", {"interval": "SECOND"}, 400),
        ("/email/public/v1/events", {"limit": "1001"}, 400),
        ("/email/public/v1/events", {"startTimestamp": "2026-01-01"}, 400),
        ("/email/public/v1/events", {"eventType": "TELEPORT"}, 400),
        ("/email/public/v1/events", {"offset": "%%%"}, 400),
        ("/email/public/v1/campaigns/42", {}, 404),
        ("/email/public/v1/campaigns/by-id", {"limit": "0"}, 400),
    ],
)
def test_bad_input_gets_hubspot_errors(
    sandbox: Sandbox, token: str, path: str, params: dict, status: int
) -> None:
    reply = get_as(sandbox, token, path, **params)
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["status"] == "error" and body["category"] in ("VALIDATION_ERROR", "OBJECT_NOT_FOUND")
    assert body["message"] and body["correlationId"]


def test_scopes(sandbox: Sandbox) -> None:
    crm_only = sandbox.oauth_token(scopes=["oauth", "crm.objects.contacts.read"])["access_token"]
    email_read = sandbox.oauth_token(scopes=["oauth", "marketing.email.read"])["access_token"]
    for path in ("/marketing/v3/emails", "/marketing/v3/emails/statistics/list", "/email/public/v1/events"):
        reply = get_as(sandbox, crm_only, path)
        assert reply.status_code == 403 and reply.json()["category"] == "MISSING_SCOPES"
    assert get_as(sandbox, email_read, "/marketing/v3/emails").status_code == 200
    assert get_as(sandbox, email_read, "/email/public/v1/events").status_code == 403  # needs `content`


def test_official_python_client_reads_emails_and_statistics(sandbox: Sandbox, token: str) -> None:
    hubspot = pytest.importorskip("hubspot")
    client = hubspot.Client.create(access_token=token, host=sandbox.base_url)
    page = client.marketing.emails.marketing_emails_api.get_page(include_stats=True, limit=100)
    assert page.total == len(page.results) > 0
    sent = [e for e in page.results if e.stats.counters["sent"]]
    assert sent and sent[0].created_at.year >= 2025 and sent[0]._from.from_name
    one = client.marketing.emails.marketing_emails_api.get_by_id(sent[0].id, include_stats=True)
    assert one.stats.counters == sent[0].stats.counters
    stats = client.marketing.emails.statistics_api.get_emails_list(
        start_timestamp="2025-01-01T00:00:00Z", end_timestamp="2027-01-01T00:00:00Z"
    )
    archived = _all_emails(sandbox, token, includeStats="true", archived="true")
    every_sent = [e.stats.counters["sent"] for e in page.results] + [
        e["stats"]["counters"]["sent"] for e in archived
    ]
    assert stats.aggregate.counters["sent"] == sum(every_sent)
    assert all(isinstance(i, int) for i in stats.emails)
    hist = client.marketing.emails.statistics_api.get_histogram(
        interval="MONTH", start_timestamp="2025-01-01T00:00:00Z", end_timestamp="2027-01-01T00:00:00Z"
    )
    assert sum(r.aggregations.counters["sent"] for r in hist.results) == stats.aggregate.counters["sent"]


def test_same_seed_serves_the_same_marketing_data(fresh_sandbox: Any) -> None:
    def snapshot(sb: Sandbox) -> tuple[Any, ...]:
        tok = sb.oauth_token()["access_token"]
        emails = get_as(sb, tok, "/marketing/v3/emails", includeStats="true").json()
        events = get_as(sb, tok, "/email/public/v1/events", limit=200).json()
        campaigns = get_as(sb, tok, "/marketing/v3/campaigns", properties="hs_name,hs_start_date").json()
        return emails, events, campaigns

    options = {"contacts": 150, "companies": 10, "deals": 10, "tickets": 5, "emails": 12}
    first, second = snapshot(fresh_sandbox(seed=11, **options)), snapshot(fresh_sandbox(seed=11, **options))
    other = snapshot(fresh_sandbox(seed=12, **options))
    assert first == second
    assert first[0]["results"] != other[0]["results"] and first[1]["events"] != other[1]["events"]
