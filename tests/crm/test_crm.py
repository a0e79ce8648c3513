"""CRM objects as typed DataFrames, checked against the sandbox's raw JSON over real HTTP."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import requests
from helpers import make_hub

from hubspot_nb.errors import InvalidInput
from hubspot_nb.hub import Hub
from hubspot_nb.sandbox import Sandbox

TYPES = ["contacts", "companies", "deals", "tickets"]


@pytest.fixture
def hub(sandbox: Sandbox, sandbox_token: dict[str, Any]) -> Hub:
    return make_hub(sandbox, sandbox_token)


def raw_get(sb: Sandbox, token: str, path: str, **params: Any) -> Any:
    resp = requests.get(
        f"{sb.base_url}{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def raw_records(sb: Sandbox, token: str, object_type: str, names: list[str]) -> dict[str, dict[str, Any]]:
    """Every record with ``names``, read by batch/read (POST: no URL limit), not by the code under test."""
    ids = sb.portal.store(object_type).ids()
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 100):
        body = {"inputs": [{"id": i} for i in ids[start : start + 100]], "properties": names}
        resp = requests.post(
            f"{sb.base_url}/crm/v3/objects/{object_type}/batch/read",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert resp.status_code == 200, resp.text
        out.update((r["id"], r) for r in resp.json()["results"])
    return out


def expected_value(raw: str | None, prop: dict[str, Any]) -> Any:
    """The typed value of one raw string, computed the slow obvious way."""
    if raw is None or raw == "":
        return None
    kind, field = prop["type"], prop["fieldType"]
    if kind == "number":
        return float(raw)
    if kind in ("datetime", "date"):
        stamp = (
            pd.Timestamp(int(raw), unit="ms", tz="UTC") if raw.lstrip("-").isdigit() else pd.Timestamp(raw)
        )
        if stamp.tzinfo is None:
            stamp = stamp.tz_localize("UTC")
        return stamp if kind == "datetime" else stamp.tz_convert(None).normalize()
    if kind == "bool":
        return {"true": True, "false": False}[raw]
    if kind == "enumeration" and field == "checkbox":
        return raw.split(";")
    return raw


def cell(value: Any) -> Any:
    if isinstance(value, list):
        return value
    if value is None or pd.isna(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.mark.parametrize("object_type", TYPES)
@pytest.mark.slow
def test_all_properties_match_the_raw_json(
    object_type: str, hub: Hub, sandbox: Sandbox, sandbox_token: dict[str, Any]
) -> None:
    token = sandbox_token["access_token"]
    catalogue = raw_get(sandbox, token, f"/crm/v3/properties/{object_type}")["results"]
    names = [p["name"] for p in catalogue]
    frame = hub.objects(object_type, properties="all")
    assert isinstance(frame, pd.DataFrame)
    raw = raw_records(sandbox, token, object_type, names)
    assert list(frame.index) == sorted(raw, key=int)
    assert frame.index.name == "id" and frame.index.is_unique
    assert set(names) <= set(frame.columns)
    for prop in catalogue:
        column = frame[prop["name"]]
        dtype = str(column.dtype)
        kind, field = prop["type"], prop["fieldType"]
        expected_dtype = {
            "datetime": "datetime64[ns, UTC]",
            "date": "datetime64[ns]",
            "bool": "boolean",
        }.get(kind)
        if kind == "number":
            assert dtype in ("Int64", "Float64"), prop["name"]
        elif kind == "enumeration" and field == "checkbox":
            assert dtype == "object", prop["name"]
        elif kind == "enumeration":
            assert dtype == "category", prop["name"]
            options = [o["value"] for o in prop["options"]]
            assert list(column.cat.categories[: len(options)]) == options
        elif expected_dtype:
            assert dtype == expected_dtype, prop["name"]
        else:
            assert dtype == "string", prop["name"]
        for record_id, value in column.items():
            want = expected_value(raw[record_id]["properties"].get(prop["name"]), prop)
            assert cell(value) == want, (object_type, prop["name"], record_id, value, want)
    for record_id in list(raw)[:50]:
        assert frame.at[record_id, "createdAt"] == pd.Timestamp(raw[record_id]["createdAt"])
        assert frame.at[record_id, "updatedAt"] == pd.Timestamp(raw[record_id]["updatedAt"])
    assert not frame["archived"].any()


def test_default_properties_and_no_string_none(hub: Hub, sandbox: Sandbox) -> None:
    frame = hub.contacts()
    assert isinstance(frame, pd.DataFrame)
    assert {"email", "firstname", "lastname", "createdate", "createdAt", "updatedAt", "archived"} <= set(
        frame.columns
    )
    assert len(frame) == len(sandbox.portal.store("contacts").ids())
    for name in ("email", "firstname", "lastname"):
        values = frame[name].dropna()
        assert not values.isin(["None", ""]).any()


def test_object_types_by_id_and_unknown_types(hub: Hub) -> None:
    by_id = hub.objects("0-3", limit=5)
    by_name = hub.deals(limit=5)
    pd.testing.assert_frame_equal(by_id, by_name)
    with pytest.raises(InvalidInput) as info:
        hub.objects("contactz")
    assert "contacts (0-1)" in str(info.value) and "deals (0-3)" in str(info.value)


def test_unknown_property_suggests_names(hub: Hub) -> None:
    with pytest.raises(InvalidInput, match="'firstname'"):
        hub.contacts(properties=["firstnme"])


def test_limit_stops_early(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(contacts=1000)
    hub = make_hub(sb)
    requests.post(f"{sb.base_url}/_sandbox/reset-stats", timeout=10)
    frame = hub.contacts(limit=250)
    assert len(frame) == 250
    assert list(frame.index) == sb.portal.store("contacts").ids()[:250]
    stats = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert stats["requests"].get("GET /crm/objects/2026-09/{object_type}") == 3  # 100 + 100 + 50
    assert hub.contacts(limit=0).empty


def test_archived_records_only(hub: Hub, sandbox: Sandbox, sandbox_token: dict[str, Any]) -> None:
    frame = hub.contacts(archived=True)
    raw = raw_get(
        sandbox, sandbox_token["access_token"], "/crm/v3/objects/contacts", archived="true", limit=100
    )
    assert len(frame) >= 1
    assert sorted(frame.index, key=int) == sorted((r["id"] for r in raw["results"]), key=int)
    assert frame["archived"].all() and frame["archivedAt"].notna().all()
    assert not set(frame.index) & set(sandbox.portal.store("contacts").ids())


def test_associations_as_list_columns_with_primary_company(
    hub: Hub, sandbox: Sandbox, sandbox_token: dict[str, Any]
) -> None:
    frame = hub.contacts(associations=["companies", "deals"])
    assert isinstance(frame, pd.DataFrame)
    token = sandbox_token["access_token"]
    page = raw_get(sandbox, token, "/crm/v3/objects/contacts", limit=100, associations="companies,deals")
    checked_primary = 0
    for r in page["results"]:
        links = r.get("associations", {})
        companies = [x["id"] for x in links.get("companies", {}).get("results", [])]
        deals = [x["id"] for x in links.get("deals", {}).get("results", [])]
        assert frame.at[r["id"], "companies"] == list(dict.fromkeys(companies))
        assert frame.at[r["id"], "deals"] == list(dict.fromkeys(deals))
        primary = [
            x["id"]
            for x in links.get("companies", {}).get("results", [])
            if x["type"] == "contact_to_company"
        ]
        got = frame.at[r["id"], "primary_company"]
        if primary:
            assert got == primary[0]
            checked_primary += 1
        else:
            assert pd.isna(got)
    assert checked_primary > 10
    assert "primary_deal" not in frame.columns


def test_labels_for_columns_options_owners_and_stages(
    hub: Hub, sandbox: Sandbox, sandbox_token: dict[str, Any]
) -> None:
    token = sandbox_token["access_token"]
    frame = hub.deals(properties=["dealstage", "pipeline", "hubspot_owner_id", "dealname"], labels=True)
    assert isinstance(frame, pd.DataFrame)
    catalogue = {p["name"]: p for p in raw_get(sandbox, token, "/crm/v3/properties/deals")["results"]}
    labels = {
        name: catalogue[name]["label"] for name in ("dealstage", "pipeline", "hubspot_owner_id", "dealname")
    }
    assert set(labels.values()) <= set(frame.columns)
    raw = raw_get(sandbox, token, "/crm/v3/objects/deals", limit=50, properties="dealstage,hubspot_owner_id")
    owners = {  # a departed (archived) owner still owns deals: HubSpot lists them with archived=true
        o["id"]: f"{o['firstName']} {o['lastName']}"
        for archived in ("false", "true")
        for o in raw_get(sandbox, token, "/crm/v3/owners", archived=archived)["results"]
    }
    stage_labels = {o["value"]: o["label"] for o in catalogue["dealstage"]["options"]}
    for r in raw["results"]:
        stage = r["properties"]["dealstage"]
        assert frame.at[r["id"], labels["dealstage"]] == stage_labels[stage]
        owner = r["properties"].get("hubspot_owner_id")
        if owner:
            assert frame.at[r["id"], labels["hubspot_owner_id"]] == owners[owner]


@pytest.mark.slow
def test_chunks_have_one_schema_and_add_up_to_the_frame(hub: Hub) -> None:
    chunks = list(hub.contacts(properties="all", chunksize=150))
    assert len(chunks) >= 4
    assert all(len(c) <= 150 for c in chunks)
    first = chunks[0].dtypes
    for chunk in chunks[1:]:
        assert list(chunk.columns) == list(chunks[0].columns)
        for name in chunk.columns:
            a, b = chunk[name].dtype, first[name]
            if isinstance(a, pd.CategoricalDtype):
                assert isinstance(b, pd.CategoricalDtype), name
            else:
                assert a == b, name
    eager = hub.contacts(properties="all")
    assert isinstance(eager, pd.DataFrame)
    joined = pd.concat(chunks)
    assert sorted(joined.index, key=int) == list(eager.index)
    sample = eager.index[::37]
    for name in ["email", "createdate", "hs_object_id", "updatedAt"]:
        assert [cell(v) for v in joined.loc[sample, name]] == [cell(v) for v in eager.loc[sample, name]]


def test_properties_catalogue_frame(hub: Hub, sandbox: Sandbox, sandbox_token: dict[str, Any]) -> None:
    props = hub.properties("companies")
    raw = raw_get(sandbox, sandbox_token["access_token"], "/crm/v3/properties/companies")["results"]
    assert list(props["name"]) == [p["name"] for p in raw]
    assert {"label", "type", "fieldType", "groupName", "options"} <= set(props.columns)
    industry = props.loc["industry"]
    assert industry["type"] == "enumeration" and "COMPUTER_SOFTWARE" in industry["options"]


def test_owners_and_pipelines_frames(hub: Hub, sandbox: Sandbox, sandbox_token: dict[str, Any]) -> None:
    token = sandbox_token["access_token"]
    owners = hub.owners()
    raw = raw_get(sandbox, token, "/crm/v3/owners", limit=500)["results"]
    assert list(owners.index) == [o["id"] for o in raw]
    first = raw[0]
    assert owners.at[first["id"], "name"] == f"{first['firstName']} {first['lastName']}"
    assert owners.at[first["id"], "email"] == first["email"]
    assert not owners["archived"].any()
    stages = hub.pipelines("deals")
    pipes = raw_get(sandbox, token, "/crm/v3/pipelines/deals")["results"]
    assert list(stages.index) == [s["id"] for p in pipes for s in p["stages"]]
    won = stages.loc["closedwon"]
    assert won["stage"] == "Closed Won" and won["pipeline"] == "Sales Pipeline"
    assert won["probability"] == 1.0 and bool(won["closed"])
    assert str(stages["closed"].dtype) == "boolean"


def test_associations_link_table(hub: Hub, sandbox: Sandbox, sandbox_token: dict[str, Any]) -> None:
    links = hub.associations("deals", "companies")
    token = sandbox_token["access_token"]
    expected = set()
    after = None
    while True:
        params: dict[str, Any] = {"limit": 100, "associations": "companies"}
        if after:
            params["after"] = after
        page = raw_get(sandbox, token, "/crm/v3/objects/deals", **params)
        for r in page["results"]:
            for link in r.get("associations", {}).get("companies", {}).get("results", []):
                expected.add((r["id"], link["id"], link["type"]))
        after = page.get("paging", {}).get("next", {}).get("after")
        if not after:
            break
    assert set(links.itertuples(index=False, name=None)) == expected
    some = sorted({row[0] for row in expected})[:3]
    assert set(hub.associations("deals", "companies", ids=some)["from_id"]) == set(some)


@pytest.mark.parametrize(
    ("name", "count_of"),
    [("calls", "calls"), ("note", "notes"), ("0-47", "meetings"), ("tasks", "tasks"),
     ("products", "products"), ("line_item", "line_items"), ("quotes", "quotes"), ("0-136", "leads")],
)  # fmt: skip
def test_other_standard_object_types(hub: Hub, sandbox: Sandbox, name: str, count_of: str) -> None:
    """HubSpot's other standard types work by plural, singular and 0-x id: all their records, with
    their default properties (calls, notes, meetings, tasks, products and line items have data)."""
    frame = hub.objects(name)
    store = sandbox.portal.stores[count_of]
    assert sorted(frame.index, key=int) == sorted(store.ids(), key=int)
    if count_of in ("calls", "notes", "meetings", "tasks", "products", "line_items"):
        assert len(frame) > 0
    if count_of == "calls":
        assert {"hs_timestamp", "hs_call_title", "hs_call_body"} <= set(frame.columns)
        first = store.ids()[0]
        assert frame.loc[first, "hs_call_title"] == store.value(first, "hs_call_title")
