"""Fixtures for the real-browser tests: JupyterLab or Notebook 7 on a free loopback port (optionally
behind a Binder-like base URL), Debian's Chromium driven by Playwright, everything isolated and cleaned
up; and the steps a person takes in the page (open, Run All, log in, shut the kernel down), shared by
the tests of both front ends.

Recipe and gotchas: shared/reference/notebook-testing.md. In short: private Jupyter/IPython/XDG dirs
(nothing written to $HOME), the announcements toast disabled (it steals focus from the menus), a COPY
of the notebook served (Lab autosaves), each server in its own process group killed at the end
(which takes its kernels with it), and a screenshot of every test kept in tests/shots/.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from hubspot_nb.sandbox import Sandbox, start

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "tests" / "shots"
BIN = Path(sys.executable).parent  # the venv's bin/: jupyter-lab lives next to its python
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
JUPYTER_TOKEN = "browser-test-token"
KERNEL = "Python 3 (ipykernel)"
LOGIN_CELL = "import hubspot_nb as hnb\nhub = hnb.login(sandbox=True)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hubspot_free_env(base: dict[str, str]) -> dict[str, str]:
    """The caller's env without HUBSPOT_* settings: the notebooks must take the sandbox path."""
    return {k: v for k, v in base.items() if not k.startswith("HUBSPOT_")}


