"""Every endpoint the sandbox serves answers, in every version it serves, with a body that fits the
response schema HubSpot's published OpenAPI spec declares for it (tests/spec_shapes.py, derived from
HubSpot/HubSpot-public-api-spec-collection), except where real HubSpot is known to answer otherwise:
those deviations are in ``ALLOWED``, each with its reason and source (docs/sandbox-spec-gaps.md).

The routes come from the router itself (``build_router``): a route with no request case here, or with
no operation in spec_shapes, fails ``test_every_route_has_a_case``, so a new route cannot skip the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from spec_shapes import OPERATIONS, problems, response_shape

from hubspot_nb.sandbox import Sandbox
from hubspot_nb.sandbox.app import build_router

# Routes that are the sandbox's own (controls, the consent page standing in for app.hubspot.com, the
# app's redirect target): no HubSpot API, so no spec.
NOT_HUBSPOT_API = {
    "/_sandbox/health",
    "/_sandbox/stats",
    "/_sandbox/reset-stats",
    "/_sandbox/config",
    "/_sandbox/expire-tokens",
    "/_sandbox/touch",
    "/oauth/authorize",  # HubSpot's consent page lives on app.hubspot.com, outside the API specs
    "/oauth/callback",  # the app's own redirect target
}


@dataclass(frozen=True)
class Allowed:
    """A problem the spec reports but real HubSpot shows too: the sandbox keeps HubSpot's behaviour."""

    pattern: str  # regex on a folded problem line (indices as [*], map keys as <key>)
    versions: tuple[str, ...]  # spec tables it applies to
    reason: str
    source: str


ALLOWED: list[Allowed] = [
    Allowed(
        r"^\$\.errors\[\*\]\.(errors|links): missing \(required\)$",
        ("legacy", "2026-03", "2026-09"),
        "StandardError declares errors[] and links{} required, but HubSpot's batch error items carry only "
        "status, category, (subCategory,) message and context",
        "HubSpot/hubspot-api-ruby#403 (a logged 207 body); third-party fixtures copied from real replies "
        "('Could not get some CONTACT objects, they may be deleted or not exist…' and "
        "crm.associations.NO_ASSOCIATIONS_FOUND items, code search)",
    ),
    Allowed(
        r"^\$\.errors\[\*\]\.subCategory: string, expected object$",
        ("legacy", "2026-03", "2026-09"),
        "StandardError.subCategory is declared an object; HubSpot sends a dotted string such as "
        "'crm.associations.NO_ASSOCIATIONS_FOUND'",
        "captured v4 batch/read 207 bodies in third-party code and notes (code search 'subCategory')",
    ),
    Allowed(
        r"^\$(\.results\[\*\])?(\.to\[\*\])?\.toObjectId: integer, expected string$",
        ("legacy", "2026-03", "2026-09"),
        "v4 MultiAssociatedObjectWithLabel.toObjectId is declared a string; HubSpot's own examples and "
        "captured replies show a JSON number (HubSpot's SDKs coerce either)",
        "HubSpot's v4 associations reference examples; captured replies such as "
        "'\"toObjectId\": 5790939450' (code search)",
    ),
    Allowed(
        r"^\$(\.results\[\*\])?(\.to\[\*\])?\.associationTypes\[\*\]\.label: null, expected string "
        r"\(not nullable\)$",
        ("legacy", "2026-03", "2026-09"),
        "unlabelled association types (HUBSPOT_DEFINED defaults) come back with label null",
        "captured /crm/v4/associations/{from}/{to}/labels and record-association replies "
        "(cesc1989/apuntes, HubSpot association-labels notes: '\"label\": null')",
    ),
    Allowed(
        r"^\$(\.results\[\*\])?\.properties\.<key>: null, expected string \(not nullable\)$",
        ("legacy", "2026-03"),
        "v3/2026-03 declare property values non-nullable strings; HubSpot sends null for a requested, "
        "unset property (2026-09's spec makes them nullable)",
        "HubSpot's CRM v3 replies (every SDK models them Optional); 2026-09 spec: nullable: true",
    ),
    Allowed(
        r"^\$\.results\[\*\]\.formType: '(captured|flow|blog_comment)', expected the value 'hubspot'$",
        ("legacy", "2026-09"),
        "with formTypes=all the forms API lists non-hubspot forms, whose shape the spec's union leaves "
        "undeclared",
        "the spec's own formTypes enum (hubspot, captured, flow, blog_comment, all)",
    ),
]


