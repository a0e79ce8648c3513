"""Every notebook in notebooks/ runs top to bottom in a real kernel (nbclient, no human), against the
sandbox because no HUBSPOT_* setting reaches it, and keeps no secret in what a saved notebook holds:
its outputs and its widget state. Plus the login widget driven headless, as a user would over HTTP.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from nbtools import (
    NOTEBOOKS,
    clean_env,
    find_secrets,
    kept_text,
    run_notebook,
    secret_probe,
    text_of,
)

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


def _run(path: Path, tmp_path: Path, probes: list) -> tuple[nbformat.NotebookNode, list]:
    try:
        return run_notebook(path, clean_env(tmp_path), probes=probes)
    except CellExecutionError as exc:  # show the failing cell's error, not nbclient's whole dump
        pytest.fail(f"{path.name} failed under Run All: {str(exc)[-2500:]}")


def _write(tmp_path: Path, name: str, sources: list[str]) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_there_are_notebooks_to_run():
    names = {p.name for p in NOTEBOOK_PATHS}
    assert {"01_login.ipynb", "02_crm.ipynb"} <= names, names


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.stem for p in NOTEBOOK_PATHS])
def test_notebook_runs_against_the_sandbox_and_keeps_no_secret(path: Path, tmp_path: Path):
    issued_file = tmp_path / "issued.json"
    where = "import sys; print(sys.executable)"
    nb, (_, probe_where) = _run(path, tmp_path, [secret_probe(issued_file), where])

    # It says at the top that it runs against the sandbox without HubSpot settings.
    first_markdown = next(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "sandbox" in first_markdown.lower(), f"{path.name} does not say at the top it uses the sandbox"
    # The kernel was the project's own Python (the venv's), not some other installation.
    assert Path(text_of(probe_where).strip()).resolve() == Path(sys.executable).resolve()
    # No cell left an error output behind (a cell may catch and print, but not fail silently).
    errors = [c for c in nb.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert not errors

    issued = json.loads(issued_file.read_text())
    assert issued, "the probe found no sandbox secrets, so the scan below would prove nothing"
    hits = find_secrets(kept_text(nb), issued)
    assert not hits, f"{path.name} keeps secrets in its outputs or widget state: {hits}"


def test_the_scan_catches_a_leaked_token_in_outputs_and_in_widget_state(tmp_path: Path):
    """The scan above must be able to fail: a notebook that prints the token and puts it into a
    widget is caught, both through the issued values and through the token's shape."""
    leaky = _write(
        tmp_path,
        "leaky.ipynb",
        [
            "import hubspot_nb as hnb, ipywidgets as w\nhub = hnb.login(sandbox=True, auto_approve=True)",
            "print(hub.token.bearer())",
            "w.Text(value=hub.token.bearer())",
        ],
    )
    issued_file = tmp_path / "issued.json"
    nb, _ = _run(leaky, tmp_path, [secret_probe(issued_file)])
    issued = json.loads(issued_file.read_text())
    printed_only = kept_text(nbformat.v4.new_notebook(cells=nb.cells[1:2]))
    widgets_only = json.dumps(nb.metadata["widgets"])
    assert any("issued secret" in h for h in find_secrets(printed_only, issued))
    assert any("access token shape" in h for h in find_secrets(printed_only))
    assert any("issued secret" in h for h in find_secrets(widgets_only, issued))


# The user's part of the login, done over HTTP from inside the kernel: open the Authorize link,
# press "Connect app" on the consent page, read the code off the callback page, paste, Connect.
WIDGET_USER = r"""
import html, re, requests
from urllib.parse import urljoin

widget = hub.login_widget
href = html.unescape(re.search(r'href="([^"]+)"', widget.link.value).group(1))
consent = requests.get(href, timeout=10)
fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', consent.text))
fields = {k: html.unescape(v) for k, v in fields.items()}
answer = requests.post(urljoin(href, "authorize"), data={**fields, "decision": "approve"}, timeout=10)
code = re.search(r'<div class="code" id="code">([^<]+)</div>', answer.text).group(1).strip()
widget.paste.value = "not-a-code"
widget.connect_button.click()
print("AFTER BAD PASTE:", widget.status_text)
widget.paste.value = code
widget.connect_button.click()
print("AFTER GOOD PASTE:", widget.status_text)
print("CONNECTED:", hub.connected, hub.info.hub_id)
"""


