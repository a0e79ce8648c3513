"""Every data helper under each API version, against the sandbox: ``/_sandbox/stats`` proves that a
pull used only that version's paths (the legacy-only families excepted, which announce themselves
once), and batch reads cope with unknown ids whether they come as v3's 207 or 2026-09's 200."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import requests
from helpers import SMALL, make_hub, sandbox_flow, stats

import hubspot_nb as hnb
from hubspot_nb.crm.pull import read_associations
from hubspot_nb.errors import HubSpotLegacyAPIWarning
from hubspot_nb.http import urls
from hubspot_nb.hub import Hub
from hubspot_nb.marketing.forms import contact_ids_by_email
from hubspot_nb.notebook.login import approve_in_sandbox
from hubspot_nb.sandbox import Sandbox, start

# The legacy paths a dated pull may still use: families HubSpot has no date-versioned path for.
LEGACY_ONLY = re.compile(r" /(marketing/v3/forms|form-integrations/v1/|email/public/v1/|analytics/v2/)")
LEGACY_FAMILIES = {"forms (v3)", "form submissions (v1)", "email events (v1)", "analytics reports (v2)"}


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    sandbox = start(profile="fast", seed=11, **SMALL)
    try:
        yield sandbox
    finally:
        sandbox.stop()


def reset(sb: Sandbox) -> None:
    requests.post(f"{sb.base_url}/_sandbox/reset-stats", timeout=10).raise_for_status()


def api_routes(sb: Sandbox) -> dict[str, int]:
    """The API routes called since the last reset (the harness's controls and OAuth left out)."""
    return {k: n for k, n in stats(sb)["requests"].items() if "/_sandbox/" not in k and " /oauth/" not in k}


def every_helper(hub: Hub) -> dict[str, pd.DataFrame]:
    start, end = pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp.now(tz="UTC")
    return {
        "contacts": hub.contacts(associations=["companies"], labels=True),
        "companies": hub.companies(properties="all"),
        "deals": hub.deals(labels=True),
        "tickets": hub.objects("tickets"),
        "search": hub.search("contacts", filters={"lifecyclestage__in": ["lead", "customer"]}),
        "properties": hub.properties("contacts"),
        "associations": hub.associations("companies", "contacts"),
        "owners": hub.owners(),
        "pipelines": hub.pipelines("deals"),
        "emails": hub.marketing_emails(),
        "statistics": hub.email_statistics(start, end),
        "histogram": hub.email_statistics(start, end, interval="month"),
        "events": hub.email_events(start, end),
        "campaigns": hub.campaigns(),
        "forms": hub.forms(),
        "submissions": hub.form_submissions(),
        "traffic": hub.traffic(start=start, end=end),
    }


@pytest.mark.parametrize("version", urls.API_VERSIONS)
def test_a_pull_uses_only_its_versions_paths(sb: Sandbox, version: str, monkeypatch: Any) -> None:
    monkeypatch.setattr(urls, "_noticed", set())  # as in a fresh process
    hub = make_hub(sb)
    hub.api_version = version  # read when the client is made, on the first call
    reset(sb)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = every_helper(hub)
    assert all(len(frame) for name, frame in frames.items() if name != "histogram"), {
        n: len(f) for n, f in frames.items()
    }
    routes = api_routes(sb)
    legacy_only = {k for k in routes if LEGACY_ONLY.search(k)}
    assert len(legacy_only) == 4, routes  # forms, their submissions, e-mail events, analytics
    rest = set(routes) - legacy_only
    if version == "legacy":
        assert rest and not [k for k in rest if "2026-" in k], routes
    else:
        assert all(f"/{version}" in k for k in rest), routes
        assert {k.split(" ")[1].split("/")[1] for k in rest} >= {"crm", "marketing"}
    notices = [str(w.message) for w in caught if issubclass(w.category, HubSpotLegacyAPIWarning)]
    if version == "legacy":
        assert notices == []
    else:  # each legacy-only family named once, with HubSpot's unsupported date
        assert len(notices) == 4 and all("September 2027" in n for n in notices), notices
        assert {f for f in LEGACY_FAMILIES if any(n.startswith(f"hubspot_nb: {f} ") for n in notices)} == (
            LEGACY_FAMILIES
        )
    counted = stats(sb)["versions"]
    assert (version if version != "legacy" else "v3") in counted, counted


def test_every_version_gives_the_same_frames(sb: Sandbox) -> None:
    frames = {}
    for version in urls.API_VERSIONS:
        hub = make_hub(sb)
        hub.api_version = version
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HubSpotLegacyAPIWarning)
            frames[version] = {
                "contacts": hub.contacts(properties=["email", "lifecyclestage"], associations=["companies"]),
                "owners": hub.owners(),
                "emails": hub.marketing_emails(),
            }
    for version in urls.DATED_VERSIONS:
        for name, frame in frames[version].items():
            pd.testing.assert_frame_equal(frame, frames["legacy"][name], obj=f"{version} {name}")


