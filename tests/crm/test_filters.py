"""Readable filters → HubSpot filterGroups (pure functions, no server needed)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from hubspot_nb.crm.filters import epoch_ms, filter_groups, sorts, with_filter
from hubspot_nb.errors import InvalidInput

KNOWN = {
    "lifecyclestage": "enumeration",
    "createdate": "datetime",
    "closedate": "date",
    "amount": "number",
    "hs_lead_status": "enumeration",
    "phone": "string",
    "hs_object_id": "number",
}


def test_readable_dict_is_one_group_with_converted_values() -> None:
    groups = filter_groups(
        {
            "lifecyclestage": "lead",
            "createdate__gte": "2025-01-01",
            "amount__between": (1, 5),
            "hs_lead_status__in": ["NEW", "OPEN"],
            "phone__exists": True,
        },
        KNOWN,
    )
    assert groups == [
        {
            "filters": [
                {"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"},
                {"propertyName": "createdate", "operator": "GTE", "value": "1735689600000"},
                {"propertyName": "amount", "operator": "BETWEEN", "value": "1", "highValue": "5"},
                {"propertyName": "hs_lead_status", "operator": "IN", "values": ["NEW", "OPEN"]},
                {"propertyName": "phone", "operator": "HAS_PROPERTY"},
            ]
        }
    ]


def test_list_of_dicts_is_or_of_groups_and_exists_false() -> None:
    groups = filter_groups([{"lifecyclestage": "lead"}, {"phone__exists": False}], KNOWN)
    assert len(groups) == 2
    assert groups[1]["filters"] == [{"propertyName": "phone", "operator": "NOT_HAS_PROPERTY"}]


def test_hubspot_shapes_pass_through() -> None:
    f = {"propertyName": "amount", "operator": "gt", "value": 10}
    expected = [{"filters": [{"propertyName": "amount", "operator": "GT", "value": "10"}]}]
    assert filter_groups(f, KNOWN) == expected
    assert filter_groups([f], KNOWN) == expected
    assert filter_groups({"filterGroups": [{"filters": [f]}]}, KNOWN) == expected
    assert filter_groups([{"filters": [f]}], KNOWN) == expected


def test_dates_and_datetimes_become_ms_epochs() -> None:
    assert epoch_ms(date(2025, 1, 1)) == 1735689600000
    assert epoch_ms(datetime(2025, 1, 1, 12, tzinfo=timezone.utc)) == 1735732800000
    assert epoch_ms("2025-01-01T12:00:00Z") == 1735732800000
    assert epoch_ms("1735732800000") == 1735732800000
    # a date property holds midnight UTC: a datetime is truncated to its day
    groups = filter_groups({"closedate__lt": datetime(2025, 1, 1, 15, 30)}, KNOWN)
    assert groups[0]["filters"][0]["value"] == "1735689600000"


def test_unknown_operator_lists_valid_ones() -> None:
    with pytest.raises(InvalidInput) as info:
        filter_groups({"amount__greater": 5}, KNOWN)
    assert "__gte" in str(info.value) and "__between" in str(info.value)
    with pytest.raises(InvalidInput, match="HAS_PROPERTY"):
        filter_groups({"propertyName": "amount", "operator": "BIGGER", "value": "1"}, KNOWN)


def test_unknown_property_suggests_close_matches() -> None:
    with pytest.raises(InvalidInput) as info:
        filter_groups({"lifecyclestag": "lead"}, KNOWN)
    assert "'lifecyclestage'" in str(info.value)


def test_bad_values_are_explained() -> None:
    with pytest.raises(InvalidInput, match="pair"):
        filter_groups({"amount__between": 5}, KNOWN)
    with pytest.raises(InvalidInput, match="list"):
        filter_groups({"hs_lead_status__in": "NEW"}, KNOWN)
    with pytest.raises(InvalidInput, match="not a date"):
        filter_groups({"createdate__gte": "yesterday-ish"}, KNOWN)


def test_limits_and_with_filter() -> None:
    with pytest.raises(InvalidInput, match="at most 5"):
        filter_groups([{"amount": i} for i in range(6)], KNOWN)
    extra = {"propertyName": "hs_object_id", "operator": "GT", "value": "7"}
    assert with_filter([], extra) == [{"filters": [extra]}]
    two = with_filter(filter_groups([{"amount": 1}, {"amount": 2}], KNOWN), extra)
    assert all(g["filters"][-1] == extra for g in two)


def test_sorts() -> None:
    assert sorts("-createdate", KNOWN) == [{"propertyName": "createdate", "direction": "DESCENDING"}]
    assert sorts(["amount", {"propertyName": "createdate"}], KNOWN)[1]["direction"] == "ASCENDING"
    with pytest.raises(InvalidInput):
        sorts("amout", KNOWN)
