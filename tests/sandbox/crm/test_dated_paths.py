"""CRM on HubSpot's date-versioned paths (2026-03, 2026-09) beside the legacy v3/v4 ones: the same
data on every path, and 2026-09's batch reads answering 200 with ``errors``/``numErrors`` where
v3, v4 and 2026-03 answer 207."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from hubspot_nb.sandbox import Sandbox

DATED = ("2026-03", "2026-09")


def same_modulo_path(legacy: requests.Response, dated: requests.Response, old: str, new: str) -> None:
    """Both answers carry the same status and body, once the dated path prefix in paging links is
    spelled the legacy way and the batch timestamps are dropped."""
    assert legacy.status_code == dated.status_code == 200, (legacy.text[:300], dated.text[:300])

    def normal(reply: requests.Response, prefix: str) -> Any:
        body = reply.json()
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k not in ("startedAt", "completedAt")}
        return json.loads(json.dumps(body).replace(prefix, "<prefix>"))

    assert normal(legacy, old) == normal(dated, new)


GETS = [
    ("/crm/v3/objects", "/crm/objects/{v}", "/contacts", {"limit": 7, "properties": "email,firstname"}),
    ("/crm/v3/objects", "/crm/objects/{v}", "/companies", {"limit": 3, "associations": "contacts"}),
    ("/crm/v3/objects", "/crm/objects/{v}", "/0-3", {"limit": 5, "propertiesWithHistory": "dealstage"}),
    ("/crm/v3/objects", "/crm/objects/{v}", "/tickets", {"archived": "true", "limit": 2}),
    ("/crm/v3/properties", "/crm/properties/{v}", "/contacts", {}),
    ("/crm/v3/properties", "/crm/properties/{v}", "/deals/groups", {}),
    ("/crm/v3/properties", "/crm/properties/{v}", "/companies/name", {}),
    ("/crm/v3/owners", "/crm/owners/{v}", "", {"limit": 2}),
    ("/crm/v3/pipelines", "/crm/pipelines/{v}", "/deals", {}),
    ("/crm/v3/pipelines", "/crm/pipelines/{v}", "/tickets", {}),
]


@pytest.mark.parametrize("version", DATED)
@pytest.mark.parametrize(("old", "new", "rest", "params"), GETS)
def test_dated_gets_serve_the_legacy_data(api, sandbox: Sandbox, version, old, new, rest, params) -> None:
    new = new.format(v=version)
    legacy = api.get(sandbox.base_url + old + rest, params=params, timeout=30)
    dated = api.get(sandbox.base_url + new + rest, params=params, timeout=30)
    same_modulo_path(legacy, dated, old, new)


@pytest.mark.parametrize("version", DATED)
def test_dated_single_records_owners_pipelines_and_paging(api, sandbox: Sandbox, version: str) -> None:
    base = sandbox.base_url
    contact = sandbox.portal.store("contacts").ids()[3]
    pairs = [
        (f"/crm/v3/objects/contacts/{contact}", f"/crm/objects/{version}/contacts/{contact}"),
        (
            f"/crm/v4/objects/contacts/{contact}/associations/companies",
            f"/crm/objects/{version}/contacts/{contact}/associations/companies",
        ),
    ]
    owner = api.get(f"{base}/crm/v3/owners", timeout=30).json()["results"][0]["id"]
    pairs.append((f"/crm/v3/owners/{owner}", f"/crm/owners/{version}/{owner}"))
    pipeline = api.get(f"{base}/crm/v3/pipelines/deals", timeout=30).json()["results"][0]["id"]
    pairs.append(
        (f"/crm/v3/pipelines/deals/{pipeline}/stages", f"/crm/pipelines/{version}/deals/{pipeline}/stages")
    )
    for old, new in pairs:
        same_modulo_path(api.get(base + old, timeout=30), api.get(base + new, timeout=30), old, new)

    # A dated list pages on its own path: the next link stays dated and walks the same records.
    seen, after = [], None
    while True:
        params = {"limit": 100, **({"after": after} if after else {})}
        body = api.get(f"{base}/crm/objects/{version}/contacts", params=params, timeout=30).json()
        seen += [r["id"] for r in body["results"]]
        if "paging" not in body:
            break
        assert f"/crm/objects/{version}/contacts?" in body["paging"]["next"]["link"]
        after = body["paging"]["next"]["after"]
    assert seen == sandbox.portal.store("contacts").ids()
    owners = api.get(f"{base}/crm/owners/{version}", params={"limit": 1}, timeout=30).json()
    assert owners["paging"]["next"]["link"].startswith(f"{base}/crm/owners/{version}?after=")


@pytest.mark.parametrize("version", DATED)
def test_dated_search_matches_legacy(api, sandbox: Sandbox, version: str) -> None:
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}]}
        ],
        "properties": ["email", "lifecyclestage"],
        "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
        "limit": 20,
    }
    old, new = "/crm/v3/objects/contacts/search", f"/crm/objects/{version}/contacts/search"
    legacy = api.post(sandbox.base_url + old, json=body, timeout=30)
    dated = api.post(sandbox.base_url + new, json=body, timeout=30)
    same_modulo_path(legacy, dated, old, new)
    assert dated.json()["total"] > 0


# What a batch read that misses some ids answers, by version ("legacy" = the v3/v4 path).
BATCH_MISS_STATUS = [("legacy", 207), ("2026-03", 207), ("2026-09", 200)]  # 2026-09 declares no 207


def versioned(legacy: str, dated: str, version: str) -> str:
    return legacy if version == "legacy" else dated.format(v=version)


@pytest.mark.parametrize(("version", "status"), BATCH_MISS_STATUS)
def test_batch_read_with_unknown_ids_answers_as_each_version_says(
    api, sandbox: Sandbox, version, status
) -> None:
    path = versioned("/crm/v3/objects/companies/batch/read", "/crm/objects/{v}/companies/batch/read", version)
    ids = sandbox.portal.store("companies").ids()[:2]
    inputs = [{"id": ids[0]}, {"id": "1"}, {"id": ids[1]}, {"id": "2"}]
    reply = api.post(sandbox.base_url + path, json={"inputs": inputs, "properties": ["name"]}, timeout=30)
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert [r["id"] for r in body["results"]] == ids and body["status"] == "COMPLETE"
    assert body["numErrors"] == 1 and body["errors"][0]["context"]["ids"] == ["1", "2"]
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert all("warnings" not in r for r in body["results"])
    # Every id known: 200 with no errors, on every version.
    clean = api.post(sandbox.base_url + path, json={"inputs": [{"id": i} for i in ids]}, timeout=30)
    assert clean.status_code == 200 and "errors" not in clean.json() and "numErrors" not in clean.json()


@pytest.mark.parametrize(("version", "status"), BATCH_MISS_STATUS)
def test_association_batch_read_with_misses_answers_as_each_version_says(
    api, sandbox: Sandbox, version, status
) -> None:
    path = versioned(
        "/crm/v4/associations/deals/companies/batch/read",
        "/crm/associations/{v}/deals/companies/batch/read",
        version,
    )
    deals = sandbox.portal.store("deals").ids()[:3]
    legacy = api.post(
        f"{sandbox.base_url}/crm/v4/associations/deals/companies/batch/read",
        json={"inputs": [{"id": d} for d in deals]},
        timeout=30,
    )
    inputs = [{"id": d} for d in deals] + [{"id": "999999999"}]
    reply = api.post(sandbox.base_url + path, json={"inputs": inputs}, timeout=30)
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["results"][: len(legacy.json()["results"])] == legacy.json()["results"]
    assert body["numErrors"] == len(body["errors"]) >= 1
    assert any(e["context"]["fromObjectId"] == ["999999999"] for e in body["errors"])


def test_dated_paths_check_scopes_per_object_type(sandbox: Sandbox) -> None:
    token = sandbox.oauth_token(["oauth", "crm.objects.contacts.read"])["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    ok = requests.get(f"{sandbox.base_url}/crm/objects/2026-09/contacts", headers=headers, timeout=30)
    assert ok.status_code == 200
    refused = requests.get(f"{sandbox.base_url}/crm/objects/2026-09/deals", headers=headers, timeout=30)
    assert refused.status_code == 403 and refused.json()["category"] == "MISSING_SCOPES"
    unknown = requests.get(f"{sandbox.base_url}/crm/objects/2025-01/contacts", headers=headers, timeout=30)
    assert unknown.status_code == 404 and unknown.json()["category"] == "OBJECT_NOT_FOUND"


def test_2026_09_one_record_associations_can_be_switched_off(fresh_sandbox) -> None:
    # Unconfirmed for contacts (only Partner Services' 2026-09 spec lists it): both behaviours.
    sb = fresh_sandbox(contacts=20, companies=5, deals=5, tickets=5)
    headers = {"Authorization": f"Bearer {sb.oauth_token()['access_token']}"}
    contact = sb.portal.store("contacts").ids()[0]
    url = f"{sb.base_url}/crm/objects/{{v}}/contacts/{contact}/associations/companies"
    assert requests.get(url.format(v="2026-09"), headers=headers, timeout=30).status_code == 200
    switched = requests.post(f"{sb.base_url}/_sandbox/config", json={"record_associations_2026_09": False})
    assert switched.status_code == 200, switched.text
    gone = requests.get(url.format(v="2026-09"), headers=headers, timeout=30)
    assert gone.status_code == 404 and gone.json()["category"] == "OBJECT_NOT_FOUND"
    assert requests.get(url.format(v="2026-03"), headers=headers, timeout=30).status_code == 200
    legacy = f"{sb.base_url}/crm/v4/objects/contacts/{contact}/associations/companies"
    assert requests.get(legacy, headers=headers, timeout=30).status_code == 200
