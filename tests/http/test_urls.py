"""The one map of endpoint paths per API version, choosing the version, and the legacy notice."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import hubspot_nb as hnb
from hubspot_nb.auth.settings import TOKEN_ENDPOINT_FOR_API_VERSION, resolve, resolve_api_version
from hubspot_nb.errors import HubSpotLegacyAPIWarning
from hubspot_nb.http import urls
from hubspot_nb.http.client import HubSpotClient

LEGACY_ONLY = {"marketing.forms", "marketing.form_submissions", "marketing.email_events", "analytics.report"}
NUMBERED = re.compile(r"/v[1-4](/|$)")


def test_one_map_per_version_dated_wherever_hubspot_has_a_dated_path() -> None:
    assert urls.API_VERSIONS == ("2026-09", "2026-03", "legacy") and urls.DEFAULT_API_VERSION == "2026-09"
    assert set(urls.LEGACY_ONLY) == LEGACY_ONLY
    names = set(urls.PATHS["legacy"])
    for version in urls.API_VERSIONS:
        assert set(urls.PATHS[version]) == names, version
    for name in names:
        legacy = urls.PATHS["legacy"][name]
        assert NUMBERED.search(legacy) and "2026" not in legacy, name
        for version in urls.DATED_VERSIONS:
            template = urls.PATHS[version][name]
            if name in LEGACY_ONLY:
                assert template == legacy, (version, name)
            else:
                assert f"/{version}" in template and not NUMBERED.search(template), (version, name)
    # spot checks against docs/hubspot-paths.md
    assert urls.PATHS["2026-09"]["crm.objects"] == "/crm/objects/2026-09/{object_type}"
    assert urls.PATHS["2026-03"]["crm.owners"] == "/crm/owners/2026-03"
    assert (
        urls.PATHS["2026-09"]["crm.associations.batch_read"]
        == "/crm/associations/2026-09/{from_type}/{to_type}/batch/read"
    )
    assert urls.PATHS["legacy"]["crm.associations.batch_read"].startswith("/crm/v4/associations/")
    assert urls.PATHS["2026-09"]["marketing.emails.statistics"] == "/marketing/emails/2026-09/statistics/list"
    assert urls.PATHS["2026-09"]["account.details"] == "/account-info/2026-09/details"
    assert urls.PATHS["2026-09"]["marketing.forms"] == "/marketing/v3/forms"  # not the 2026-09-beta


def test_the_client_fills_in_its_own_version() -> None:
    token = hnb.Token("sbx-at-" + "A" * 40)
    assert HubSpotClient(token).path("crm.pipelines", object_type="deals") == "/crm/pipelines/2026-09/deals"
    legacy = HubSpotClient(token, api_version=" Legacy ")
    assert legacy.api_version == "legacy" and legacy.path("crm.owners") == "/crm/v3/owners"
    assert hnb.Hub(token, api_version="2026-03").client.path("crm.owners") == "/crm/owners/2026-03"
    with pytest.raises(hnb.ConfigError, match="2026-09, 2026-03, legacy"):
        HubSpotClient(token, api_version="v3")


def test_arguments_beat_the_environment_which_beats_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve().api_version == resolve_api_version() == "2026-09"
    monkeypatch.setenv("HUBSPOT_API_VERSION", "legacy")
    assert resolve().api_version == resolve_api_version() == "legacy"
    assert resolve(api_version="2026-03").api_version == resolve_api_version("2026-03") == "2026-03"
    monkeypatch.setenv("HUBSPOT_API_VERSION", "2025-09")
    with pytest.raises(hnb.ConfigError, match=r"2026-09, 2026-03, legacy.*HUBSPOT_API_VERSION"):
        resolve()
    with pytest.raises(hnb.ConfigError, match="2026-09, 2026-03, legacy"):
        hnb.connect()


def test_the_token_endpoint_follows_the_version_unless_chosen() -> None:
    assert TOKEN_ENDPOINT_FOR_API_VERSION == {"2026-09": "2026-03", "2026-03": "2026-03", "legacy": "v3"}
    for version, endpoint in TOKEN_ENDPOINT_FOR_API_VERSION.items():
        assert resolve(api_version=version).token_endpoint == endpoint
        flow = hnb.OAuthFlow("id", "secret", "http://localhost:8765/cb", api_version=version)
        assert (flow.api_version, flow.token_endpoint) == (version, endpoint)
    assert resolve(api_version="legacy", token_endpoint="v1").token_endpoint == "v1"
    assert hnb.OAuthFlow("id", "s", "http://localhost:1/cb", token_endpoint="v3").token_endpoint == "v3"


def test_a_legacy_only_family_is_announced_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(urls, "_noticed", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            urls.path("marketing.email_events", "2026-09")
            urls.path("analytics.report", "2026-03", breakdown="sources", period="total")
            urls.path("crm.objects", "2026-09", object_type="contacts")  # dated: no notice
    notices = [w for w in caught if issubclass(w.category, HubSpotLegacyAPIWarning)]
    assert len(notices) == 2, [str(w.message) for w in caught]
    events, analytics = (str(w.message) for w in notices)
    assert "email events (v1)" in events and "/email/public/v1/events" in events
    assert "analytics reports (v2)" in analytics and "2026-03" in analytics
    assert all("September 2027" in str(w.message) for w in notices)
    assert issubclass(HubSpotLegacyAPIWarning, DeprecationWarning)
    with warnings.catch_warnings(record=True) as again:  # legacy chosen: nothing to announce
        warnings.simplefilter("always")
        monkeypatch.setattr(urls, "_noticed", set())
        urls.path("marketing.forms", "legacy")
    assert not again


def test_the_notice_shows_by_default_outside_main(tmp_path: Path) -> None:
    """DeprecationWarning is hidden by default unless raised from ``__main__``; this one is not:
    a helper module (here ``probe``) using a legacy-only family prints it once on stderr."""
    (tmp_path / "probe.py").write_text(
        textwrap.dedent("""
            import hubspot_nb as hnb
            from hubspot_nb.http.client import HubSpotClient

            def use():
                client = HubSpotClient(hnb.Token("t"))
                for _ in range(3):
                    client.path("marketing.form_submissions", form_id="f")
                    client.path("marketing.forms")
        """)
    )
    done = subprocess.run(
        [sys.executable, "-c", "import probe; probe.use()"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": f"{tmp_path}:{Path(__file__).parents[2]}", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "HubSpotLegacyAPIWarning" in line]
    assert len(lines) == 2, done.stderr
    assert "form submissions (v1)" in done.stderr and "forms (v3)" in done.stderr
    assert done.stderr.count("September 2027") == 2