@pytest.fixture(scope="session")
def isolated_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Env for every process these tests start: private Jupyter, IPython, XDG and token-cache dirs.

    The test process's own os.environ is left alone (other tests share it)."""
    home = tmp_path_factory.mktemp("jhome")
    labconfig = home / "jcfg" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = _hubspot_free_env(dict(os.environ))
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "jcfg"),
        JUPYTER_RUNTIME_DIR=str(home / "jrun"),
        JUPYTER_DATA_DIR=str(home / "jdata"),
        IPYTHONDIR=str(home / "ipython"),
        XDG_CONFIG_HOME=str(home / "xdg-config"),  # Chromium's crash-report dir
        XDG_CACHE_HOME=str(home / "xdg-cache"),  # dconf
        PYTHONUNBUFFERED="1",
    )
    # The kernel Lab starts must be the project's own Python (ipykernel installed in the venv),
    # not one found in some other Jupyter data dir.
    specs = json.loads(
        subprocess.run(
            [str(BIN / "jupyter"), "kernelspec", "list", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )["kernelspecs"]
    assert Path(specs["python3"]["resource_dir"]).is_relative_to(Path(sys.prefix)), specs["python3"]
    return env


@contextlib.contextmanager
def serve(
    cmd: list[str], ready_url: str, env: dict[str, str], log: Path, cwd: Path, timeout: float = 60
) -> Iterator[subprocess.Popen]:
    """Start a server in its own process group, wait until it answers HTTP, always kill the group."""
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{Path(cmd[0]).name} exited with {proc.returncode}; log:\n{log.read_text()}"
                )
            with contextlib.suppress(requests.RequestException):
                if requests.get(ready_url, timeout=2).status_code < 500:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{ready_url} did not answer within {timeout}s; log:\n{log.read_text()}")
            time.sleep(0.2)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# What differs between the two front ends this suite drives. Notebook 7 is built from JupyterLab's
# components, so menus (Run › Run All Cells, Kernel › Shut Down Kernel), cells and outputs share
# Lab's selectors; only the launcher, the notebook's address and the kernel indicator differ (Lab
# shows the kernel in its status bar, Notebook 7 has none: see open_notebook). Notebook 7 has no
# news or update-check settings; the announcements plugin is off through page_config.json for both.
UIS = {
    "lab": {
        "command": "jupyter-lab",
        "notebook_path": "lab/tree/{name}",
        "options": [
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
    },
    "notebook7": {
        "command": "jupyter-notebook",
        "notebook_path": "notebooks/{name}",
        "options": [],
    },
}  # fmt: skip


@dataclass
class Jupyter:
    """A running JupyterLab or Notebook 7: ``url(path)`` builds an address under its base URL."""

    ui: str  # a key of UIS
    origin: str  # http://127.0.0.1:<port>
    base_url: str  # "/" or "/user/test/"
    root: Path  # the folder it serves (copies of notebooks go here)
    token: str = JUPYTER_TOKEN

    def url(self, path: str = "") -> str:
        return f"{self.origin}{self.base_url}{path.lstrip('/')}"

    def notebook_url(self, name: str) -> str:
        """The page a person opens for ``name`` (with the login token)."""
        return f"{self.url(UIS[self.ui]['notebook_path'].format(name=name))}?token={self.token}"

    def kernels(self) -> list[dict]:
        return requests.get(self.url("api/kernels"), params={"token": self.token}, timeout=5).json()


@contextlib.contextmanager
def start_jupyter(
    env: dict[str, str],
    root: Path,
    logdir: Path,
    ui: str = "lab",
    base_url: str = "/",
    kernel_env: dict[str, str] | None = None,
) -> Iterator[Jupyter]:
    """JupyterLab (``ui="lab"``) or Notebook 7 (``ui="notebook7"``) on a free port serving ``root``;
    kernels inherit ``kernel_env`` on top of ``env``."""
    port = free_port()
    cmd = [
        str(BIN / UIS[ui]["command"]), "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={JUPYTER_TOKEN}", f"--ServerApp.root_dir={root}",
        f"--ServerApp.base_url={base_url}", *UIS[ui]["options"],
    ]  # fmt: skip
    server = Jupyter(ui=ui, origin=f"http://127.0.0.1:{port}", base_url=base_url, root=root)
    with serve(
        cmd,
        f"{server.url('api/status')}?token={JUPYTER_TOKEN}",
        {**env, **(kernel_env or {})},
        logdir / f"{ui}-{port}.log",
        cwd=root,
    ):
        yield server


@pytest.fixture(scope="session")
def browser(isolated_env: dict[str, str]):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=isolated_env)
        yield b
        b.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh browser context per test; a screenshot of the last page state is always kept. Any
    JavaScript error fails the test, except one a test module names in ``TOLERATED_PAGE_ERRORS``
    (``{message: where it must come from}``: a front end's own bug, matched on message and script)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    tolerated: dict[str, str] = getattr(request.module, "TOLERATED_PAGE_ERRORS", {})
    errors: list[str] = []

    def on_error(e) -> None:
        if not (e.message in tolerated and tolerated[e.message] in (e.stack or "")):
            errors.append(str(e))

    pg.on("pageerror", on_error)
    yield pg
    SHOTS.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):
        pg.screenshot(path=str(SHOTS / f"{request.node.name}-end.png"))
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
def login_notebook(tmp_path: Path) -> Path:
    """A folder holding ``login.ipynb``: one ``hnb.login(sandbox=True)`` cell."""
    root = tmp_path / "nb"
    write_notebook(root, "login.ipynb", [LOGIN_CELL])
    return root


@pytest.fixture
def sandbox_and_key() -> Iterator[tuple[Sandbox, str]]:
    """A sandbox of its own (the kernel reaches it through HUBSPOT_API_BASE) and a service key it issued."""
    sb = start(contacts=20, companies=5, deals=5, tickets=2)
    try:
        yield sb, sb.issue_service_key()
    finally:
        sb.stop()


def write_notebook(root: Path, name: str, cells: list[str]) -> None:
    """A notebook of code cells in ``root`` (a fresh folder: Lab and Notebook 7 autosave, so the
    repository's own notebooks are never served)."""
    root.mkdir(exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": KERNEL, "language": "python"}
    nbformat.write(nb, root / name)


def shot(page: Page | Locator, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def open_notebook(page: Page, server: Jupyter, name: str) -> None:
    """Open ``name`` and wait for a real kernel. Both front ends briefly report idle while no kernel is
    attached yet ("No Kernel | Initializing" in Lab's status bar, "No Kernel" beside an idle dot in
    Notebook 7's toolbar), and Run All then opens the Select Kernel dialog instead: so wait for the
    kernel's name and Idle together."""
    page.goto(server.notebook_url(name))
    if server.ui == "lab":
        idle = page.locator(".jp-StatusBar-Widget").first
        expect(idle).to_contain_text(re.compile(rf"{re.escape(KERNEL)} \| Idle"), timeout=90_000)
    else:
        toolbar = page.locator(".jp-NotebookPanel-toolbar").filter(
            has=page.get_by_role("button", name=KERNEL, exact=True)  # the kernel name; "No Kernel" first
        )
        idle = toolbar.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        expect(idle).to_have_count(1, timeout=90_000)


def run_all(page: Page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def shut_down_kernel(page: Page, server: Jupyter) -> None:
    """Leave nothing running: Kernel › Shut Down Kernel (an embedded sandbox goes with the kernel)."""
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    page.get_by_role("menuitem", name="Shut Down Kernel", exact=True).click()
    expect(page.get_by_text("No Kernel").first).to_be_visible(timeout=30_000)
    assert server.kernels() == []


def oauth_login(page: Page, name: str) -> str:
    """In a notebook that has run ``hnb.login(sandbox=True)``: authorize in the popup, approve on the
    consent page, paste the code the callback page shows, Connect, see the portal named. Screenshots
    go to tests/shots/<name>-1…4-*.png. Returns the Authorize link's href (for the caller's checks)."""
    widget = page.locator(".jp-OutputArea-output .widget-vbox").first
    link = widget.locator("a.hubspot-nb-authorize")
    expect(link).to_be_visible(timeout=60_000)
    expect(widget.locator(".hubspot-nb-status")).to_contain_text("Not connected yet")
    href = link.get_attribute("href") or ""
    shot(widget, f"{name}-1-widget.png")

    # 1. Authorize: the consent page opens in a new tab.
    with page.expect_popup() as popup_info:
        link.click()
    consent = popup_info.value
    approve = consent.get_by_role("button", name="Connect app")
    expect(approve).to_be_visible(timeout=30_000)
    found = re.search(r"hub id (\d+)", consent.locator("body").inner_text())
    assert found, "the consent page names no hub id"
    hub_id = found.group(1)
    shot(consent, f"{name}-2-consent.png")
    approve.click()

    # 2. The callback page shows the code; read it, and try the Copy button too.
    code_box = consent.locator("#code")
    expect(code_box).to_be_visible(timeout=30_000)
    code = code_box.inner_text().strip()
    assert code, "the callback page shows no code"
    consent.get_by_role("button", name="Copy code").click()
    expect(consent.locator("#copied")).not_to_be_empty()  # "Copied." or the select-and-Ctrl+C hint
    shot(consent, f"{name}-3-code.png")
    consent.close()

    # 3. Paste it into the widget and connect.
    widget.get_by_role("textbox", name="Code").fill(code)
    connect(widget, f"hub id {hub_id}")
    expect(widget.get_by_role("textbox", name="Code")).to_have_value("")  # the code is not kept
    shot(widget, f"{name}-4-connected.png")
    return href


def key_widget(page: Page) -> Locator:
    """The service-key widget a ``hnb.login()`` cell shows when no OAuth app is configured."""
    widget = page.locator(".jp-OutputArea-output .hubspot-nb-key-widget").first
    expect(widget).to_be_visible(timeout=60_000)
    expect(widget.locator(".hubspot-nb-key-help")).to_contain_text("Development › Keys › Service keys")
    expect(widget.locator(".hubspot-nb-status")).to_contain_text("Not connected yet")
    return widget


def key_login(widget: Locator, key: str, hub_id: int) -> None:
    """Type ``key`` into the password box, Connect, see the portal named and the box emptied."""
    box = widget.locator("input[type='password']")
    box.fill(key)
    connect(widget, f"hub id {hub_id}")
    expect(box).to_have_value("")  # the key is not kept in the box


def connect(widget: Locator, expected: str) -> None:
    """Click the widget's Connect button and wait for "Connected to …" naming ``expected``."""
    # (its accessible name starts with the plug icon's glyph, so match the text, not the exact name)
    widget.locator("button.widget-button", has_text="Connect").click()
    status = widget.locator(".hubspot-nb-status")
    expect(status).to_contain_text("Connected to", timeout=30_000)
    expect(status).to_contain_text(expected)
