"""CRM v3/v4 routes over real HTTP: paging, archived, properties, history, associations, batch read,
the property catalogue, owners, pipelines, scopes, touch and HubSpot-shaped errors."""

from __future__ import annotations

import base64

import pytest
import requests

from hubspot_nb.sandbox import Sandbox

from ..tools import bearer_session


def get(api: requests.Session, sb: Sandbox, path: str, **params) -> requests.Response:
    return api.get(sb.base_url + path, params=params, timeout=30)


def walk(api: requests.Session, sb: Sandbox, path: str, **params) -> list[dict]:
    records, after, pages = [], None, 0
    while True:
        reply = get(api, sb, path, **params, **({"after": after} if after else {}))
        assert reply.status_code == 200, reply.text
        body = reply.json()
        records += body["results"]
        pages += 1
        if "paging" not in body:
            return records
        after = body["paging"]["next"]["after"]
        assert body["paging"]["next"]["link"].startswith(sb.base_url)
        assert pages < 1000


@pytest.mark.parametrize("object_type", ["contacts", "companies", "0-3", "tickets"])
def test_paging_walks_every_record_exactly_once(api, sandbox, object_type) -> None:
    records = walk(api, sandbox, f"/crm/v3/objects/{object_type}", limit=100)
    store = sandbox.portal.store(object_type)
    assert [r["id"] for r in records] == store.ids()
    for r in records:
        assert set(r) >= {"id", "properties", "createdAt", "updatedAt", "archived"}
        assert r["archived"] is False and "archivedAt" not in r


def test_list_defaults_and_cursor_are_hubspot_like(api, sandbox) -> None:
    body = get(api, sandbox, "/crm/v3/objects/contacts").json()
    assert len(body["results"]) == 10
    assert set(body["results"][0]["properties"]) == {
        "createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"
    }  # fmt: skip
    after = body["paging"]["next"]["after"]
    assert not after.isdigit()  # opaque, not an offset a client could compute
    following = get(api, sandbox, "/crm/v3/objects/contacts", after=after).json()
    assert base64.b64decode(after).decode().strip() == following["results"][0]["id"]
    assert int(following["results"][0]["id"]) > int(body["results"][-1]["id"])
    assert get(api, sandbox, "/crm/v3/objects/contacts", limit=100).status_code == 200
    too_many = get(api, sandbox, "/crm/v3/objects/contacts", limit=101)
    assert too_many.status_code == 400 and too_many.json()["category"] == "VALIDATION_ERROR"
    assert "limit" in too_many.json()["message"]
    bad = get(api, sandbox, "/crm/v3/objects/contacts", after="not a cursor!")
    assert bad.status_code == 400 and "paging.next.after" in bad.json()["message"]


@pytest.mark.parametrize("style", ["id", "plain", "issued", "opaque"])
def test_list_cursor_styles_walk_every_record_and_refuse_what_they_must(fresh_sandbox, style) -> None:
    sb = fresh_sandbox(contacts=250, list_cursor=style)
    api = bearer_session(sb.oauth_token()["access_token"])
    records = walk(api, sb, "/crm/v3/objects/contacts", limit=100)
    assert [r["id"] for r in records] == sb.portal.store("contacts").ids()
    after = get(api, sb, "/crm/v3/objects/contacts", limit=100).json()["paging"]["next"]["after"]
    assert after.isdigit() == (style == "plain")
    # A cursor written by the client for some id in the middle: HubSpot's spellings accept it,
    # "issued" and "opaque" refuse it with HubSpot's 400.
    middle = int(records[150]["id"])
    written = str(middle) if style == "plain" else base64.b64encode(f"{middle}\n".encode()).decode()
    reply = get(api, sb, "/crm/v3/objects/contacts", limit=5, after=written)
    if style in ("id", "plain"):
        assert reply.status_code == 200 and reply.json()["results"][0]["id"] == str(middle)
    else:
        assert reply.status_code == 400 and "paging.next.after" in reply.json()["message"]


def test_list_cursor_knob_is_checked(fresh_sandbox) -> None:
    sb = fresh_sandbox(contacts=20)
    reply = requests.post(f"{sb.base_url}/_sandbox/config", json={"list_cursor": "rot13"}, timeout=10)
    assert reply.status_code == 400 and "list_cursor must be one of" in reply.text


