"""A released third-party HubSpot extractor, unchanged, syncs the sandbox (issue 14, "must show" 7).

The extractor is Airbyte's ``airbyte-source-hubspot`` (pinned below), installed from PyPI into a venv
cached in ``.venv-extractor/`` (ignored by git). Like every HubSpot extractor on PyPI it writes
``https://api.hubapi.com`` into its code with no setting for it, so the test points it at the sandbox
with the standard proxy environment only (``HTTPS_PROXY`` + a CA for that name, see
``_hubapi_proxy``); ``pip-system-certs`` (PyPI) makes its ``requests`` honour ``SSL_CERT_FILE``, since
Airbyte's HTTP client ignores ``REQUESTS_CA_BUNDLE``. No line of the extractor is changed.

It runs ``discover`` and a ``read`` of contacts, companies, deals, owners, deal pipelines, forms, form
submissions, email events and marketing emails, and compares the RECORD count per stream with the
sandbox's own data. A failed install fails the test: a skipped check is not a pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hubspot_nb.sandbox import start

from ._hubapi_proxy import HubapiProxy

EXTRACTOR = "airbyte-source-hubspot==5.7.0"
CERTS = "pip-system-certs==5.3"
TOKEN = "pat-na1-3c1f7d52-9b0e-4c1a-8f5e-2d6a4b7e9c01"
STREAMS = ["contacts", "companies", "deals", "owners", "deal_pipelines", "forms", "form_submissions",
           "email_events", "marketing_emails"]  # fmt: skip
VENV = Path(__file__).resolve().parents[2] / ".venv-extractor"

pytestmark = pytest.mark.slow


def _extractor() -> Path:
    """The extractor's entry point, installed (once; the venv is cached) with the pinned versions."""
    exe = VENV / "bin" / "source-hubspot"
    stamp = VENV / f".installed-{EXTRACTOR}-{CERTS}"
    if not stamp.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        done = subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", EXTRACTOR, CERTS],
                              capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 0, f"could not install {EXTRACTOR}: {done.stderr[-2000:]}"
        stamp.touch()
    assert exe.exists(), f"{EXTRACTOR} installed no source-hubspot command"
    return exe


def _run(exe: Path, args: list[str], env: dict[str, str], out: Path) -> list[dict[str, Any]]:
    done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=1200)
    out.write_text(done.stdout)
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    problems = [m["log"]["message"][:500] for m in messages
                if m["type"] == "LOG" and m["log"]["level"] in ("ERROR", "FATAL")]  # fmt: skip
    assert done.returncode == 0 and not problems, (
        f"source-hubspot {args[0]} failed: {problems or done.stderr[-2000:]}"
    )
    return messages


def test_airbyte_source_hubspot_syncs_the_sandbox(tmp_path: Path) -> None:
    began = time.monotonic()
    exe = _extractor()
    installed = time.monotonic() - began
    sb = start(seed=7, contacts=300, companies=60, deals=120, tickets=30, private_tokens=[TOKEN])
    try:
        config = tmp_path / "config.json"
        config.write_text(json.dumps({
            "credentials": {"credentials_title": "Private App Credentials", "access_token": TOKEN},
            "start_date": "2015-01-01T00:00:00Z",
        }))  # fmt: skip
        with HubapiProxy(sb.config.port, tmp_path / "certs") as proxy:
            env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
            env.update(HTTPS_PROXY=proxy.url, https_proxy=proxy.url, SSL_CERT_FILE=str(proxy.ca_bundle),
                       REQUESTS_CA_BUNDLE=str(proxy.ca_bundle))  # fmt: skip
            found = _run(exe, ["discover", "--config", str(config)], env, tmp_path / "discover.out")
            catalogue = next(m["catalog"] for m in found if m["type"] == "CATALOG")
            streams = {s["name"]: s for s in catalogue["streams"]}
            assert set(STREAMS) <= set(streams), f"discovery lacks {sorted(set(STREAMS) - set(streams))}"
            configured = tmp_path / "catalog.json"
            configured.write_text(json.dumps({"streams": [
                {"stream": streams[n], "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
                for n in STREAMS
            ]}))  # fmt: skip
            read = ["read", "--config", str(config), "--catalog", str(configured)]
            messages = _run(exe, read, env, tmp_path / "read.out")
            assert proxy.refused == [], f"the extractor tried other hosts: {proxy.refused}"
        counts = Counter(m["record"]["stream"] for m in messages if m["type"] == "RECORD")
        portal, md = sb.portal, sb.marketing
        forms = [f for f in md.forms if not f.archived and f.form_type in ("hubspot", "captured", "flow")]
        expected = {
            "contacts": len(portal.stores["contacts"].ids()),
            "companies": len(portal.stores["companies"].ids()),
            "deals": len(portal.stores["deals"].ids()),
            "owners": sum(1 for o in portal.owners if not o["archived"]),
            "deal_pipelines": len(portal.pipelines["deals"]),
            "forms": len(forms),
            "form_submissions": sum(len(md.submissions[f.id]) for f in forms),
            "email_events": len(md.events.type),
            "marketing_emails": sum(1 for e in md.emails if not e.archived),
        }
        assert {n: counts[n] for n in STREAMS} == expected
        assert all(expected.values()), expected  # every stream has data, so the check means something
        refused = {k: v for k, v in sb.stats.snapshot()["responses"].items() if k.startswith("4")}
        assert refused == {}, f"the sandbox refused some calls: {refused}"
        print(
            f"install {installed:.0f}s, run {time.monotonic() - began - installed:.0f}s, "
            f"counts {dict(counts)}"
        )
    finally:
        sb.stop()
