"""The sandbox portal carries HubSpot's own property catalogue, and its values hang together like a real
portal's: every invariant is checked over a whole portal (seeded, a few thousand contacts)."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest

from hubspot_nb.sandbox.config import make_config
from hubspot_nb.sandbox.crm._catalogue import DEAL_PIPELINES, OWNER_IDS, WON_STAGES, catalogue_rows
from hubspot_nb.sandbox.crm._engagement import CONVERSION_ROLLUPS, EMAIL_ROLLUPS
from hubspot_nb.sandbox.crm._portal import OBJECT_TYPES, build_portal
from hubspot_nb.sandbox.crm._values import FUNNEL, STAGES
from hubspot_nb.sandbox.marketing import build_marketing
from hubspot_nb.sandbox.marketing._email_events import BOUNCE, CLICK, DELIVERED, OPEN, SENT

SIZES = {"contacts": 3000, "companies": 500, "deals": 1200, "tickets": 400}


def ms(text: str | None) -> int | None:
    return (
        None if text is None else int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    )


@pytest.fixture(scope="module")
def built() -> tuple[Any, Any]:
    config = make_config(seed=21, **SIZES)
    portal = build_portal(config)
    marketing = build_marketing(config, portal, 1)
    portal.attach_engagement(marketing)
    return portal, marketing


@pytest.fixture(scope="module")
def portal(built):
    return built[0]


def column(store, name: str) -> list[str | None]:
    return [store.text(i, name) for i in range(len(store))]


# -- must-show 1: the catalogue ----------------------------------------------------------------------
def test_every_catalogue_row_is_a_property_with_its_definition(portal) -> None:
    rows = catalogue_rows()
    counts = Counter(r["object"] for r in rows)
    assert counts["contacts"] == 358 and counts["companies"] == 206 and counts["deals"] == 206
    assert counts["tickets"] > 150
    assert all(r["source"] for r in rows)  # every row says where it was taken from
    for row in rows:
        spec = portal.store(row["object"]).specs[row["name"]]
        body = spec.to_json(0)
        assert (body["type"], body["fieldType"], body["label"]) == (
            row["type"],
            row["fieldType"],
            row["label"],
        )
        assert body["groupName"] == (row["groupName"] or body["groupName"]) and body["groupName"]
        if row["options"] and not body["externalOptions"]:
            assert [o["value"] for o in body["options"]] == row["options"].split(";"), row["name"]
        assert body["hubspotDefined"] is True
        calculated = row["fieldType"].startswith("calculation_")
        assert body["calculated"] is calculated
        if calculated:
            assert body["modificationMetadata"]["readOnlyValue"] is True and body["formField"] is False


def test_hubspot_facts_of_the_catalogue(portal) -> None:
    contacts, companies = portal.store("contacts").specs, portal.store("companies").specs
    assert contacts["annualrevenue"].type == "string" and contacts["annualrevenue"].field_type == "text"
    assert companies["total_revenue"].field_type == "calculation_rollup"
    field_types = {s.field_type for t in OBJECT_TYPES for s in portal.store(t).specs.values()}
    assert {
        "calculation_rollup",
        "calculation_score",
        "calculation_read_time",
        "calculation_equation",
    } <= field_types
    types = {s.type for t in OBJECT_TYPES for s in portal.store(t).specs.values()}
    assert {"object_coordinates", "phone_number"} <= types
    sources = [v for v, _ in contacts["hs_analytics_source"].options]
    assert sources == ["ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS",
                       "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL"]  # fmt: skip
    email = [n for n in contacts if n.startswith("hs_email_")]
    assert len(email) >= 28
    for name in ("hs_object_id", "createdate", "lastmodifieddate", "hs_analytics_source", "hs_email_open",
                 "first_conversion_date", "num_conversion_events", "hs_v2_date_entered_lead"):  # fmt: skip
        assert contacts[name].to_json(0)["modificationMetadata"]["readOnlyValue"] is True, name
    for name in ("email", "firstname", "lifecyclestage", "hs_lead_status", "hs_email_optout"):
        assert contacts[name].to_json(0)["modificationMetadata"]["readOnlyValue"] is False, name
    assert sum(len(n) for n in contacts) / len(contacts) > 24


def test_custom_property_count_is_configurable() -> None:
    for count in (0, 7, 150):
        p = build_portal(
            make_config(seed=3, contacts=20, companies=5, deals=5, tickets=5, custom_properties=count)
        )
        for t in OBJECT_TYPES:
            custom = [s for s in p.store(t).specs.values() if not s.hubspot_defined]
            assert len(custom) == count
            assert all(s.to_json(0)["hubspotDefined"] is False for s in custom)


def test_all_contact_properties_need_more_than_one_url(portal) -> None:
    names = list(portal.store("contacts").specs)
    query = "properties=" + quote(",".join(names), safe="")
    assert len(f"/crm/v3/objects/contacts?limit=100&{query}") > 16_000


# -- must-show 2: values that hang together ------------------------------------------------------------
def test_stage_dates_follow_the_lifecycle_in_order(portal) -> None:
    for t in ("contacts", "companies"):
        store = portal.store(t)
        entered_family = "hs_v2_date_entered_{}" if t == "contacts" else "hs_date_entered_{}"
        exited_family = "hs_v2_date_exited_{}" if t == "contacts" else "hs_date_exited_{}"
        modified_name = store.modified_property
        checked = 0
        for i in range(len(store)):
            stage = store.text(i, "lifecyclestage")
            entered = {s: ms(store.text(i, entered_family.format(s))) for s in STAGES}
            exited = {s: ms(store.text(i, exited_family.format(s))) for s in STAGES}
            created, modified = ms(store.text(i, "createdate")), ms(store.text(i, modified_name))
            assert created is not None and modified is not None and created <= modified
            if stage is None:
                assert not any(entered.values()), i
                continue
            assert entered[stage] is not None and exited[stage] is None  # in it now
            if stage in FUNNEL:  # every funnel stage between the first and the current one was reached
                reached = [s for s in FUNNEL if entered[s] is not None]
                assert reached == FUNNEL[FUNNEL.index(reached[0]) : FUNNEL.index(stage) + 1]
            stints = sorted((e, s) for s, e in entered.items() if e is not None)
            assert stints[0][0] == created  # the first stage is entered on creation
            for (e1, s1), (e2, _) in itertools.pairwise(stints):
                assert e1 < e2 and exited[s1] == e2  # left when the next began
            assert all(e <= modified for e, _ in stints)
            if t == "contacts":
                for s, e in entered.items():
                    assert ms(store.text(i, f"hs_lifecyclestage_{s}_date")) == e  # the older family agrees
                    spent = store.text(i, f"hs_v2_latest_time_in_{s}")
                    assert spent == (None if exited[s] is None else str(exited[s] - e))
                for s in ("lead", "marketingqualifiedlead", "subscriber"):
                    move = store.text(i, f"hs_time_to_move_from_{s}_to_customer")
                    both = entered[s] is not None and entered["customer"] is not None
                    assert move == (str(entered["customer"] - entered[s]) if both else None)
            checked += 1
        assert checked > len(store) // 2


def test_lead_status_fits_the_stage(portal) -> None:
    store = portal.store("contacts")
    by_stage: dict[str | None, Counter[str | None]] = {}
    for i in range(len(store)):
        by_stage.setdefault(store.text(i, "lifecyclestage"), Counter())[store.text(i, "hs_lead_status")] += 1
    assert by_stage["opportunity"].most_common(1)[0][0] == "OPEN_DEAL"
    assert by_stage["customer"][None] > 0.8 * sum(by_stage["customer"].values())
    lead = by_stage["lead"]
    assert lead[None] < 0.2 * sum(lead.values()) and {"NEW", "OPEN", "IN_PROGRESS"} <= set(lead)


def test_sources_have_realistic_shares_and_drill_downs(portal) -> None:
    store = portal.store("contacts")
    shares = Counter(column(store, "hs_analytics_source"))
    total = len(store)
    assert 0.22 < shares["ORGANIC_SEARCH"] / total < 0.38 and shares["ORGANIC_SEARCH"] == max(shares.values())
    assert all(shares[s] for s in ("PAID_SOCIAL", "OTHER_CAMPAIGNS", "OFFLINE", "DIRECT_TRAFFIC"))
    same = 0
    for i in range(total):
        source, detail = store.text(i, "hs_analytics_source"), store.text(i, "hs_analytics_source_data_1")
        if source == "OFFLINE":
            assert detail in ("IMPORT", "CRM_UI", "INTEGRATION", "API")
        elif source == "ORGANIC_SEARCH":
            assert detail in ("google", "bing", "duckduckgo")
        elif source is None:
            assert detail is None and store.text(i, "hs_latest_source") is None
        same += store.text(i, "hs_latest_source") == source
    assert 0.55 < same / total < 0.9  # the latest source is often the original one, not always


def test_owners_exist_and_teams_follow(portal) -> None:
    for t in OBJECT_TYPES:
        store = portal.store(t)
        owners = column(store, "hubspot_owner_id")
        assert set(owners) - {None} <= set(OWNER_IDS) and len(set(owners)) > 5
        if "hs_all_owner_ids" in store.specs:
            assert column(store, "hs_all_owner_ids") == owners


def test_counters_equal_associations_and_notes(portal) -> None:
    counted = {"contacts": [("num_associated_deals", "deals")],
               "companies": [("num_associated_contacts", "contacts"), ("num_associated_deals", "deals")],
               "deals": [("num_associated_contacts", "contacts")]}  # fmt: skip
    for t, pairs in counted.items():
        store = portal.store(t)
        for name, other in pairs:
            link = portal.link(t, other)
            assert column(store, name) == [
                str(link.count(i)) if link.count(i) else None for i in range(len(store))
            ]
    contacts, companies = portal.store("contacts"), portal.store("companies")
    to_company = portal.link("contacts", "companies")
    for i in range(len(contacts)):
        primary = [j for j, p in to_company.of(i) if p]
        assert contacts.text(i, "associatedcompanyid") == (companies.id_of(primary[0]) if primary else None)
    for t in OBJECT_TYPES:
        store = portal.store(t)
        for i in range(len(store)):
            notes, contacted = int(store.text(i, "num_notes")), int(store.text(i, "num_contacted_notes"))
            assert 0 <= contacted <= notes
            last, last_contacted = (
                ms(store.text(i, "notes_last_updated")),
                ms(store.text(i, "notes_last_contacted")),
            )
            assert (last is not None) == (notes > 0) and (last_contacted is not None) == (contacted > 0)
            if last_contacted is not None:
                assert last_contacted <= last <= ms(store.text(i, store.modified_property))


def test_email_rollups_equal_the_contacts_email_events(built) -> None:
    portal, marketing = built
    store = portal.store("contacts")
    log = marketing.events
    per: dict[int, dict[str, Any]] = {}
    for pos in range(len(log)):
        r, kind, t = log.recipient[pos], log.type[pos], log.created[pos]
        got = per.setdefault(r, {"sent": [], "open": [], "click": [], "delivered": 0, "bounce": 0,
                                 "opened": set(), "clicked": set()})  # fmt: skip
        if kind == SENT:
            got["sent"].append(t)
        elif kind == OPEN:
            got["open"].append(t)
            got["opened"].add(log.send[pos])
        elif kind == CLICK:
            got["click"].append(t)
            got["clicked"].add(log.send[pos])
        elif kind == DELIVERED:
            got["delivered"] += 1
        elif kind == BOUNCE:
            got["bounce"] += 1
    index = {cid: r for r, (cid, _) in enumerate(marketing.contacts)}
    emailed = 0
    for i in range(len(store)):
        values = {n: store.text(i, n) for n in EMAIL_ROLLUPS}
        r = index.get(store.id_of(i))
        got = per.get(r) if r is not None else None
        if not got or not got["sent"]:
            assert values["hs_email_delivered"] is None and values["hs_email_last_open_date"] is None
            continue
        emailed += 1
        assert values["hs_email_delivered"] == str(got["delivered"])
        assert values["hs_email_bounce"] == str(got["bounce"])
        assert values["hs_email_open"] == str(len(got["opened"]))
        assert values["hs_email_click"] == str(len(got["clicked"]))
        assert ms(values["hs_email_first_send_date"]) == min(got["sent"])
        assert ms(values["hs_email_last_send_date"]) == max(got["sent"])
        for kind in ("open", "click"):
            times = got[kind]
            assert ms(values[f"hs_email_first_{kind}_date"]) == (min(times) if times else None)
            assert ms(values[f"hs_email_last_{kind}_date"]) == (max(times) if times else None)
        last_engaged = max(got["open"] + got["click"], default=None)
        since = sum(1 for t in got["sent"] if last_engaged is None or t > last_engaged)
        assert values["hs_email_sends_since_last_engagement"] == str(since)
    assert emailed > len(store) // 3


def test_conversions_equal_the_contacts_form_submissions(built) -> None:
    portal, marketing = built
    store = portal.store("contacts")
    subs: dict[str, list[tuple[int, str, str]]] = {}
    for form in marketing.forms:
        for s in marketing.submissions[form.id]:
            if s.contact >= 0:
                subs.setdefault(marketing.contacts[s.contact][0], []).append(
                    (s.submitted_ms, form.name, form.id)
                )
    converted = 0
    for i in range(len(store)):
        values = {n: store.text(i, n) for n in CONVERSION_ROLLUPS}
        mine = sorted(subs.get(store.id_of(i), []))
        if not mine:
            assert set(values.values()) == {None}
            continue
        converted += 1
        assert values["num_conversion_events"] == str(len(mine))
        assert values["num_unique_conversion_events"] == str(len({f for _, _, f in mine}))
        assert (ms(values["first_conversion_date"]), values["first_conversion_event_name"]) == mine[0][:2]
        assert (ms(values["recent_conversion_date"]), values["recent_conversion_event_name"]) == mine[-1][:2]
    assert converted > 100


def test_deals_agree_with_their_pipeline(portal) -> None:
    store = portal.store("deals")
    stages = {sid: (pid, prob, closed) for pid, _, sts in DEAL_PIPELINES for sid, _, prob, closed in sts}
    seen = Counter()
    for i in range(len(store)):
        stage, pipeline = store.text(i, "dealstage"), store.text(i, "pipeline")
        pid, prob, closed = stages[stage]
        assert pipeline == pid
        won = stage in WON_STAGES
        assert store.text(i, "hs_is_closed_won") == str(won).lower()
        assert store.text(i, "hs_is_closed") == str(closed).lower()
        assert store.text(i, "hs_is_closed_lost") == str(closed and not won).lower()
        assert store.text(i, "hs_deal_stage_probability") == prob
        amount = store.text(i, "amount")
        closed_amount = store.text(i, "hs_closed_amount")
        assert closed_amount == (amount if won else (None if amount is None else "0"))
        created, modified, close = (
            ms(store.text(i, n)) for n in ("createdate", "hs_lastmodifieddate", "closedate")
        )
        assert created <= modified
        if closed:
            assert close is not None and created <= close <= modified
            days = store.text(i, "days_to_close")
            assert days == str((close - created) // 86_400_000)
        elif close is not None:
            assert close > modified  # open deals expect to close later
        assert (store.text(i, "hs_closed_won_date") is not None) == won
        seen[pipeline] += 1
    assert len(seen) == len(DEAL_PIPELINES) and not math.isnan(sum(seen.values()))