def test_archived_lists_only_archived_records(api, sandbox) -> None:
    records = walk(api, sandbox, "/crm/v3/objects/contacts", archived="true", limit=2)
    store = sandbox.portal.store("contacts")
    assert sorted(int(r["id"]) for r in records) == sorted(int(store.id_of(i)) for i in store.archived)
    assert all(r["archived"] is True and r["archivedAt"] >= r["updatedAt"] for r in records)


def test_requested_properties_unknown_ignored_and_repeated_params(api, sandbox) -> None:
    body = get(
        api, sandbox, "/crm/v3/objects/deals", properties="dealname,amount,no_such_thing", limit=3
    ).json()
    props = body["results"][0]["properties"]
    assert set(props) == {"dealname", "amount", "createdate", "hs_lastmodifieddate", "hs_object_id"}
    reply = api.get(
        f"{sandbox.base_url}/crm/v3/objects/deals?properties=dealname&properties=pipeline", timeout=30
    )
    assert {"dealname", "pipeline"} <= set(reply.json()["results"][0]["properties"])


def test_all_properties_in_the_url_and_414_past_the_limit(api, sandbox) -> None:
    names = [p["name"] for p in get(api, sandbox, "/crm/v3/properties/contacts").json()["results"]]
    assert len(names) > 330
    first = names[:200]
    reply = get(api, sandbox, "/crm/v3/objects/contacts", properties=",".join(first), limit=5)
    assert reply.status_code == 200
    always = {"createdate", "lastmodifieddate", "hs_object_id"}  # sent whatever is asked for
    assert set(reply.json()["results"][0]["properties"]) == set(first) | always
    long = ",".join(names * 4)  # ~40k characters of URL
    too_long = get(api, sandbox, "/crm/v3/objects/contacts", properties=long)
    assert too_long.status_code == 414
    assert too_long.json()["status"] == "error"


def test_properties_with_history_cap_the_page_at_50(api, sandbox) -> None:
    assert (
        get(api, sandbox, "/crm/v3/objects/contacts", propertiesWithHistory="email", limit=51).status_code
        == 400
    )
    body = get(
        api, sandbox, "/crm/v3/objects/contacts", propertiesWithHistory="lifecyclestage,email",
        properties="lifecyclestage,email", limit=50,
    ).json()  # fmt: skip
    assert len(body["results"]) == 50
    seen_older = False
    for r in body["results"]:
        history = r["propertiesWithHistory"]
        assert set(history) == {"lifecyclestage", "email"}
        for name, versions in history.items():
            current = r["properties"][name]
            assert (versions[0]["value"] if versions else None) == current
            for v in versions:
                assert {"value", "timestamp", "sourceType"} <= set(v)
            timestamps = [v["timestamp"] for v in versions]
            assert timestamps == sorted(timestamps, reverse=True)
            seen_older |= len(versions) > 1
    assert seen_older


def test_associations_on_list_and_v4(api, sandbox) -> None:
    body = get(
        api, sandbox, "/crm/v3/objects/contacts", associations="companies,deals,widgets", limit=100
    ).json()
    with_company = [r for r in body["results"] if "companies" in r.get("associations", {})]
    assert with_company
    r = with_company[0]
    types = {a["type"] for a in r["associations"]["companies"]["results"]}
    assert "contact_to_company_unlabeled" in types
    primary = [
        a["id"] for a in r["associations"]["companies"]["results"] if a["type"] == "contact_to_company"
    ]
    assert len(primary) <= 1
    v4 = get(api, sandbox, f"/crm/v4/objects/contacts/{r['id']}/associations/companies").json()
    assert {str(x["toObjectId"]) for x in v4["results"]} == {
        a["id"] for a in r["associations"]["companies"]["results"]
    }
    for x in v4["results"]:
        assert isinstance(x["toObjectId"], int)
        for t in x["associationTypes"]:
            assert t["category"] == "HUBSPOT_DEFINED" and isinstance(t["typeId"], int)
    if primary:
        labels = [t["label"] for x in v4["results"] for t in x["associationTypes"]]
        assert "Primary" in labels and None in labels
    company = primary[0] if primary else r["associations"]["companies"]["results"][0]["id"]
    back = get(api, sandbox, f"/crm/v4/objects/companies/{company}/associations/contacts").json()
    assert int(r["id"]) in {x["toObjectId"] for x in back["results"]}


