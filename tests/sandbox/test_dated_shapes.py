"""Every dated path answers with a status its version's spec declares (2026-09's batch reads: 200,
never 207) and a body that fits that version's shapes (tests/spec_shapes.py) at least as well as
the legacy twin's answer fits the legacy shapes: a dated path adds no gap of its own (the legacy
gaps are listed in docs/sandbox-spec-gaps.md)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from spec_shapes import OPERATIONS, problems, response_shape

from hubspot_nb.sandbox import Sandbox

WINDOW = {"startTimestamp": "2024-01-01T00:00:00Z", "endTimestamp": "2026-12-01T00:00:00Z"}
# (method, legacy template, dated template with {v}, concrete suffix pieces, params, json body)
CALLS: list[tuple[str, str, str, dict[str, str], dict[str, Any], Any]] = [
    ("GET", "/crm/v3/objects/{objectType}", "/crm/objects/{v}/{objectType}", {}, {"limit": 50}, None),
    (
        "GET",
        "/crm/v3/objects/{objectType}/{objectId}",
        "/crm/objects/{v}/{objectType}/{objectId}",
        {},
        {"associations": "companies"},
        None,
    ),
    (
        "POST",
        "/crm/v3/objects/{objectType}/batch/read",
        "/crm/objects/{v}/{objectType}/batch/read",
        {"objectType": "companies"},
        {},
        "batch",
    ),
    (
        "POST",
        "/crm/v3/objects/{objectType}/search",
        "/crm/objects/{v}/{objectType}/search",
        {},
        {},
        {"limit": 50},
    ),
    ("GET", "/crm/v3/properties/{objectType}", "/crm/properties/{v}/{objectType}", {}, {}, None),
    (
        "GET",
        "/crm/v3/properties/{objectType}/groups",
        "/crm/properties/{v}/{objectType}/groups",
        {},
        {},
        None,
    ),
    (
        "POST",
        "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
        "/crm/associations/{v}/{fromObjectType}/{toObjectType}/batch/read",
        {},
        {},
        "links",
    ),
    (
        "GET",
        "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}",
        "/crm/objects/{v}/{objectType}/{objectId}/associations/{toObjectType}",
        {},
        {},
        None,
    ),
    ("GET", "/crm/v3/owners", "/crm/owners/{v}", {}, {}, None),
    (
        "GET",
        "/crm/v3/pipelines/{objectType}",
        "/crm/pipelines/{v}/{objectType}",
        {"objectType": "deals"},
        {},
        None,
    ),
    ("GET", "/account-info/v3/details", "/account-info/{v}/details", {}, {}, None),
    ("GET", "/marketing/v3/emails", "/marketing/emails/{v}", {}, {"includeStats": "true"}, None),
    (
        "GET",
        "/marketing/v3/emails/statistics/list",
        "/marketing/emails/{v}/statistics/list",
        {},
        WINDOW,
        None,
    ),
    (
        "GET",
        "/marketing/v3/emails/statistics/histogram",
        "/marketing/emails/{v}/statistics/histogram",
        {},
        {"interval": "MONTH", **WINDOW},
        None,
    ),
    ("GET", "/marketing/v3/campaigns", "/marketing/campaigns/{v}", {}, {}, None),
    (
        "GET",
        "/marketing/v3/campaigns/{campaignGuid}",
        "/marketing/campaigns/{v}/{campaignGuid}",
        {},
        {},
        None,
    ),
    (
        "GET",
        "/marketing/v3/campaigns/{campaignGuid}/reports/revenue",
        "/marketing/campaigns/{v}/{campaignGuid}/reports/revenue",
        {},
        {},
        None,
    ),
]


def _fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


@pytest.mark.parametrize("version", ["2026-03", "2026-09"])
@pytest.mark.parametrize("call", CALLS, ids=[c[2] for c in CALLS])
def test_dated_answers_fit_their_versions_spec(sandbox: Sandbox, token: str, version: str, call) -> None:
    method, legacy_tpl, dated_tpl, pieces, params, body = call
    dated_tpl = dated_tpl.replace("{v}", version)
    contact = sandbox.portal.store("contacts").ids()[0]
    values = {
        "objectType": "contacts",
        "objectId": contact,
        "fromObjectType": "contacts",
        "toObjectType": "companies",
        "campaignGuid": sandbox.marketing.campaigns[0].id,
        **pieces,
    }
    if body == "batch":  # one unknown id: a partial failure
        body = {"inputs": [{"id": sandbox.portal.store("companies").ids()[0]}, {"id": "1"}]}
    elif body == "links":
        body = {"inputs": [{"id": contact}, {"id": "999999999"}]}
    headers = {"Authorization": f"Bearer {token}"}

    def call_(path: str) -> requests.Response:
        url = sandbox.base_url + _fill(path, values)
        return requests.request(method, url, params=params, json=body, headers=headers, timeout=30)

    legacy, dated = call_(legacy_tpl), call_(dated_tpl)
    declared = OPERATIONS[version][(method, dated_tpl)]
    assert dated.status_code in declared, f"{dated.status_code} is not declared by {version}: {declared}"
    if body is not None and "inputs" in body and version == "2026-09":
        assert legacy.status_code == 207 and dated.status_code == 200 and dated.json()["numErrors"] >= 1
    found = problems(dated.json(), response_shape(version, method, dated_tpl, dated.status_code))
    known = problems(legacy.json(), response_shape("legacy", method, legacy_tpl, legacy.status_code))
    assert set(found) <= set(known), sorted(set(found) - set(known))