def test_login_widget_flow_headless(tmp_path: Path):
    login = _write(tmp_path, "login.ipynb", ["import hubspot_nb as hnb\nhub = hnb.login(sandbox=True)"])
    issued_file = tmp_path / "issued.json"
    nb, (user, _) = _run(login, tmp_path, [WIDGET_USER, secret_probe(issued_file)])
    out = text_of(user)
    bad = re.search(r"AFTER BAD PASTE: (.*)", out).group(1)
    good = re.search(r"AFTER GOOD PASTE: (.*)", out).group(1)
    hub_id = re.search(r"CONNECTED: True (\d+)", out)
    assert "Not connected" in bad, out  # a wrong paste is reported in the widget, in words
    assert hub_id, out
    assert "Connected to" in good and hub_id.group(1) in good, out

    # The widget as shown: Authorize link, Code box, Connect button, status line.
    state = nb.metadata["widgets_after_probes"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = {m["model_name"] for m in state.values()}
    assert {"HTMLModel", "TextModel", "ButtonModel", "VBoxModel"} <= models
    texts = [m["state"].get("value") for m in state.values() if m["model_name"] == "TextModel"]
    assert texts == [""], "the paste box must be emptied once read (its value is saved with the notebook)"
    issued = json.loads(issued_file.read_text())
    assert len(issued) >= 3  # code, access token, refresh token
    assert not find_secrets(kept_text(nb), issued)


# -- each notebook's first cell: its imports checked, the one command to fix them, which portal ------
INSTALL = 'pip install "hubspot-nb[notebooks]"'


def _first_code_cell(path: Path) -> str:
    return next(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")


def _checked_modules(source: str) -> list[str]:
    found = re.search(r"for module in \(([^)]*)\):", source)
    assert found, "the first cell checks its imports in a loop over the modules it needs"
    return re.findall(r'"([\w.]+)"', found.group(1))


def _imported_modules(path: Path) -> set[str]:
    nb = nbformat.read(path, as_version=4)
    names = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            names |= set(re.findall(r"^\s*(?:import|from)\s+(\w+)", cell.source, flags=re.MULTILINE))
    return names - set(sys.stdlib_module_names)


def _notebooks_extra() -> set[str]:
    import tomllib

    project = tomllib.loads((NOTEBOOKS.parent / "pyproject.toml").read_text())["project"]
    needs = project["dependencies"] + project["optional-dependencies"]["notebooks"]
    return {re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0].lower().replace("-", "_") for spec in needs}


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.stem for p in NOTEBOOK_PATHS])
def test_first_cell_checks_every_import_and_names_the_one_install_command(path: Path):
    source = _first_code_cell(path)
    checked = _checked_modules(source)
    assert INSTALL in source
    assert _imported_modules(path) <= set(checked), "a module the notebook imports is not checked first"
    assert {m for m in checked if m != "hubspot_nb"} <= _notebooks_extra(), "hubspot-nb[notebooks] lacks one"
    assert "hub.where" in source or "Hub(api_base=" in source, "the first cell says which portal"
    check = source[: source.index("\nimport os")]  # the check alone, without connecting
    for module in checked:
        blocked = f"import sys\nsys.modules[{module!r}] = None\n" + check
        proc = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True)
        assert proc.returncode == 1 and f"Missing {module}. Run: {INSTALL}" in proc.stderr, proc.stderr


def test_a_missing_package_stops_run_all_with_the_command_and_no_traceback(tmp_path: Path):
    path = NOTEBOOKS / "04_funnel_and_attribution.ipynb"
    block = 'import sys\nsys.modules["matplotlib"] = None'
    nb = _write(tmp_path, "missing.ipynb", [block, _first_code_cell(path), "print('should not run')"])
    with pytest.raises(CellExecutionError) as err:
        run_notebook(nb, clean_env(tmp_path))
    assert f"Missing matplotlib. Run: {INSTALL}" in str(err.value)
    assert "Traceback" not in str(err.value).split("------------------")[-1]
