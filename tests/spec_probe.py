"""Probe: call every legacy endpoint the sandbox serves and check each answer against tests/spec_shapes.

A plain script, not a test module (pytest collects nothing here)::

    .venv/bin/python tests/spec_probe.py            # prints a Markdown report to stdout
    .venv/bin/python tests/spec_probe.py --json     # the raw findings

Problems are folded: list indices become ``[*]`` and map keys under a ``{…}`` type stay as they are
only when few; each line says how often it occurred.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import spec_shapes as ss

import hubspot_nb as hnb

PAT = "pat-na1-00000000-0000-4000-8000-000000000001"
WINDOW = {"startTimestamp": "2024-01-01T00:00:00Z", "endTimestamp": "2026-12-01T00:00:00Z"}


def fold(messages: list[str]) -> list[str]:
    """``$.results[3].properties.email: …`` → ``$.results[*].properties.email: …`` counted once."""
    counts: Counter[str] = Counter()
    for m in messages:
        where, _, what = m.partition(": ")
        where = re.sub(r"\[\d+\]", "[*]", where)
        what = re.sub(r"'[^']*' is not", "value is not", what)
        counts[f"{where}: {what}"] += 1
    return [f"{k}" + (f"  (x{n})" if n > 1 else "") for k, n in sorted(counts.items())]


def fold_map_keys(lines: list[str], prefix: str) -> list[str]:
    """Collapse per-key lines under a map (e.g. ``properties.<name>``) into one line with a count."""
    out: dict[str, int] = {}
    pattern = re.compile(re.escape(prefix) + r"\.[^.:]+(: .*?)(  \(x(\d+)\))?$")
    rest = []
    for line in lines:
        m = pattern.match(line)
        if m:
            key = f"{prefix}.<key>{m.group(1)}"
            out[key] = out.get(key, 0) + int(m.group(3) or 1)
        else:
            rest.append(line)
    return rest + [f"{k}  (x{n})" for k, n in out.items()]


def main() -> None:
    sb = hnb.sandbox.start(private_tokens=[PAT], seed=7)
    base = sb.base_url
    findings: list[dict[str, Any]] = []
    try:
        tok = sb.oauth_token(sb.all_scopes())
        access, refresh = tok["access_token"], tok["refresh_token"]
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {access}"

        def check(label: str, version: str, method: str, template: str, resp: requests.Response) -> Any:
            status = resp.status_code
            try:
                body = resp.json() if resp.content else None
            except ValueError:
                body = resp.text[:200]
            ops = ss.OPERATIONS[version].get((method, template))
            entry: dict[str, Any] = {"label": label, "status": status, "template": f"{method} {template}"}
            if ops is None:
                entry["problems"] = ["(no operation in spec_shapes)"]
            elif status not in ops and ops:
                entry["problems"] = [
                    f"status {status} is not a declared success status {sorted(ops)}: {str(body)[:160]}"
                ]
            elif not ops:
                entry["problems"] = [] if status in (200, 204) else [f"status {status}"]
                entry["note"] = "spec declares no success body"
            else:
                shape = ss.shape(version, ops[status])
                lines = fold(ss.problems(body, shape))
                for prefix in (
                    "$.results[*].properties",
                    "$.properties",
                    "$.results[*].counters",
                    "$.aggregate.counters",
                ):
                    lines = fold_map_keys(lines, prefix)
                entry["problems"] = lines
            findings.append(entry)
            return body

        def get(label: str, template: str, path: str, params: Any = None, version: str = "legacy") -> Any:
            return check(label, version, "GET", template, s.get(base + path, params=params))

        def post(label: str, template: str, path: str, payload: Any, version: str = "legacy") -> Any:
            return check(label, version, "POST", template, s.post(base + path, json=payload))

        # -- CRM ---------------------------------------------------------------------------------
        T = "/crm/v3/objects/{objectType}"
        page = get(
            "contacts list",
            T,
            "/crm/v3/objects/contacts",
            {"limit": 5, "properties": "email,firstname,hs_lead_status"},
        )
        get(
            "contacts list + associations",
            T,
            "/crm/v3/objects/contacts",
            {"limit": 5, "associations": "companies"},
        )
        get("deals list", T, "/crm/v3/objects/deals", {"limit": 5})
        cid = page["results"][0]["id"]
        get(
            "contact get one",
            T + "/{objectId}",
            f"/crm/v3/objects/contacts/{cid}",
            {"associations": "companies"},
        )
        post(
            "contacts batch read (all found)",
            T + "/batch/read",
            "/crm/v3/objects/contacts/batch/read",
            {"inputs": [{"id": cid}], "properties": ["email"]},
        )
        post(
            "contacts batch read (one missing -> 207)",
            T + "/batch/read",
            "/crm/v3/objects/contacts/batch/read",
            {"inputs": [{"id": cid}, {"id": "999999999999"}], "properties": ["email"]},
        )
        post(
            "contacts search",
            T + "/search",
            "/crm/v3/objects/contacts/search",
            {"limit": 5, "properties": ["email"], "filterGroups": []},
        )
        get("contact properties", "/crm/v3/properties/{objectType}", "/crm/v3/properties/contacts")
        get("deal properties", "/crm/v3/properties/{objectType}", "/crm/v3/properties/deals")
        get(
            "property one",
            "/crm/v3/properties/{objectType}/{propertyName}",
            "/crm/v3/properties/contacts/email",
        )
        get("property groups", "/crm/v3/properties/{objectType}/groups", "/crm/v3/properties/contacts/groups")
        comp = get("companies list", T, "/crm/v3/objects/companies", {"limit": 3})
        post(
            "associations v4 batch read",
            "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
            "/crm/v4/associations/contacts/companies/batch/read",
            {"inputs": [{"id": r["id"]} for r in page["results"]]},
        )
        post(
            "associations v4 batch read (one unknown id)",
            "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
            "/crm/v4/associations/contacts/companies/batch/read",
            {"inputs": [{"id": cid}, {"id": "999999999999"}]},
        )
        get(
            "record associations v4",
            "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}",
            f"/crm/v4/objects/companies/{comp['results'][0]['id']}/associations/contacts",
        )
        owners = get("owners", "/crm/v3/owners", "/crm/v3/owners", {"limit": 5})
        if owners and owners.get("results"):
            get("owner one", "/crm/v3/owners/{ownerId}", f"/crm/v3/owners/{owners['results'][0]['id']}")
        pipes = get("deal pipelines", "/crm/v3/pipelines/{objectType}", "/crm/v3/pipelines/deals")
        if pipes and pipes.get("results"):
            pid = pipes["results"][0]["id"]
            get(
                "pipeline one",
                "/crm/v3/pipelines/{objectType}/{pipelineId}",
                f"/crm/v3/pipelines/deals/{pid}",
            )
            get(
                "pipeline stages",
                "/crm/v3/pipelines/{objectType}/{pipelineId}/stages",
                f"/crm/v3/pipelines/deals/{pid}/stages",
            )
        get("account info (OAuth token)", "/account-info/v3/details", "/account-info/v3/details")
        check(
            "account info (private-app token)",
            "legacy",
            "GET",
            "/account-info/v3/details",
            requests.get(base + "/account-info/v3/details", headers={"Authorization": f"Bearer {PAT}"}),
        )

        # -- OAuth -------------------------------------------------------------------------------
        client = {"client_id": hnb.sandbox.CLIENT_ID, "client_secret": hnb.sandbox.CLIENT_SECRET}
        check("token (2026-03 login)", "2026-03", "POST", "/oauth/2026-03/token", _Fake(tok))
        for version, prefix in (("legacy", "/oauth/v3"), ("2026-03", "/oauth/2026-03")):
            tpl = f"{prefix}/token"
            r = requests.post(
                base + tpl, data={**client, "grant_type": "refresh_token", "refresh_token": refresh}
            )
            fresh = check(f"token refresh ({prefix})", version, "POST", tpl, r)
            if isinstance(fresh, dict) and "access_token" in fresh:
                access = fresh["access_token"]
                s.headers["Authorization"] = f"Bearer {access}"
            for hint, value in (("access_token", access), ("refresh_token", refresh)):
                r = requests.post(
                    base + f"{prefix}/token/introspect",
                    data={**client, "token": value, "token_type_hint": hint},
                )
                check(f"introspect {hint} ({prefix})", version, "POST", f"{prefix}/token/introspect", r)
        r = requests.post(
            base + "/oauth/v1/token", data={**client, "grant_type": "refresh_token", "refresh_token": refresh}
        )
        check("token refresh (v1)", "legacy", "POST", "/oauth/v1/token", r)
        get("v1 access-token info", "/oauth/v1/access-tokens/{token}", f"/oauth/v1/access-tokens/{access}")
        get(
            "v1 refresh-token info", "/oauth/v1/refresh-tokens/{token}", f"/oauth/v1/refresh-tokens/{refresh}"
        )

        # -- marketing ---------------------------------------------------------------------------
        emails = get(
            "marketing emails",
            "/marketing/v3/emails",
            "/marketing/v3/emails",
            {"limit": 5, "includeStats": "true"},
        )
        if emails and emails.get("results"):
            eid = emails["results"][0]["id"]
            get("marketing email one", "/marketing/v3/emails/{emailId}", f"/marketing/v3/emails/{eid}")
        get(
            "email statistics list",
            "/marketing/v3/emails/statistics/list",
            "/marketing/v3/emails/statistics/list",
            WINDOW,
        )
        get(
            "email statistics histogram",
            "/marketing/v3/emails/statistics/histogram",
            "/marketing/v3/emails/statistics/histogram",
            {**WINDOW, "interval": "MONTH"},
        )
        camps = get("campaigns", "/marketing/v3/campaigns", "/marketing/v3/campaigns", {"limit": 5})
        if camps and camps.get("results"):
            guid = camps["results"][0]["id"]
            CT = "/marketing/v3/campaigns/{campaignGuid}"
            get("campaign one", CT, f"/marketing/v3/campaigns/{guid}")
            get(
                "campaign assets",
                CT + "/assets/{assetType}",
                f"/marketing/v3/campaigns/{guid}/assets/MARKETING_EMAIL",
            )
            get(
                "campaign metrics", CT + "/reports/metrics", f"/marketing/v3/campaigns/{guid}/reports/metrics"
            )
            get(
                "campaign revenue", CT + "/reports/revenue", f"/marketing/v3/campaigns/{guid}/reports/revenue"
            )
        forms = get("forms", "/marketing/v3/forms", "/marketing/v3/forms", {"formTypes": "all"})
        if forms and forms.get("results"):
            fid = forms["results"][0]["id"]
            get("form one", "/marketing/v3/forms/{formId}", f"/marketing/v3/forms/{fid}")
            get(
                "form submissions v1",
                "/form-integrations/v1/submissions/forms/{formGuid}",
                f"/form-integrations/v1/submissions/forms/{fid}",
                {"limit": 10},
            )
        get("email events v1", "/email/public/v1/events", "/email/public/v1/events", {"limit": 20})
        byid = get(
            "email campaigns by-id v1", "/email/public/v1/campaigns/by-id", "/email/public/v1/campaigns/by-id"
        )
        if byid and byid.get("campaigns"):
            get(
                "email campaign v1",
                "/email/public/v1/campaigns/{campaignId}",
                f"/email/public/v1/campaigns/{byid['campaigns'][0]['id']}",
            )
        span = {"start": "20250101", "end": "20250131"}
        get(
            "analytics v2 sources/total",
            "/analytics/v2/reports/{breakdown}/total",
            "/analytics/v2/reports/sources/total",
            span,
        )
        get(
            "analytics v2 sources/daily",
            "/analytics/v2/reports/{breakdown}/{period}",
            "/analytics/v2/reports/sources/daily",
            span,
        )
    finally:
        sb.stop()

    if "--json" in sys.argv:
        print(json.dumps(findings, indent=1))
        return
    for f in findings:
        print(f"### {f['label']} — `{f['template']}` → {f['status']}")
        print(*(f"- {p}" for p in f["problems"]) if f["problems"] else ["- no problems"], sep="\n")
        if f.get("note"):
            print(f"- note: {f['note']}")
        print()


class _Fake:
    """A response-like wrapper for a body already parsed (the login's token reply)."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.status_code, self._body, self.content, self.text = 200, body, b"x", json.dumps(body)

    def json(self) -> Any:
        return self._body


if __name__ == "__main__":
    main()
