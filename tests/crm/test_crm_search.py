"""hub.search and since=: filters checked against the sandbox's own values, past the 10,000 cap."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pytest
import requests
from helpers import make_hub

from hubspot_nb.errors import InvalidInput
from hubspot_nb.hub import Hub
from hubspot_nb.sandbox import Sandbox


@pytest.fixture
def hub(sandbox: Sandbox, sandbox_token: dict[str, Any]) -> Hub:
    return make_hub(sandbox, sandbox_token)


def ids_where(sb: Sandbox, object_type: str, test: Any) -> list[str]:
    store = sb.portal.store(object_type)
    return [i for i in store.ids() if test(store.value, i)]


def test_readable_filters_match_the_data(hub: Hub, sandbox: Sandbox) -> None:
    frame = hub.search(
        "contacts",
        filters={"lifecyclestage": "lead", "createdate__gte": "2023-01-01", "phone__exists": True},
        properties=["lifecyclestage", "createdate", "phone"],
    )
    expected = ids_where(
        sandbox,
        "contacts",
        lambda value, i: (
            value(i, "lifecyclestage") == "lead"
            and (value(i, "createdate") or "") >= "2023-01-01"
            and bool(value(i, "phone"))
        ),
    )
    assert len(expected) > 5
    assert list(frame.index) == expected
    assert (frame["lifecyclestage"] == "lead").all()
    assert (frame["createdate"] >= pd.Timestamp("2023-01-01", tz="UTC")).all()


def test_or_groups_in_and_between(hub: Hub, sandbox: Sandbox) -> None:
    frame = hub.search(
        "deals",
        filters=[{"amount__between": (1000, 2000)}, {"dealstage__in": ["closedwon", "closedlost"]}],
        properties=["amount", "dealstage"],
    )

    def wanted(value: Any, i: str) -> bool:
        amount = value(i, "amount")
        in_range = amount is not None and 1000 <= float(amount) <= 2000
        return in_range or value(i, "dealstage") in ("closedwon", "closedlost")

    assert list(frame.index) == ids_where(sandbox, "deals", wanted)


def test_hubspot_filter_dicts_and_server_sort_with_limit(hub: Hub, sandbox: Sandbox) -> None:
    frame = hub.search(
        "deals",
        filters=[{"propertyName": "amount", "operator": "GT", "value": "0"}],
        properties=["amount"],
        sort="-amount",
        limit=15,
    )
    store = sandbox.portal.store("deals")
    amounts = sorted(
        (float(store.value(i, "amount")) for i in store.ids() if store.value(i, "amount")), reverse=True
    )
    assert [float(v) for v in frame["amount"]] == amounts[:15]


def test_bad_filters_are_explained(hub: Hub) -> None:
    with pytest.raises(InvalidInput, match="__gte"):
        hub.search("contacts", filters={"createdate__after": "2024-01-01"})
    with pytest.raises(InvalidInput, match="'lifecyclestage'"):
        hub.search("contacts", filters={"lifecyclestag": "lead"})


def test_empty_result_keeps_columns(hub: Hub) -> None:
    frame = hub.search(
        "contacts", filters={"email": "nobody@nowhere.invalid"}, properties=["email", "createdate"]
    )
    assert frame.empty and {"email", "createdate", "updatedAt"} <= set(frame.columns)
    assert str(frame["createdate"].dtype) == "datetime64[ns, UTC]"


@pytest.mark.slow
def test_search_and_pull_past_10000_lose_and_repeat_nothing(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(contacts=12_000, companies=50, deals=50, tickets=10, custom_properties=10)
    hub = make_hub(sb)
    expected = sb.portal.store("contacts").ids()
    assert len(expected) > 10_000
    found = hub.search("contacts", filters={"createdate__gte": "1990-01-01"}, properties=["email"])
    assert found.index.is_unique
    assert list(found.index) == expected
    pulled = hub.contacts()
    assert list(pulled.index) == expected
    stats = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert stats["responses"].get("400", 0) == 0  # never asked HubSpot for a page past the cap


def test_since_returns_exactly_the_touched_records(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(contacts=800)
    hub = make_hub(sb)
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    time.sleep(0.01)
    touched = requests.post(
        f"{sb.base_url}/_sandbox/touch", json={"object_type": "contacts", "fraction": 0.02}, timeout=10
    ).json()["ids"]
    assert len(touched) >= 10
    frame = hub.contacts(since=before, properties=["email", "hs_lead_status"])
    assert sorted(frame.index, key=int) == sorted(touched, key=int)
    assert (frame["updatedAt"] >= pd.Timestamp(before)).all()
    # Nothing changed since: no rows, but the same columns and dtypes as a pull that found some.
    default = hub.contacts(since=before)
    nothing = hub.contacts(since=datetime.now(timezone.utc) + timedelta(days=1))
    assert len(nothing) == 0 and "email" in nothing.columns
    assert nothing.dtypes.to_dict() == default.dtypes.to_dict()
    with pytest.raises(InvalidInput, match="archived"):
        hub.contacts(since=before, archived=True)