# -- the requests --------------------------------------------------------------------------------------
@dataclass
class Env:
    sb: Sandbox
    token: str
    contact: str
    company: str
    pipeline: str
    email_id: str
    campaign: str
    form_id: str
    legacy_campaign: str
    owner: str

    def login(self) -> dict[str, Any]:
        return self.sb.oauth_token()


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    form: dict[str, str] | None = None
    auth: bool = True
    operation: str | None = None  # the spec_shapes path template when it differs from the route's


@dataclass
class Case:
    """The calls one route gets: ``build(env, path_filled_from_pattern) -> {label: Call}``."""

    pattern: str  # regex on the route pattern with its version segment replaced by {v}
    build: Callable[[Env, Callable[..., str]], dict[str, Call]]
    values: dict[str, str] = field(default_factory=dict)


WINDOW = {"startTimestamp": "2024-01-01T00:00:00Z", "endTimestamp": "2026-12-01T00:00:00Z"}


def _client(env: Env) -> dict[str, str]:
    return {"client_id": env.sb.client_id, "client_secret": env.sb.client_secret}


def _get(params: dict[str, Any] | None = None) -> Callable[[Env, Callable[..., str]], dict[str, Call]]:
    return lambda env, fill: {"": Call("GET", fill(), params)}


def _token_calls(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    refresh = env.login()["refresh_token"]
    form = {**_client(env), "grant_type": "refresh_token", "refresh_token": refresh}
    return {"refresh": Call("POST", fill(), form=form, auth=False)}


def _introspect_calls(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    tok = env.login()
    calls = {}
    for hint in ("access_token", "refresh_token"):
        form = {**_client(env), "token": tok[hint], "token_type_hint": hint}
        calls[hint] = Call("POST", fill(), form=form, auth=False)
    return calls


def _revoke_calls(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    form = {**_client(env), "token": env.login()["refresh_token"], "token_type_hint": "refresh_token"}
    return {"": Call("POST", fill(), form=form, auth=False)}


def _v1_token_info(kind: str) -> Callable[[Env, Callable[..., str]], dict[str, Call]]:
    return lambda env, fill: {"": Call("GET", fill(token=env.login()[kind]), auth=False)}


def _v1_revoke(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    return {"": Call("DELETE", fill(token=env.login()["refresh_token"]), auth=False)}


def _objects_list(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    return {
        "contacts+properties": Call(
            "GET", fill(), {"limit": 20, "properties": "email,firstname,hs_lead_status"}
        ),
        "contacts+associations": Call("GET", fill(), {"limit": 20, "associations": "companies"}),
        "deals": Call("GET", fill(object_type="deals"), {"limit": 20}),
    }


def _batch_read(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    found = {"inputs": [{"id": env.contact}], "properties": ["email"]}
    partial = {"inputs": [{"id": env.contact}, {"id": "999999999999"}], "properties": ["email"]}
    return {"found": Call("POST", fill(), json=found), "one unknown": Call("POST", fill(), json=partial)}


def _search(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    body = {"limit": 20, "properties": ["email"], "filterGroups": []}
    return {"": Call("POST", fill(), json=body)}


def _assoc_batch(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    ids = env.sb.portal.store("contacts").ids()[:20]
    return {
        "twenty contacts": Call("POST", fill(), json={"inputs": [{"id": i} for i in ids]}),
        "one unknown": Call("POST", fill(), json={"inputs": [{"id": env.contact}, {"id": "999999999999"}]}),
    }


def _analytics(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    span = {"start": "20250101", "end": "20250131"}
    total = "/analytics/v2/reports/{breakdown}/total"
    return {
        "total": Call("GET", fill(time_period="total"), span, operation=total),
        "daily": Call("GET", fill(time_period="daily"), span),
        "monthly": Call("GET", fill(breakdown_by="totals", time_period="monthly"), span),
    }


def _legacy_properties(env: Env, fill: Callable[..., str]) -> dict[str, Call]:
    return {"contacts": Call("GET", fill()), "form": Call("GET", fill(object_type="form"))}


CASES: list[Case] = [
    Case(r"/oauth/({v}|v1)/token", _token_calls),
    Case(r"/oauth/{v}/token/introspect", _introspect_calls),
    Case(r"/oauth/{v}/token/revoke", _revoke_calls),
    Case(r"/oauth/v1/access-tokens/{token}", _v1_token_info("access_token")),
    Case(r"/oauth/v1/refresh-tokens/{token}", _v1_token_info("refresh_token")),
    Case(r"DELETE /oauth/v1/refresh-tokens/{token}", _v1_revoke),
    Case(r"/account-info/{v}/details", _get()),
    Case(r"/crm/{v}/objects/{object_type}|/crm/objects/{v}/{object_type}", _objects_list),
    Case(r".*/{object_type}/{record_id}", _get({"associations": "companies", "properties": "email,phone"})),
    Case(r".*/{object_type}/batch/read", _batch_read),
    Case(r".*/{object_type}/search", _search),
    Case(r".*properties.*/{object_type}", _get()),
    Case(r".*properties.*/{object_type}/groups", _get()),
    Case(r".*properties.*/{object_type}/{property_name}", _get()),
    Case(r".*/{from_type}/{record_id}/associations/{to_type}", _get(), {"from_type": "companies"}),
    Case(r".*/{from_type}/{to_type}/batch/read", _assoc_batch),
    Case(r"/crm/{v}/owners/?|/crm/owners/{v}", _get({"limit": 50})),
    Case(r".*owners.*/{owner_id}", _get()),
    Case(r".*pipelines.*/{object_type}(/{pipeline_id}(/stages)?)?", _get(), {"object_type": "deals"}),
    Case(r"/marketing/{v}/emails/?|/marketing/emails/{v}", _get({"limit": 20, "includeStats": "true"})),
    Case(r".*emails.*/{email_id}", _get()),
    Case(r".*emails.*/statistics/list", _get(WINDOW)),
    Case(r".*emails.*/statistics/histogram", _get({**WINDOW, "interval": "MONTH"})),
    Case(r"/marketing/{v}/campaigns/?|/marketing/campaigns/{v}", _get({"limit": 20})),
    Case(r".*campaigns.*/{campaign_guid}", _get()),
    Case(r".*campaigns.*/{campaign_guid}/assets/{asset_type}", _get(), {"asset_type": "MARKETING_EMAIL"}),
    Case(r".*campaigns.*/{campaign_guid}/reports/(metrics|revenue)", _get()),
    Case(r"/marketing/{v}/forms/?|/marketing/forms/{v}", _get({"formTypes": "all"})),
    Case(r".*forms.*/{form_id}", _get()),
    Case(r"/form-integrations/v1/submissions/forms/{form_guid}", _get({"limit": 20})),
    Case(r"/email/public/v1/events", _get({"limit": 50})),
    Case(r"/email/public/v1/campaigns/by-id", _get()),
    Case(r"/email/public/v1/campaigns/{campaign_id}", _get()),
    Case(r"/analytics/v2/reports/{breakdown_by}/{time_period}", _analytics, {"breakdown_by": "sources"}),
    Case(
        r"/analytics/v2/reports/{breakdown_by}/summarize/{time_period}",
        _get({"start": "20250101", "end": "20250131"}),
        {"breakdown_by": "sources", "time_period": "daily"},
    ),
    # routes third-party extractors call
    Case(r"/crm/{v}/schemas", _get()),
    Case(r"POST /crm/{v}/lists/search", lambda env, fill: {"": Call("POST", fill(), json={"count": 20})}),
    Case(r"/settings/{v}/users/?", _get({"limit": 20})),
    Case(r"/settings/{v}/users/teams", _get()),
    Case(r"/properties/v2/{object_type}/properties", _legacy_properties),
    Case(r"/engagements/v1/engagements/paged", _get({"limit": 50})),
    Case(r"/email/public/v1/campaigns", _get({"limit": 20})),
    Case(r"/email/public/v1/subscriptions", _get()),
    Case(r"/email/public/v1/subscriptions/timeline", _get({"limit": 20})),
    Case(r"/forms/v2/forms", _get()),
    Case(r"/marketing-emails/v1/emails/with-statistics", _get({"limit": 20})),
    Case(r"/automation/{v}/workflows", _get()),
]


def _generic(pattern: str) -> str:
    """The route pattern with its version segment as ``{v}`` (v1-v4 stay: they name distinct APIs)."""
    return re.sub(r"/(v3|v4|\d{4}-\d{2}(?:-beta)?)(?=/|$)", "/{v}", pattern, count=1)


def _case_of(method: str, pattern: str) -> Case | None:
    generic = _generic(pattern)
    found = [c for c in CASES if re.fullmatch(c.pattern, f"{method} {generic}")]
    found = found or [c for c in CASES if re.fullmatch(c.pattern, generic) and method != "DELETE"]
    return found[0] if len(found) == 1 else None


def _table(version: str | None) -> str:
    return (
        version if version in ("2026-03", "2026-09") else "2026-09" if version == "2026-09-beta" else "legacy"
    )


def _skeleton(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path.rstrip("/") or "/")


def _operation(method: str, table: str, path: str) -> tuple[str, str] | None:
    """The OPERATIONS key (method, template) whose skeleton matches ``path``'s."""
    wanted = _skeleton(path)
    keys = [k for k in OPERATIONS[table] if k[0] == method and _skeleton(k[1]) == wanted]
    return keys[0] if len(keys) == 1 else None


ROUTES = [r for r in build_router().routes if r.pattern not in NOT_HUBSPOT_API]
ROUTE_IDS = [f"{r.method} {r.pattern}" for r in ROUTES]


def test_every_route_has_a_case() -> None:
    """A route the sandbox serves that this test cannot call or has no declared shape for fails here."""
    all_routes = build_router().routes
    missing = [
        f"{r.method} {r.pattern}"
        for r in all_routes
        if r.pattern not in NOT_HUBSPOT_API and _case_of(r.method, r.pattern) is None
    ]
    assert not missing, f"routes with no request case in CASES (or more than one): {missing}"
    no_op = [
        f"{r.method} {r.pattern}"
        for r in ROUTES
        if _operation(r.method, _table(r.version), r.pattern) is None
    ]
    assert not no_op, f"routes with no operation in tests/spec_shapes.OPERATIONS: {no_op}"
    unknown = {r.pattern for r in all_routes} - {r.pattern for r in all_routes if r.version} - NOT_HUBSPOT_API
    assert not unknown, f"unversioned routes neither API nor listed in NOT_HUBSPOT_API: {sorted(unknown)}"


@pytest.fixture(scope="module")
def env(sandbox: Sandbox, token: str) -> Env:
    headers = {"Authorization": f"Bearer {token}"}
    owners = requests.get(f"{sandbox.base_url}/crm/v3/owners", headers=headers, timeout=30).json()
    pipes = requests.get(f"{sandbox.base_url}/crm/v3/pipelines/deals", headers=headers, timeout=30).json()
    emails = requests.get(
        f"{sandbox.base_url}/marketing/v3/emails", params={"limit": 50}, headers=headers, timeout=30
    ).json()
    sent = next(e for e in emails["results"] if e.get("allEmailCampaignIds"))
    forms = requests.get(f"{sandbox.base_url}/marketing/v3/forms", headers=headers, timeout=30).json()
    return Env(
        sb=sandbox,
        token=token,
        contact=sandbox.portal.store("contacts").ids()[0],
        company=sandbox.portal.store("companies").ids()[0],
        pipeline=pipes["results"][0]["id"],
        email_id=sent["id"],
        campaign=sandbox.marketing.campaigns[0].id,
        form_id=forms["results"][0]["id"],
        legacy_campaign=str(sent["allEmailCampaignIds"][0]),
        owner=owners["results"][0]["id"],
    )


def _fold(messages: list[str]) -> list[str]:
    """``$.results[3].properties.email: …`` → ``$.results[*].properties.<key>: …`` (once each)."""
    out = []
    for m in messages:
        where, _, what = m.partition(": ")
        where = re.sub(r"\[\d+\]", "[*]", where)
        where = re.sub(r"\.(properties|counters|ratios)\.[^.]+$", r".\1.<key>", where)
        out.append(f"{where}: {what}")
    return sorted(set(out))


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_route_answers_as_its_spec_declares(env: Env, route: Any) -> None:
    case = _case_of(route.method, route.pattern)
    assert case is not None, "no request case (see test_every_route_has_a_case)"
    table = _table(route.version)
    values = {
        "object_type": "contacts",
        "record_id": env.contact,
        "property_name": "email",
        "from_type": "contacts",
        "to_type": "companies",
        "owner_id": env.owner,
        "pipeline_id": env.pipeline,
        "email_id": env.email_id,
        "campaign_guid": env.campaign,
        "form_id": env.form_id,
        "form_guid": env.form_id,
        "campaign_id": env.legacy_campaign,
        **case.values,
    }
    if values["from_type"] == "companies":
        values["record_id"] = env.company

    def fill(**override: str) -> str:
        parts = {**values, **override}
        return re.sub(r"\{(\w+)\}", lambda m: parts[m.group(1)], route.pattern)

    report = []
    for label, call in case.build(env, fill).items():
        headers = {"Authorization": f"Bearer {env.token}"} if call.auth else {}
        resp = requests.request(
            call.method,
            env.sb.base_url + call.path,
            params=call.params,
            json=call.json,
            data=call.form,
            headers=headers,
            timeout=30,
        )
        op = (
            (call.method, call.operation) if call.operation else _operation(call.method, table, route.pattern)
        )
        assert op is not None
        declared = OPERATIONS[table][op]
        if not declared:  # the spec declares no success body: a bare success status is right
            assert resp.status_code in (200, 204), f"{label}: {resp.status_code} {resp.text[:200]}"
            continue
        assert resp.status_code in declared, (
            f"{label}: status {resp.status_code} is not one {table} declares {sorted(declared)}: "
            f"{resp.text[:200]}"
        )
        shape = response_shape(table, *op, resp.status_code)
        assert shape is not None
        lines = _unexplained(table, _fold(problems(resp.json(), shape)))
        report += [f"{label or 'call'}: {line}" for line in lines]
    assert report == []


def _unexplained(table: str, lines: list[str]) -> list[str]:
    return [x for x in lines if not any(table in a.versions and re.search(a.pattern, x) for a in ALLOWED)]


def test_dated_2026_09_batch_reads_report_unknown_ids_in_a_200(env: Env) -> None:
    """2026-09 declares no 207: unknown ids come back in a 200 carrying errors and numErrors (v3/v4
    and 2026-03 answer the same request 207)."""
    headers = {"Authorization": f"Bearer {env.token}"}
    objects = "/crm/objects/{v}/{objectType}/batch/read"
    links = "/crm/associations/{v}/{fromObjectType}/{toObjectType}/batch/read"
    body = {"inputs": [{"id": env.contact}, {"id": "999999999999"}]}
    for template, concrete in ((objects, "contacts"), (links, "contacts/companies")):
        for version, status in (("2026-03", 207), ("2026-09", 200)):
            path = template.split("{objectType}")[0].split("{fromObjectType}")[0].replace("{v}", version)
            resp = requests.post(
                env.sb.base_url + path + concrete + "/batch/read", json=body, headers=headers, timeout=30
            )
            assert resp.status_code == status, (path, resp.status_code)
            out = resp.json()
            assert out["numErrors"] == len(out["errors"]) == 1
            assert "999999999999" in str(out["errors"][0]["context"])
            shape = response_shape(version, "POST", template.replace("{v}", version), status)
            assert shape is not None
            assert _unexplained(version, _fold(problems(out, shape))) == []


def test_allow_list_entries_say_why() -> None:
    for a in ALLOWED:
        re.compile(a.pattern)
        assert a.reason and a.source and set(a.versions) <= set(OPERATIONS)
