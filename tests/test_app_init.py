"""``hubspot-nb app init``: the HubSpot project it writes, the next steps it prints, and the round trip —
a ``login()`` set up with the printed variables asks for exactly the project's scopes, and the sandbox's
app configured with the project's lists accepts that login (and refuses one that differs)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from helpers import SMALL

import hubspot_nb as hnb
from hubspot_nb.auth.project import APP_FILE, PROJECT_FILE, AppProject, read_project
from hubspot_nb.auth.settings import ANALYSIS_OPTIONAL_SCOPES, DEFAULT_SCOPES
from hubspot_nb.cli import main
from hubspot_nb.notebook import login as login_module

ENV_NAMES = ("HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET", "HUBSPOT_REDIRECT_URI", "HUBSPOT_SCOPES",
             "HUBSPOT_OPTIONAL_SCOPES", "HUBSPOT_ACCESS_TOKEN")  # fmt: skip


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(login_module, "_SANDBOX", None)


def init(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["app", "init", *args])
    out, err = capsys.readouterr()
    return code, out, err


def exports(text: str) -> dict[str, str]:
    return dict(re.findall(r'export (HUBSPOT_[A-Z_]+)="([^"]*)"', text))


def test_init_writes_an_oauth_project_and_prints_the_next_steps(tmp_path, capsys):
    code, out, err = init(capsys, str(tmp_path / "app"))
    assert code == 0, err
    project = json.loads((tmp_path / "app" / PROJECT_FILE).read_text())
    assert project == {"name": "hubspot-nb-notebooks", "srcDir": "src", "platformVersion": "2026.03"}
    app = json.loads((tmp_path / "app" / APP_FILE).read_text())
    assert app["type"] == "app" and re.fullmatch(r"[a-z0-9_]+", app["uid"])
    config = app["config"]
    assert config["distribution"] == "private" and config["name"] == "hubspot-nb notebooks"
    auth = config["auth"]
    assert auth["type"] == "oauth"
    assert auth["redirectUrls"] == ["http://localhost:8765/callback"]
    assert auth["requiredScopes"] == DEFAULT_SCOPES and auth["optionalScopes"] == []
    assert auth["conditionallyRequiredScopes"] == []
    assert "hs project upload" in out and "Auth tab" in out and "client ID" in out and "client secret" in out
    assert exports(out) == {
        "HUBSPOT_CLIENT_ID": "<client ID from the Auth tab>",
        "HUBSPOT_CLIENT_SECRET": "<client secret from the Auth tab>",
        "HUBSPOT_REDIRECT_URI": "http://localhost:8765/callback",
        "HUBSPOT_SCOPES": " ".join(DEFAULT_SCOPES),
        "HUBSPOT_OPTIONAL_SCOPES": "",
    }


def test_options_name_port_and_scopes(tmp_path, capsys):
    where = tmp_path / "mine"
    scopes = ["--scopes", "oauth,crm.objects.contacts.read", "--optional-scopes", "forms tickets"]
    code, out, _ = init(capsys, str(where), "--name", "Ann's BI app", "--redirect-port", "9911", *scopes)
    assert code == 0
    project = read_project(where)
    assert project.name == "Ann's BI app" and project.redirect_uri == "http://localhost:9911/callback"
    assert project.scopes == ["oauth", "crm.objects.contacts.read"]
    assert project.optional_scopes == ["forms", "tickets"]
    assert json.loads((where / PROJECT_FILE).read_text())["name"] == "ann-s-bi-app"
    assert exports(out)["HUBSPOT_OPTIONAL_SCOPES"] == "forms tickets"
    code, out, _ = init(capsys, str(tmp_path / "bi"), "--for", "analysis")
    assert read_project(tmp_path / "bi").optional_scopes == ANALYSIS_OPTIONAL_SCOPES
    assert "tickets" in exports(out)["HUBSPOT_OPTIONAL_SCOPES"].split()


def test_an_existing_project_is_not_overwritten_without_force(tmp_path, capsys):
    assert init(capsys, str(tmp_path))[0] == 0
    app_file = tmp_path / APP_FILE
    app_file.write_text(app_file.read_text().replace("hubspot-nb notebooks", "edited by hand"))
    code, out, err = init(capsys, str(tmp_path), "--for", "analysis")
    assert code == 2 and out == ""
    assert "already exist" in err and "--force" in err and "Traceback" not in err
    assert "edited by hand" in app_file.read_text()
    assert init(capsys, str(tmp_path), "--for", "analysis", "--force")[0] == 0
    assert read_project(tmp_path).optional_scopes == ANALYSIS_OPTIONAL_SCOPES


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--redirect-port", "70000"], "between 1 and 65535"),
        (["--redirect-uri", "http://example.com/cb"], "Refusing plain http://"),
        (["--scopes", ""], "at least one required scope"),
        (["--scopes", "oauth crm.objects.contacts.read;drop"], "Not a HubSpot scope name"),
        (["--name", "!!!"], "name"),
    ],
)
def test_bad_options_are_explained(tmp_path, capsys, args, words):
    code, _, err = init(capsys, str(tmp_path), *args)
    assert code == 2 and words in err and "Traceback" not in err
    assert not (tmp_path / APP_FILE).exists()


def test_the_installed_command_runs(tmp_path):
    script = Path(sys.executable).with_name("hubspot-nb")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "hubspot_nb.cli"]
    done = subprocess.run([*cmd, "app", "init", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / APP_FILE).exists() and "hs project upload" in done.stdout


# -- the round trip -------------------------------------------------------------------------------------
@pytest.mark.parametrize("preset", ["crm", "analysis"])
def test_login_with_the_printed_variables_asks_for_exactly_the_projects_scopes(
    tmp_path, capsys, monkeypatch, fresh_sandbox, preset
):
    code, out, _ = init(capsys, str(tmp_path), "--for", preset)
    assert code == 0
    for name, value in exports(out).items():
        if not value.startswith("<"):
            monkeypatch.setenv(name, value)
    project = read_project(tmp_path)
    # The sandbox's app configured exactly as the project file says.
    sb = fresh_sandbox(**SMALL, app_scopes=project.scopes, app_optional_scopes=project.optional_scopes)
    hub = hnb.login(sandbox=sb, interactive="widget")
    query = parse_qs(urlsplit(hub.login_widget.flow.authorize_url).query)
    assert query["scope"][0].split(" ") == project.scopes
    assert query.get("optional_scope", [""])[0].split() == project.optional_scopes
    page = requests.get(
        hub.login_widget.flow.authorize_url.replace(sb.public_url, sb.base_url, 1), timeout=10
    )
    assert page.status_code == 200, page.text[:300]
    connected = hnb.login(sandbox=sb, auto_approve=True)
    assert connected.connected and set(connected.token.scopes) == set(
        project.scopes + project.optional_scopes
    )


def test_a_login_whose_scopes_differ_from_the_app_is_refused_with_hubspots_words(fresh_sandbox):
    project = AppProject()  # required only: no optional scopes configured
    sb = fresh_sandbox(**SMALL, app_scopes=project.scopes, app_optional_scopes=project.optional_scopes)
    with pytest.raises(hnb.LoginFailed) as info:
        hnb.login(sandbox=sb, auto_approve=True)  # asks for the analysis scopes too: not configured
    text = str(info.value)
    assert "HTTP 400" in text and "mismatch between the scopes in the install URL" in text
    assert "HUBSPOT_OPTIONAL_SCOPES" in text
    with pytest.raises(hnb.LoginFailed) as info:
        hnb.login(sandbox=sb, auto_approve=True, scopes="crm.objects.contacts.read", optional_scopes=[])
    assert "mismatch" in str(info.value) and "oauth" in str(info.value)