def test_v4_batch_read_associations(api, sandbox) -> None:
    ids = sandbox.portal.store("deals").ids()[:30]
    url = f"{sandbox.base_url}/crm/v4/associations/deals/companies/batch/read"
    reply = api.post(url, json={"inputs": [{"id": i} for i in ids]}, timeout=30)
    assert reply.status_code in (200, 207)
    body = reply.json()
    assert body["status"] == "COMPLETE" and body["results"]
    for item in body["results"]:
        assert item["from"]["id"] in ids and item["to"][0]["associationTypes"]
    answered = {item["from"]["id"] for item in body["results"]}
    unanswered = {e["context"]["fromObjectId"][0] for e in body.get("errors", [])}
    assert answered | unanswered == set(ids)
    too_many = api.post(url, json={"inputs": [{"id": str(n)} for n in range(1001)]}, timeout=30)
    assert too_many.status_code == 400


def test_single_record_get_id_property_and_404(api, sandbox) -> None:
    store = sandbox.portal.store("contacts")
    rid = store.ids()[3]
    one = get(api, sandbox, f"/crm/v3/objects/contacts/{rid}", properties="email").json()
    assert one["id"] == rid
    email = one["properties"]["email"]
    if email:
        by_email = get(api, sandbox, f"/crm/v3/objects/contacts/{email}", idProperty="email").json()
        assert by_email["id"] == rid
    missing = get(api, sandbox, "/crm/v3/objects/contacts/424242424242")
    assert missing.status_code == 404 and missing.json()["category"] == "OBJECT_NOT_FOUND"
    bad_prop = get(api, sandbox, f"/crm/v3/objects/contacts/{rid}", idProperty="firstname")
    assert bad_prop.status_code == 400 and "unique" in bad_prop.json()["message"]
    archived = store.id_of(min(store.archived))
    assert get(api, sandbox, f"/crm/v3/objects/contacts/{archived}").status_code == 404
    assert (
        get(api, sandbox, f"/crm/v3/objects/contacts/{archived}", archived="true").json()["archived"] is True
    )


def test_batch_read_200_207_and_input_cap(api, sandbox) -> None:
    url = f"{sandbox.base_url}/crm/v3/objects/companies/batch/read"
    ids = sandbox.portal.store("companies").ids()[:5]
    ok = api.post(url, json={"inputs": [{"id": i} for i in ids], "properties": ["name"]}, timeout=30)
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "COMPLETE" and [r["id"] for r in body["results"]] == ids
    assert body["startedAt"] <= body["completedAt"] and "errors" not in body
    partial = api.post(url, json={"inputs": [{"id": ids[0]}, {"id": "1"}, {"id": "2"}]}, timeout=30)
    assert partial.status_code == 207
    body = partial.json()
    assert [r["id"] for r in body["results"]] == [ids[0]]
    assert body["numErrors"] == 1 and body["errors"][0]["context"]["ids"] == ["1", "2"]
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    too_many = api.post(url, json={"inputs": [{"id": str(n)} for n in range(101)]}, timeout=30)
    assert too_many.status_code == 400 and "100" in too_many.json()["message"]
    malformed = api.post(url, data=b"{not json", timeout=30)
    assert malformed.status_code == 400


PROPERTY_FIELDS = [
    "name",
    "label",
    "type",
    "fieldType",
    "description",
    "groupName",
    "options",
    "displayOrder",
    "hidden",
    "hubspotDefined",
    "calculated",
    "formField",
    "hasUniqueValue",
    "modificationMetadata",
    "createdAt",
    "updatedAt",
    "archived",
]


