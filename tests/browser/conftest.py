"""Fixtures for the real-browser tests: JupyterLab on a free loopback port (optionally behind a
Binder-like base URL), Debian's Chromium driven by Playwright, everything isolated and cleaned up.

Recipe and gotchas: shared/reference/notebook-testing.md. In short: private Jupyter/IPython/XDG dirs
(nothing written to $HOME), the announcements toast disabled (it steals focus from the menus), a COPY
of the notebook served (Lab autosaves), each server in its own process group killed at the end
(which takes its kernels with it), and a screenshot of every test kept in tests/shots/.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

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
LAB_TOKEN = "browser-test-token"


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


@dataclass
class Lab:
    """A running JupyterLab: ``url(path)`` builds an address under its base URL."""

    origin: str  # http://127.0.0.1:<port>
    base_url: str  # "/" or "/user/test/"
    root: Path  # the folder it serves (copies of notebooks go here)
    token: str = LAB_TOKEN

    def url(self, path: str = "") -> str:
        return f"{self.origin}{self.base_url}{path.lstrip('/')}"

    def kernels(self) -> list[dict]:
        return requests.get(self.url("api/kernels"), params={"token": self.token}, timeout=5).json()


@contextlib.contextmanager
def start_lab(
    env: dict[str, str],
    root: Path,
    logdir: Path,
    base_url: str = "/",
    kernel_env: dict[str, str] | None = None,
) -> Iterator[Lab]:
    """JupyterLab on a free port serving ``root``; kernels inherit ``kernel_env`` on top of ``env``."""
    port = free_port()
    cmd = [
        str(BIN / "jupyter-lab"), "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={LAB_TOKEN}", f"--ServerApp.root_dir={root}",
        f"--ServerApp.base_url={base_url}",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    lab = Lab(origin=f"http://127.0.0.1:{port}", base_url=base_url, root=root)
    with serve(
        cmd,
        f"{lab.url('api/status')}?token={LAB_TOKEN}",
        {**env, **(kernel_env or {})},
        logdir / f"lab-{port}.log",
        cwd=root,
    ):
        yield lab


@pytest.fixture(scope="session")
def browser(isolated_env: dict[str, str]):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=isolated_env)
        yield b
        b.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh browser context per test; a screenshot of the last page state is always kept."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    SHOTS.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):
        pg.screenshot(path=str(SHOTS / f"{request.node.name}-end.png"))
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
