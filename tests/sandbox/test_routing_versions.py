"""One handler under several API versions: the router's ``dated=`` expansion, the version each
route names, per-version scopes, and the per-route and per-version request counts in
``/_sandbox/stats`` that let a test prove which paths a pull used."""

from __future__ import annotations

import pytest
import requests

from hubspot_nb.sandbox.routing import (
    DATED_VERSIONS,
    Request,
    Router,
    is_dated,
    partial_failure_status,
    path_version,
)

SMALL = {"contacts": 30, "companies": 5, "deals": 5, "tickets": 5}


def test_a_dated_route_registers_one_handler_per_version_and_tells_it_the_version() -> None:
    router = Router()

    @router.route(
        "GET",
        "/thing/v3/items/{item}",
        dated="/thing/items/{version}/{item}",
        scopes=("a", "b"),
        version_scopes={"2026-09": ("a",)},
        limit="burst",
    )
    def handler(sb: object, req: Request) -> str:
        return f"{req.version}:{req.path_params['item']}"

    patterns = [(r.pattern, r.version, r.scopes, r.limit) for r in router.routes]
    assert patterns == [
        ("/thing/v3/items/{item}", "v3", ("a", "b"), "burst"),
        ("/thing/items/2026-03/{item}", "2026-03", ("a", "b"), "burst"),
        ("/thing/items/2026-09/{item}", "2026-09", ("a",), "burst"),
    ]
    assert DATED_VERSIONS == ("2026-03", "2026-09")
    route, params = router.match("GET", "/thing/items/2026-09/x")
    assert route.handler is handler and params == {"item": "x"}
    req = Request("GET", "/thing/items/2026-09/x", {}, {}, path_params=params, version=route.version)
    assert route.handler(None, req) == "2026-09:x"


def test_router_refuses_bad_version_declarations() -> None:
    router = Router()
    with pytest.raises(ValueError, match="no \\{version\\}"):
        router.route("GET", "/a/v3/b", dated="/a/2026-09/b")
    with pytest.raises(ValueError, match="2027-03"):
        router.route("GET", "/a/v3/b", dated="/a/{version}/b", version_scopes={"2027-03": ("x",)})
    beta = Router()
    beta.route("GET", "/f/v3/forms", dated="/f/forms/{version}", versions=("2026-09-beta",))(lambda sb, r: 1)
    assert [r.pattern for r in beta.routes] == ["/f/v3/forms", "/f/forms/2026-09-beta"]


@pytest.mark.parametrize(
    ("pattern", "version"),
    [
        ("/crm/v3/objects/{object_type}", "v3"),
        ("/crm/v4/associations/{from_type}/{to_type}/batch/read", "v4"),
        ("/crm/objects/2026-09/{object_type}", "2026-09"),
        ("/marketing/forms/2026-09-beta/{form_id}", "2026-09-beta"),
        ("/email/public/v1/events", "v1"),
        ("/oauth/authorize", None),
        ("/_sandbox/stats", None),
    ],
)
def test_path_version(pattern: str, version: str | None) -> None:
    assert path_version(pattern) == version
    assert is_dated(version) == (version is not None and version[0].isdigit())


def test_partial_failure_status_follows_each_spec() -> None:
    # v3, v4 and 2026-03 declare 207 for a batch with errors; 2026-09 declares only 200.
    assert [partial_failure_status(v) for v in ("v3", "v4", "2026-03", "2026-09")] == [207, 207, 207, 200]


def test_stats_count_requests_per_route_template_and_per_version(fresh_sandbox) -> None:
    sb = fresh_sandbox(**SMALL)
    headers = {"Authorization": f"Bearer {sb.oauth_token()['access_token']}"}
    assert requests.post(f"{sb.base_url}/_sandbox/reset-stats", timeout=10).status_code == 200
    for path in (
        "/crm/objects/2026-09/contacts",
        "/crm/objects/2026-09/contacts",
        "/crm/objects/2026-09/companies",
        "/crm/objects/2026-03/contacts",
        "/crm/v3/objects/contacts",
        "/crm/owners/2026-09",
        "/marketing/forms/2026-09-beta",
        "/analytics/v2/reports/totals/total?start=20260101&end=20260102",
    ):
        assert requests.get(sb.base_url + path, headers=headers, timeout=30).status_code == 200, path
    stats = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert stats["requests"] == {
        "GET /_sandbox/stats": 1,
        "GET /crm/objects/2026-09/{object_type}": 3,
        "GET /crm/objects/2026-03/{object_type}": 1,
        "GET /crm/v3/objects/{object_type}": 1,
        "GET /crm/owners/2026-09": 1,
        "GET /marketing/forms/2026-09-beta": 1,
        "GET /analytics/v2/reports/{breakdown_by}/{time_period}": 1,
    }
    # The sandbox's own controls name no version and are not counted there.
    assert stats["versions"] == {"2026-09": 4, "2026-03": 1, "v3": 1, "2026-09-beta": 1, "v2": 1}
    # The keys readers already use are all still there.
    for key in ("requests_total", "tokens_issued", "refreshes", "responses", "rate_limited", "faults"):
        assert key in stats
    requests.post(f"{sb.base_url}/_sandbox/reset-stats", timeout=10)
    assert requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()["versions"] == {}