def test_property_catalogue_and_groups(api, sandbox) -> None:
    body = get(api, sandbox, "/crm/v3/properties/deals").json()
    assert "paging" not in body
    by_name = {p["name"]: p for p in body["results"]}
    stage = by_name["dealstage"]
    assert stage["type"] == "enumeration" and stage["options"]
    assert {"label", "value", "displayOrder", "hidden"} <= set(stage["options"][0])
    for p in body["results"]:
        assert set(PROPERTY_FIELDS) <= set(p)
    groups = {g["name"] for g in get(api, sandbox, "/crm/v3/properties/deals/groups").json()["results"]}
    assert {p["groupName"] for p in body["results"]} <= groups
    archived = get(api, sandbox, "/crm/v3/properties/deals", archived="true").json()["results"]
    assert archived and all(p["archived"] for p in archived)
    assert get(api, sandbox, "/crm/v3/properties/deals/amount").json()["type"] == "number"
    assert get(api, sandbox, "/crm/v3/properties/deals/nope").status_code == 404


def test_owners_and_pipelines(api, sandbox) -> None:
    owners = walk(api, sandbox, "/crm/v3/owners", limit=5)
    assert len(owners) >= 10 and all({"id", "email", "firstName", "lastName"} <= set(o) for o in owners)
    owner_ids = {o["id"] for o in owners} | {
        o["id"] for o in get(api, sandbox, "/crm/v3/owners", archived="true").json()["results"]
    }
    store = sandbox.portal.store("contacts")
    assert {store.text(i, "hubspot_owner_id") for i in range(50)} - {None} <= owner_ids
    pipelines = get(api, sandbox, "/crm/v3/pipelines/deals").json()["results"]
    stages = {s["id"] for p in pipelines for s in p["stages"]}
    deals = sandbox.portal.store("deals")
    assert {deals.text(i, "dealstage") for i in range(len(deals))} <= stages
    assert get(api, sandbox, "/crm/v3/pipelines/tickets").json()["results"][0]["stages"]
    assert get(api, sandbox, "/crm/v3/pipelines/contacts").status_code == 400


def test_unknown_object_type_is_a_400_listing_valid_types(api, sandbox) -> None:
    for path in ("/crm/v3/objects/widgets", "/crm/v3/properties/widgets", "/crm/v3/objects/widgets/1"):
        reply = get(api, sandbox, path)
        assert reply.status_code == 400, path
        assert "contacts (0-1)" in reply.json()["message"]


def test_a_token_without_the_types_scope_gets_403(sandbox) -> None:
    token = sandbox.oauth_token(scopes=["oauth", "crm.objects.contacts.read"])["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{sandbox.base_url}/crm/v3/objects/contacts", headers=headers, timeout=30).ok
    denied = requests.get(f"{sandbox.base_url}/crm/v3/objects/deals", headers=headers, timeout=30)
    assert denied.status_code == 403 and denied.json()["category"] == "MISSING_SCOPES"
    assert "crm.objects.deals.read" in str(denied.json()["errors"])


def test_touch_moves_records_forward(fresh_sandbox) -> None:
    sb = fresh_sandbox(contacts=200)
    token = sb.oauth_token()["access_token"]
    api = bearer_session(token)
    touched = api.post(
        f"{sb.base_url}/_sandbox/touch", json={"object_type": "contacts", "fraction": 0.05}
    ).json()
    assert len(touched["ids"]) == round(len(sb.portal.store("contacts").ids()) * 0.05)
    search = api.post(
        f"{sb.base_url}/crm/v3/objects/contacts/search",
        json={"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE",
                                             "value": touched["touchedAt"]}]}], "limit": 100},
    ).json()  # fmt: skip
    assert sorted(r["id"] for r in search["results"]) == sorted(touched["ids"])
    one = touched["ids"][0]
    record = api.get(f"{sb.base_url}/crm/v3/objects/contacts/{one}").json()
    assert record["updatedAt"] >= touched["touchedAt"]
    by_ids = api.post(f"{sb.base_url}/_sandbox/touch", json={"ids": [one]}).json()
    assert by_ids["ids"] == [one]
    assert api.post(f"{sb.base_url}/_sandbox/touch", json={"ids": ["1"]}).status_code == 400
    assert api.post(f"{sb.base_url}/_sandbox/touch", json={"fraction": 2}).status_code == 400
