"""``hnb.analysis``: the weekly marketing analyses, checked on a sandbox pull (whose properties agree
with each other, so every number has a direct computation to equal) and on small hand-made frames
with the older ``hs_lifecyclestage_*_date`` family, as older portals and exports have it."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import make_hub

import hubspot_nb as hnb
from hubspot_nb import analysis
from hubspot_nb.auth.token import Token

STAGES = list(analysis.DEFAULT_STAGES)
DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def pulled(sandbox) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    hub = make_hub(sandbox)
    props = analysis.funnel_properties(hub.properties("contacts"))
    wanted = [
        *props,
        *analysis.OLD_FUNNEL_PROPERTIES,
        *analysis.REVENUE_PROPERTIES,
        *analysis.EMAIL_PROPERTIES,
    ]
    contacts = hub.contacts(properties=sorted(set(wanted)))
    deals = hub.deals(properties=analysis.DEAL_PROPERTIES, associations=["contacts"])
    links = hub.associations("deals", "contacts")
    return contacts, deals, links


def ts(day: str | None) -> pd.Timestamp:
    return pd.NaT if day is None else pd.Timestamp(day, tz="UTC")


# -- the lifecycle funnel ------------------------------------------------------------------------------
def test_funnel_on_the_sandbox_equals_direct_counts_and_medians(pulled) -> None:
    contacts = pulled[0]
    funnel = analysis.lifecycle_funnel(contacts)
    assert list(funnel.index) == STAGES
    assert list(funnel.columns) == ["reached", "from_previous", "conversion", "median_days"]
    for k, stage in enumerate(STAGES):
        entered = contacts[f"hs_v2_date_entered_{stage}"]
        assert funnel.loc[stage, "reached"] == entered.notna().sum()
        if not k:
            assert pd.isna(funnel.loc[stage, "from_previous"]) and pd.isna(funnel.loc[stage, "median_days"])
            continue
        before = contacts[f"hs_v2_date_entered_{STAGES[k - 1]}"]
        both = entered.notna() & before.notna()
        assert funnel.loc[stage, "from_previous"] == both.sum() > 0
        assert funnel.loc[stage, "conversion"] == pytest.approx(both.sum() / before.notna().sum())
        gaps = sorted(((entered[both] - before[both]) / DAY).tolist())
        middle = len(gaps) // 2
        median = gaps[middle] if len(gaps) % 2 else (gaps[middle - 1] + gaps[middle]) / 2
        assert funnel.loc[stage, "median_days"] == pytest.approx(median)
        assert funnel.loc[stage, "median_days"] > 0  # the sandbox's stages follow one another in time
    # funnel stages past lead are only ever reached through the one before (the sandbox walks the funnel)
    assert (funnel["from_previous"].iloc[2:] <= funnel["reached"].iloc[1:-1].to_numpy()).all()


def test_funnel_reads_the_older_stage_date_family_alike(pulled) -> None:
    contacts = pulled[0]
    v2 = analysis.lifecycle_funnel(contacts)
    older_only = contacts.drop(columns=analysis.FUNNEL_PROPERTIES)
    pd.testing.assert_frame_equal(analysis.lifecycle_funnel(older_only), v2)  # the families agree


def test_funnel_on_a_hand_made_frame_with_the_older_family() -> None:
    contacts = pd.DataFrame(
        {
            "hs_lifecyclestage_subscriber_date": [ts("2024-01-01"), ts("2024-01-01"), None, ts("2024-02-01")],
            "hs_lifecyclestage_lead_date": [ts("2024-01-11"), ts("2024-01-05"), ts("2024-03-01"), None],
            "hs_lifecyclestage_customer_date": [ts("2024-02-10"), None, ts("2024-03-31"), None],
        },
        index=pd.Index(["1", "2", "3", "4"], dtype="string"),
    )
    funnel = analysis.lifecycle_funnel(contacts, stages=["subscriber", "lead", "customer"])
    assert funnel["reached"].tolist() == [3, 3, 2]
    assert funnel["from_previous"].tolist()[1:] == [2, 2]
    assert funnel["conversion"].tolist()[1:] == [pytest.approx(2 / 3), pytest.approx(2 / 3)]
    assert funnel["median_days"].tolist()[1:] == [7.0, 30.0]  # (10, 4) days; (30, 30) days


def test_funnel_names_the_properties_to_pull_when_they_are_missing(pulled) -> None:
    contacts = pulled[0].drop(
        columns=["hs_v2_date_entered_opportunity", "hs_lifecyclestage_opportunity_date"]
    )
    with pytest.raises(hnb.InvalidInput, match=r"hs_v2_date_entered_opportunity \(or the older") as err:
        analysis.lifecycle_funnel(contacts)
    assert "hub.contacts(properties=[" in str(err.value) and "funnel_properties" in str(err.value)
    with pytest.raises(hnb.InvalidInput, match="stages= is empty"):
        analysis.lifecycle_funnel(pulled[0], stages=[])


def test_funnel_properties_pick_the_family_the_portal_has(sandbox) -> None:
    catalogue = make_hub(sandbox).properties("contacts")
    assert analysis.funnel_properties(catalogue) == analysis.FUNNEL_PROPERTIES
    older = pd.DataFrame({"name": [*analysis.OLD_FUNNEL_PROPERTIES, "email"]})
    assert analysis.funnel_properties(older) == analysis.OLD_FUNNEL_PROPERTIES
    with pytest.raises(hnb.InvalidInput, match="neither hs_v2_date_entered_customer nor"):
        analysis.funnel_properties(older[older["name"] != "hs_lifecyclestage_customer_date"])


# -- new contacts by source ----------------------------------------------------------------------------
def test_new_contacts_by_source_counts_every_contact_once(pulled) -> None:
    contacts = pulled[0]
    table = analysis.new_contacts_by_source(contacts)
    assert table.to_numpy().sum() == contacts["createdate"].notna().sum() == len(contacts)
    totals = table.sum()
    assert list(totals) == sorted(totals, reverse=True)  # largest source first
    sources = contacts["hs_analytics_source"].astype("string").fillna(analysis.NO_SOURCE)
    months = contacts["createdate"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M")
    direct = pd.crosstab(months, sources)
    for month, row in direct.iterrows():
        got = table.loc[pd.Timestamp(month.start_time, tz="UTC")]
        assert {s: got[s] for s in row.index} == row.to_dict(), month
    assert analysis.NO_SOURCE in table.columns  # the sandbox leaves a few sources unset, as portals do


def test_new_contacts_by_source_on_a_hand_made_frame() -> None:
    contacts = pd.DataFrame(
        {
            "createdate": [ts("2024-01-03"), ts("2024-01-20"), ts("2024-03-01"), ts("2024-01-31")],
            "hs_analytics_source": pd.Categorical(["ORGANIC_SEARCH", "OFFLINE", "ORGANIC_SEARCH", None]),
        }
    )
    table = analysis.new_contacts_by_source(contacts)
    assert table.columns[0] == "ORGANIC_SEARCH" and set(table.columns) == {
        "ORGANIC_SEARCH",
        "OFFLINE",
        "(no source)",
    }
    assert table.index.tolist() == [ts("2024-01-01"), ts("2024-02-01"), ts("2024-03-01")]
    assert table.loc[ts("2024-01-01")].to_dict() == {"ORGANIC_SEARCH": 1, "OFFLINE": 1, "(no source)": 1}
    assert table.loc[ts("2024-02-01")].sum() == 0  # an empty month keeps its row
    with pytest.raises(hnb.InvalidInput, match=r"hs_analytics_source.*SOURCE_PROPERTIES"):
        analysis.new_contacts_by_source(contacts.drop(columns="hs_analytics_source"))


# -- source to revenue -----------------------------------------------------------------------------
def _won_revenue_of_deals_with_contacts(contacts: pd.DataFrame, deals: pd.DataFrame) -> float:
    known = set(contacts.index)
    has_contact = deals["contacts"].map(lambda ids: any(i in known for i in ids))
    won = deals["hs_is_closed_won"].fillna(False).astype(bool) & has_contact
    return float(deals.loc[won, "amount"].fillna(0).sum())


def test_source_to_revenue_adds_up_and_follows_the_earliest_contact(pulled) -> None:
    contacts, deals, links = pulled
    table = analysis.source_to_revenue(contacts, deals)
    assert table["won_revenue"].sum() == pytest.approx(_won_revenue_of_deals_with_contacts(contacts, deals))
    assert table["won_revenue"].sum() > 0 and table["contacts"].sum() == len(contacts)
    assert table["converted"].sum() == contacts["first_conversion_event_name"].notna().sum()
    # each deal counted once, for its earliest-created contact's original source
    source = contacts["hs_analytics_source"].astype("string").fillna(analysis.NO_SOURCE)
    expected: dict[str, list[float]] = {}
    for ids, won, amount in zip(deals["contacts"], deals["hs_is_closed_won"], deals["amount"], strict=True):
        ids = [i for i in ids if i in contacts.index]
        if ids:
            first = min(ids, key=lambda i: (contacts.loc[i, "createdate"], i))
            row = expected.setdefault(source[first], [0, 0, 0.0])
            row[0] += 1
            row[1] += bool(won)
            row[2] += float(amount) if won and pd.notna(amount) else 0.0
    for name, (n, n_won, revenue) in expected.items():
        assert (table.loc[name, "deals"], table.loc[name, "won_deals"]) == (n, n_won), name
        assert table.loc[name, "won_revenue"] == pytest.approx(revenue), name
    # the associations table (either direction) gives the same answer as the deals' contacts column
    plain = deals.drop(columns="contacts")
    pd.testing.assert_frame_equal(analysis.source_to_revenue(contacts, plain, links), table)
    backwards = links.rename(columns={"from_id": "to_id", "to_id": "from_id"})
    pd.testing.assert_frame_equal(analysis.source_to_revenue(contacts, plain, backwards), table)
    by_form = analysis.source_to_revenue(contacts, deals, by="first_conversion_event_name")
    assert analysis.NO_FORM in by_form.index and by_form["won_revenue"].sum() == pytest.approx(
        table["won_revenue"].sum()
    )


def test_source_to_revenue_on_a_hand_made_frame() -> None:
    contacts = pd.DataFrame(
        {
            "createdate": [ts("2024-01-01"), ts("2024-02-01"), ts("2024-03-01")],
            "hs_analytics_source": ["PAID_SEARCH", "ORGANIC_SEARCH", None],
            "first_conversion_event_name": ["Demo request", None, "Demo request"],
        },
        index=pd.Index(["11", "12", "13"], dtype="string"),
    )
    deals = pd.DataFrame(
        {"amount": [1000.0, 500.0, 250.0], "hs_is_closed_won": pd.array([True, False, True], dtype="boolean"),
         "contacts": [["12", "11"], ["12"], ["13", "99"]]},
        index=pd.Index(["d1", "d2", "d3"], dtype="string"),
    )  # fmt: skip
    table = analysis.source_to_revenue(contacts, deals)
    assert table.loc["PAID_SEARCH", ["deals", "won_deals", "won_revenue"]].tolist() == [
        1,
        1,
        1000.0,
    ]  # 11 < 12
    assert table.loc["ORGANIC_SEARCH", ["deals", "won_deals", "won_revenue"]].tolist() == [1, 0, 0.0]
    assert table.loc[analysis.NO_SOURCE, "won_revenue"] == 250.0  # contact 99 is not in the pull
    assert table.loc["PAID_SEARCH", "conversion"] == 1.0 and table.loc["ORGANIC_SEARCH", "conversion"] == 0.0
    by_form = analysis.source_to_revenue(contacts, deals, by="first_conversion_event_name")
    assert (
        by_form.loc["Demo request", "won_revenue"] == 1250.0 and by_form.loc["(no conversion)", "deals"] == 1
    )
    with pytest.raises(hnb.InvalidInput, match=r'associations=hub\.associations\("deals", "contacts"\)'):
        analysis.source_to_revenue(contacts, deals.drop(columns="contacts"))
    with pytest.raises(hnb.InvalidInput, match=r"first_conversion_event_name.*REVENUE_PROPERTIES"):
        analysis.source_to_revenue(contacts.drop(columns="first_conversion_event_name"), deals)
    with pytest.raises(hnb.InvalidInput, match=r"hs_is_closed_won.*DEAL_PROPERTIES"):
        analysis.source_to_revenue(contacts, deals.drop(columns="hs_is_closed_won"))


# -- email engagement by source ------------------------------------------------------------------------
def test_email_engagement_by_source_sums_the_rollups(pulled) -> None:
    contacts = pulled[0]
    table = analysis.email_engagement_by_source(contacts)
    source = contacts["hs_analytics_source"].astype("string").fillna(analysis.NO_SOURCE)
    for name, group in contacts.groupby(source):
        row = table.loc[name]
        delivered = group["hs_email_delivered"].fillna(0).sum()
        assert row["contacts"] == len(group) and row["delivered"] == delivered
        assert row["emailed"] == (group["hs_email_delivered"].fillna(0) > 0).sum()
        assert row["opened"] == group["hs_email_open"].fillna(0).sum()
        assert row["clicked"] == group["hs_email_click"].fillna(0).sum()
        assert row["open_rate"] == pytest.approx(row["opened"] / delivered)
        assert row["opted_out"] == pytest.approx(group["hs_email_optout"].fillna(False).mean())
    assert 0 < table["click_rate"].max() < table["open_rate"].max() < 1
    with pytest.raises(hnb.InvalidInput, match=r"hs_email_open, hs_email_click.*EMAIL_PROPERTIES"):
        analysis.email_engagement_by_source(contacts.drop(columns=["hs_email_open", "hs_email_click"]))


def test_email_engagement_on_a_hand_made_frame() -> None:
    contacts = pd.DataFrame(
        {
            "hs_analytics_source": ["EMAIL_MARKETING", "EMAIL_MARKETING", "OFFLINE"],
            "hs_email_delivered": pd.array([10, None, 4], dtype="Int64"),
            "hs_email_open": pd.array([5, None, 0], dtype="Int64"),
            "hs_email_click": pd.array([1, None, 0], dtype="Int64"),
            "hs_email_bounce": pd.array([0, 1, 0], dtype="Int64"),
            "hs_email_optout": pd.array([False, True, None], dtype="boolean"),
        }
    )
    table = analysis.email_engagement_by_source(contacts)
    row = table.loc["EMAIL_MARKETING"]
    assert row[["contacts", "emailed", "delivered", "opened", "clicked", "bounced"]].tolist() == [
        2,
        1,
        10,
        5,
        1,
        1,
    ]
    assert (row["open_rate"], row["click_rate"], row["click_to_open"], row["opted_out"]) == (
        0.5,
        0.1,
        0.2,
        0.5,
    )
    assert pd.isna(table.loc["OFFLINE", "click_to_open"])  # nothing opened: no ratio, not a division error


# -- which portal a hub talks to -------------------------------------------------------------------
def test_where_says_sandbox_for_a_loopback_api_and_the_portal_otherwise(sandbox) -> None:
    hub = make_hub(sandbox)  # no sandbox object attached: only the loopback address tells
    assert hub.sandbox is None and hub.is_sandbox
    assert hub.where == f"Sandbox at {sandbox.base_url} (no HubSpot account used)"
    for base in ("http://localhost:8000", "http://[::1]:9000/", "http://127.0.0.2"):
        assert hnb.Hub(api_base=base).is_sandbox, base
    token = Token.from_response({"access_token": "not-a-real-token"})
    info = hnb.PortalInfo(hub_id=4242, hub_domain="acme.example.com")
    real = hnb.Hub(token, api_base="https://api.hubapi.com", info=info)
    assert not real.is_sandbox and real.where == "HubSpot portal acme.example.com (hub id 4242)"
    assert not hnb.Hub(api_base="https://127.0.0.1.example.com").is_sandbox
    pending = hnb.Hub(api_base="https://api.hubapi.com")
    assert "not logged in yet" in pending.where and "Sandbox" not in pending.where
    unknown = hnb.Hub(token, api_base="https://api.hubapi.com")
    assert "unknown hub id" in unknown.where


def test_where_for_a_login_to_the_embedded_sandbox() -> None:
    hub = hnb.login(sandbox=True, auto_approve=True, cache=False)
    assert hub.sandbox is not None and hub.where.startswith("Sandbox at http://127.0.0.1:")
