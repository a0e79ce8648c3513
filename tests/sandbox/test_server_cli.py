"""``hubspot-nb sandbox`` as a user runs it: a real subprocess, its banner, Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from hubspot_nb.sandbox import run


def command() -> list[str]:
    script = Path(sys.executable).with_name("hubspot-nb")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hubspot_nb.cli"]


def read_banner(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """The banner the CLI prints up to "Press Ctrl-C", and the API base URL it names."""
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        assert line, f"the CLI exited early: {proc.stderr.read()}"
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    banner = "".join(lines)
    found = re.search(r"API base URL:\s+(http://127\.0\.0\.1:\d+)", banner)
    assert found, banner
    return banner, found.group(1)


def test_cli_prints_how_to_connect_serves_and_stops_cleanly_on_ctrl_c():
    args = [*command(), "sandbox", "--port", "0", "--contacts", "30", "--companies", "5", "--deals", "5"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner, base_url = read_banner(proc)
        assert "Client ID:      sandbox-client-id" in banner
        assert "Client secret:  sandbox-client-secret" in banner
        assert f"{base_url}/oauth/callback" in banner and "http://localhost:PORT" in banner
        assert "hnb.login(" in banner

        assert requests.get(f"{base_url}/_sandbox/health", timeout=10).json()["status"] == "ok"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err and "Sandbox stopped." in out


def test_cli_explains_a_busy_port():
    with run(contacts=10, companies=2, deals=2, tickets=2) as sb:
        done = subprocess.run(
            [*command(), "sandbox", "--port", str(sb.config.port), "--contacts", "10"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert "--port 0" in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_while_the_portal_is_still_being_built_exits_cleanly():
    proc = subprocess.Popen(
        [*command(), "sandbox", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().startswith("Building")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err and "Sandbox stopped." in out


def test_cli_accepts_service_keys():
    key = "cli-service-key-0123456789"
    args = [*command(), "sandbox", "--port", "0", "--contacts", "10", "--companies", "2", "--deals", "2",
            "--service-key", key, "--service-key-account-info", "needs_oauth_scope"]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner, base_url = read_banner(proc)
        assert "Service keys accepted: 1" in banner and "hnb.login(service_key=" in banner
        assert key not in banner  # the banner names no key
        auth = {"Authorization": f"Bearer {key}"}
        reply = requests.get(f"{base_url}/crm/v3/objects/contacts?limit=1", headers=auth, timeout=10)
        assert reply.status_code == 200 and "X-HubSpot-RateLimit-Daily" in reply.headers
        details = requests.get(f"{base_url}/account-info/v3/details", headers=auth, timeout=10)
        assert details.status_code == 403  # --service-key-account-info needs_oauth_scope
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err


def test_cli_app_scope_flags_configure_the_built_in_app():
    from hubspot_nb.cli import _options, build_parser

    args = build_parser().parse_args(
        ["sandbox", "--app-scopes", "oauth crm.objects.contacts.read", "--app-optional-scopes", "forms",
         "--portal-scopes", "oauth,crm.objects.contacts.read"]
    )  # fmt: skip
    from hubspot_nb.cli import banner

    options = {**_options(args), "port": 0, "contacts": 5, "companies": 2, "deals": 2}
    with run("fast", **options) as sb:
        assert sb.config.app_scopes == ("oauth", "crm.objects.contacts.read")
        assert sb.config.app_optional_scopes == ("forms",)
        assert sb.config.portal_scopes == ("oauth", "crm.objects.contacts.read")
        assert "required: oauth crm.objects.contacts.read" in banner(sb) and "optional: forms" in banner(sb)
        params = {"client_id": sb.client_id, "redirect_uri": sb.callback_url, "scope": "oauth", "state": "s"}
        page = requests.get(f"{sb.base_url}/oauth/authorize", params=params, timeout=10)
        assert page.status_code == 400 and "mismatch between the scopes" in page.text


def test_cli_refuses_an_unknown_scope_name():
    done = subprocess.run(
        [*command(), "sandbox", "--port", "0", "--app-scopes", "oauth unicorns.read"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "unicorns.read" in done.stderr and "Traceback" not in done.stderr