@pytest.mark.parametrize("version", urls.API_VERSIONS)
def test_batch_reads_with_unknown_ids_on_every_version(sb: Sandbox, version: str) -> None:
    """v3/v4/2026-03 answer 207 with ``errors``; 2026-09 answers 200 with ``errors`` + ``numErrors``:
    either way the known ids come back and the unknown ones are simply absent."""
    hub = make_hub(sb)
    hub.api_version = version
    ctx = hub.context
    contacts = sb.portal.store("contacts")
    emails = [e for e in hub.contacts(properties=["email"])["email"].dropna()][:5]
    reset(sb)
    found = contact_ids_by_email(ctx, [*emails, "nobody@nowhere.invalid", "ghost@example.invalid"])
    assert set(found) == {e.lower() for e in emails}
    companies = [str(i) for i in sb.portal.store("companies").ids()[:3]]
    linked = read_associations(ctx.client, "companies", "contacts", [*companies, "999999999"])
    assert sum(len(v) for k, v in linked.items() if k in companies) > 0 and linked["999999999"] == []
    routes = api_routes(sb)
    objects, links = (
        urls.PATHS[version]["crm.objects.batch_read"],
        urls.PATHS[version]["crm.associations.batch_read"],
    )
    assert set(routes) == {f"POST {objects}", f"POST {links}"}, routes  # the sandbox names parts as we do
    statuses = stats(sb)["responses"]
    partial = 200 if version == "2026-09" else 207
    assert statuses.get(str(partial), 0) >= 2, statuses  # both batch reads reported the unknown ids
    if version == "2026-09":
        assert "207" not in statuses
    assert contacts.ids()  # the portal was not empty


@pytest.mark.parametrize("version", ["legacy", "2026-03"])
def test_oauth_flow_and_login_carry_the_version(sb: Sandbox, version: str, monkeypatch: Any) -> None:
    flow = sandbox_flow(sb, api_version=version)
    reset(sb)
    hub = hnb.Hub.from_login(flow.finish(approve_in_sandbox(flow, sb)))
    assert hub.api_version == version and hub.client.api_version == version
    token_route = "POST /oauth/v3/token" if version == "legacy" else "POST /oauth/2026-03/token"
    assert stats(sb)["requests"].get(token_route) == 1, stats(sb)["requests"]
    hub.progress = False
    hub.owners()
    owners = "GET /crm/v3/owners" if version == "legacy" else "GET /crm/owners/2026-03"
    assert api_routes(sb) == {owners: 1}
    key = sb.issue_service_key()
    monkeypatch.setenv("HUBSPOT_API_VERSION", version)
    keyed = hnb.login(service_key=key, api_base=sb.base_url, cache=False)
    assert keyed.api_version == version
    assert hnb.login(
        service_key=key, api_base=sb.base_url, cache=False, api_version="2026-09"
    ).api_version == ("2026-09")
