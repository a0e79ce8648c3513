"""CRM search over real HTTP: every operator on every property type, sorts, text query, paging, the
10,000-result cap and HubSpot-style 400s. Expected results are computed from the portal's values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import pytest
import requests

from ..tools import bearer_session


def search(api, sb, object_type="contacts", **body) -> requests.Response:
    return api.post(f"{sb.base_url}/crm/v3/objects/{object_type}/search", json=body, timeout=30)


def search_all(api, sb, object_type="contacts", **body) -> tuple[list[str], int]:
    ids, after = [], None
    while True:
        reply = search(api, sb, object_type, **body, limit=200, **({"after": after} if after else {}))
        assert reply.status_code == 200, reply.text
        page = reply.json()
        ids += [r["id"] for r in page["results"]]
        if "paging" not in page:
            return ids, page["total"]
        after = page["paging"]["next"]["after"]


def one(name: str, op: str, **value) -> list[dict]:
    return [{"filters": [{"propertyName": name, "operator": op, **value}]}]


def expect(sb, object_type: str, name: str, test: Callable[[str | None], bool]) -> list[str]:
    store = sb.portal.store(object_type)
    return [i for i in store.ids() if test(store.value(i, name))]


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


CASES = [
    # (object type, property, operator, value fields, expected test on the stored string)
    ("contacts", "hs_analytics_num_page_views", "GT", {"value": "10"}, lambda v: v and float(v) > 10),
    ("contacts", "hs_analytics_num_page_views", "LTE", {"value": 3}, lambda v: v and float(v) <= 3),
    ("companies", "numberofemployees", "BETWEEN", {"value": "10", "highValue": "100"},
     lambda v: v and 10 <= float(v) <= 100),
    ("deals", "amount", "GTE", {"value": "12500.5"}, lambda v: v and float(v) >= 12500.5),
    ("contacts", "createdate", "GTE", {"value": str(ms("2024-01-01T00:00:00Z"))},
     lambda v: v and v >= "2024-01-01T00:00:00.000Z"),
    ("contacts", "createdate", "LT", {"value": "2023-06-01T12:00:00Z"},
     lambda v: v and v < "2023-06-01T12:00:00.000Z"),
    # a date-typed HubSpot property (date_of_birth is free text on HubSpot)
    ("contacts", "hs_job_change_detected_date", "LT", {"value": "2022-06-01"},
     lambda v: v and v < "2022-06-01"),
    ("contacts", "hs_job_change_detected_date", "GTE", {"value": str(ms("2024-01-01T00:00:00Z"))},
     lambda v: v and v >= "2024-01-01"),
    ("contacts", "hs_email_optout", "EQ", {"value": "true"}, lambda v: v == "true"),
    ("contacts", "hs_email_optout", "EQ", {"value": False}, lambda v: v == "false"),
    ("contacts", "lifecyclestage", "IN", {"values": ["customer", "LEAD"]},
     lambda v: v in ("customer", "lead")),
    ("contacts", "lifecyclestage", "NOT_IN", {"values": ["customer"]}, lambda v: v != "customer"),
    ("contacts", "lifecyclestage", "NEQ", {"value": "lead"}, lambda v: v != "lead"),
    ("contacts", "firstname", "EQ", {"value": "olivia"}, lambda v: v == "Olivia"),
    ("contacts", "email", "CONTAINS_TOKEN", {"value": "*@gmail.com"},
     lambda v: bool(v) and v.endswith("@gmail.com")),
    ("contacts", "email", "NOT_CONTAINS_TOKEN", {"value": "*@gmail.com"},
     lambda v: not (v and v.endswith("@gmail.com"))),
    ("tickets", "subject", "CONTAINS_TOKEN", {"value": "invoice"}, lambda v: bool(v) and "Invoice" in v),
    ("contacts", "phone", "HAS_PROPERTY", {}, lambda v: bool(v)),
    ("contacts", "jobtitle", "NOT_HAS_PROPERTY", {}, lambda v: not v),
    ("tickets", "hs_ticket_category", "EQ", {"value": "BILLING_ISSUE"},
     lambda v: bool(v) and "BILLING_ISSUE" in v.split(";")),
    ("tickets", "hs_ticket_category", "IN", {"values": ["FEATURE_REQUEST", "GENERAL_INQUIRY"]},
     lambda v: bool(v) and bool({"FEATURE_REQUEST", "GENERAL_INQUIRY"} & set(v.split(";")))),
    ("contacts", "account_tier_last_updated_at__c", "GT", {"value": "2025-01-01T00:00:00.000Z"},
     lambda v: v and v > "2025-01-01T00:00:00.000Z"),
    ("contacts", "account_tier_confirmed___for_the_account_team_", "EQ", {"value": "true"},
     lambda v: v == "true"),
    ("contacts", "account_tier_score__self_reported_on_signup_form_", "LT", {"value": "500"},
     lambda v: v and float(v) < 500),
    ("contacts", "hs_object_id", "GT", {"value": "1500"}, lambda v: int(v) > 1500),
]  # fmt: skip


@pytest.mark.parametrize(("object_type", "name", "op", "value", "test"), CASES, ids=lambda c: str(c)[:30])
def test_operator_on_property_type(api, sandbox, object_type, name, op, value, test) -> None:
    ids, total = search_all(api, sandbox, object_type, filterGroups=one(name, op, **value))
    wanted = expect(sandbox, object_type, name, test)
    assert wanted, "the case should match something"
    assert ids == wanted  # default order: by id ascending
    assert total == len(wanted)


def test_groups_or_and_filters_and(api, sandbox) -> None:
    groups = [
        {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"},
                     {"propertyName": "hs_email_optout", "operator": "EQ", "value": "false"}]},
        {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "evangelist"}]},
    ]  # fmt: skip
    ids, _ = search_all(api, sandbox, filterGroups=groups)
    store = sandbox.portal.store("contacts")
    wanted = [
        i for i in store.ids()
        if (store.value(i, "lifecyclestage") == "customer" and store.value(i, "hs_email_optout") == "false")
        or store.value(i, "lifecyclestage") == "evangelist"
    ]  # fmt: skip
    assert ids == wanted


def test_sorts_as_objects_and_strings_with_unset_last(api, sandbox) -> None:
    store = sandbox.portal.store("contacts")
    body = search(
        api, sandbox, sorts=[{"propertyName": "createdate", "direction": "DESCENDING"}], limit=5
    ).json()
    newest = sorted(store.ids(), key=lambda i: store.value(i, "createdate"), reverse=True)[:5]
    assert [r["id"] for r in body["results"]] == newest
    assert [r["id"] for r in search(api, sandbox, sorts=["-createdate"], limit=5).json()["results"]] == newest
    ids, _ = search_all(
        api, sandbox, sorts=["hs_analytics_num_page_views"], filterGroups=one("firstname", "HAS_PROPERTY")
    )
    views = [store.value(i, "hs_analytics_num_page_views") for i in ids]
    assert [float(v) for v in views] == sorted(float(v) for v in views)
    ids, _ = search_all(api, sandbox, sorts=["jobtitle"])
    titles = [store.value(i, "jobtitle") for i in ids]
    first_unset = next(k for k, t in enumerate(titles) if not t)
    assert all(not t for t in titles[first_unset:])
    assert [t.lower() for t in titles[:first_unset]] == sorted(t.lower() for t in titles[:first_unset])


@pytest.mark.parametrize("name", [["createdate"], {"a": 1}, 7, None])
def test_a_sort_whose_name_is_not_a_string_is_a_400(api, sandbox, name) -> None:
    reply = search(api, sandbox, sorts=[{"propertyName": name, "direction": "ASCENDING"}], limit=1)
    assert reply.status_code == 400 and "Cannot sort by" in reply.json()["message"]


def test_query_properties_and_total(api, sandbox) -> None:
    store = sandbox.portal.store("contacts")
    body = search(api, sandbox, query="gmail", properties=["email", "jobtitle"], limit=200).json()
    assert body["results"]
    for r in body["results"]:
        assert "gmail" in r["properties"]["email"]
        assert set(r["properties"]) == {"email", "jobtitle", "createdate", "lastmodifieddate", "hs_object_id"}
        assert "associations" not in r
    assert body["total"] == sum(1 for i in store.ids() if "gmail" in (store.value(i, "email") or ""))
    empty = search(api, sandbox).json()
    assert empty["total"] == len(store.ids()) and len(empty["results"]) == 10


def test_search_paging_is_complete_and_skips_archived(api, sandbox) -> None:
    ids, total = search_all(api, sandbox)
    store = sandbox.portal.store("contacts")
    assert ids == store.ids() and total == len(ids)
    assert not {store.id_of(i) for i in store.archived} & set(ids)


def test_ten_thousand_result_cap(api, sandbox) -> None:
    assert search(api, sandbox, after="9900", limit=100).status_code == 200
    capped = search(api, sandbox, after="9901", limit=100)
    assert capped.status_code == 400
    body = capped.json()
    assert body["category"] == "VALIDATION_ERROR" and "10,000" in body["message"]
    assert search(api, sandbox, after=10_000, limit=1).status_code == 400


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"filterGroups": one("no_such_prop", "EQ", value="x")}, "no_such_prop"),
        ({"filterGroups": one("email", "LIKE", value="x")}, "LIKE"),
        ({"filterGroups": one("hs_analytics_num_page_views", "GT", value="lots")}, "not a number"),
        ({"filterGroups": one("createdate", "GT", value="yesterday")}, "not a date"),
        ({"filterGroups": one("hs_email_optout", "EQ", value="maybe")}, "true or false"),
        ({"filterGroups": one("lifecyclestage", "IN", value="lead")}, "values"),
        ({"filterGroups": one("createdate", "BETWEEN", value="2024-01-01")}, "highValue"),
        ({"filterGroups": one("email", "EQ")}, "value is required"),
        ({"filterGroups": [{"filters": []}] * 6}, "filterGroups"),
        ({"filterGroups": [{"filters": one("email", "HAS_PROPERTY")[0]["filters"] * 11}]}, "per group"),
        ({"filterGroups": [{"filters": one("email", "HAS_PROPERTY")[0]["filters"] * 9}] * 3}, "25"),
        ({"limit": 201}, "limit"),
        ({"after": "-5"}, "after"),
        ({"sorts": [{"propertyName": "nope"}]}, "nope"),
        ({"sorts": [{"propertyName": "email", "direction": "UP"}]}, "direction"),
    ],
)
def test_bad_search_input_is_a_clear_400(api, sandbox, body, words) -> None:
    reply = search(api, sandbox, **body)
    assert reply.status_code == 400, reply.text
    err = reply.json()
    assert err["status"] == "error" and err["category"] == "VALIDATION_ERROR" and err["correlationId"]
    assert words in err["message"]


def test_search_cache_sees_touched_records(fresh_sandbox) -> None:
    sb = fresh_sandbox(contacts=100)
    token = sb.oauth_token()["access_token"]
    api = bearer_session(token)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"filterGroups": one("lastmodifieddate", "GTE", value=now)}
    assert search(api, sb, **body).json()["total"] == 0
    touched = api.post(f"{sb.base_url}/_sandbox/touch", json={"fraction": 0.1}).json()["ids"]
    assert search(api, sb, **body, limit=100).json()["total"] == len(touched)


def test_two_sandboxes_in_one_process_keep_their_own_matches(fresh_sandbox) -> None:
    # Same seed, same object type, same store version, same query: only the store differs.
    small, large = fresh_sandbox(contacts=50), fresh_sandbox(contacts=300)
    body = {"filterGroups": one("email", "HAS_PROPERTY"), "limit": 200}
    for sb in (small, large, small):
        api = bearer_session(sb.oauth_token()["access_token"])
        reply = search(api, sb, **body)
        assert reply.status_code == 200, reply.text
        found = reply.json()
        assert found["total"] == len(expect(sb, "contacts", "email", lambda v: v not in (None, "")))
        assert {r["id"] for r in found["results"]} <= set(sb.portal.store("contacts").ids())
        api.close()
