"""`make demo` and `make lab` as a newcomer runs them: `python scripts/demo.py [--lab]` in a
subprocess, with no HubSpot settings, checked from the outside (files written, what it prints,
servers reachable, everything stopped afterwards)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import requests
from nbtools import SECRET_PATTERNS, clean_env

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "scripts" / "demo.py"


def _env(tmp_path: Path) -> dict[str, str]:
    return clean_env(
        tmp_path,
        JUPYTER_CONFIG_DIR=str(tmp_path / "jcfg"),
        JUPYTER_DATA_DIR=str(tmp_path / "jdata"),
    )


def _demo(tmp_path: Path, *args: str, timeout: float = 180) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(DEMO), *args],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc, time.perf_counter() - started


def test_demo_runs_the_marketing_and_funnel_notebooks_and_writes_html_reports(tmp_path: Path):
    out = tmp_path / "demo-output"
    proc, seconds = _demo(tmp_path, "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html_path = out / "03_marketing_performance.html"
    assert f"report:   {html_path.resolve()}" in proc.stdout  # it says where the report is
    said = proc.stdout + proc.stderr
    assert "without encryption" not in said and "Parent appears to have exited" not in said  # a quiet kernel
    # "well under a minute" on a quiet machine; a loaded CI box gets some slack
    assert seconds < 90, f"the demo took {seconds:.0f}s"

    html = html_path.read_text(encoding="utf-8")
    charts = re.findall(r'<img[^>]+src="data:image/png;base64,', html)
    assert len(charts) >= 3, "the report should carry the notebook's charts as embedded PNGs"
    assert not re.search(r'<img[^>]+src="https?://', html), "charts must not depend on a network"
    assert not re.search(r"<script[^>]+src=", html), "the report must open offline (no CDN scripts)"
    executed = nbformat.read(out / "03_marketing_performance.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert all(c.get("execution_count") for c in executed.cells if c.cell_type == "code")
    for kind, pattern in SECRET_PATTERNS.items():  # the demo's private-app token included
        assert not pattern.search(html), f"the report contains a {kind}"

    # the funnel and attribution report: its four analyses' charts, in the same offline form
    funnel_html = out / "04_funnel_and_attribution.html"
    assert f"report:   {funnel_html.resolve()}" in proc.stdout
    funnel_page = funnel_html.read_text(encoding="utf-8")
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', funnel_page)) >= 4
    assert not re.search(r"<script[^>]+src=", funnel_page)
    ran = nbformat.read(out / "04_funnel_and_attribution.ipynb", as_version=4)
    for analysis in ("new_contacts_by_source", "lifecycle_funnel", "source_to_revenue",
                     "email_engagement_by_source"):  # fmt: skip
        cell = next(c for c in ran.cells if c.cell_type == "code" and f"analysis.{analysis}(" in c.source)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), f"no chart for {analysis}"
    for kind, pattern in SECRET_PATTERNS.items():
        assert not pattern.search(funnel_page), f"the funnel report contains a {kind}"

    # each report's first output says the truth: the sandbox (a private-app token reached it, but
    # through a loopback HUBSPOT_API_BASE), never "your HubSpot portal"
    for stem in ("03_marketing_performance", "04_funnel_and_attribution"):
        ran = nbformat.read(out / f"{stem}.ipynb", as_version=4)
        first = next(c for c in ran.cells if c.cell_type == "code" and c.outputs)
        said = "".join(o.get("text", "") for o in first.outputs if o.get("output_type") == "stream")
        assert re.match(r"Sandbox at http://127\.0\.0\.1:\d+ \(no HubSpot account used\)", said), said
        outputs = json.dumps([c.get("outputs", []) for c in ran.cells])
        assert "your HubSpot portal" not in outputs and "HubSpot settings found" not in outputs, stem
        assert "Sandbox at http://127.0.0.1:" in (out / f"{stem}.html").read_text(encoding="utf-8"), stem


def test_demo_reports_a_failing_notebook_and_keeps_the_partial_run(tmp_path: Path):
    broken = tmp_path / "broken.ipynb"
    cells = [nbformat.v4.new_code_cell("print('first cell ran')"), nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), broken)
    proc, _ = _demo(tmp_path, "--notebook", str(broken), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert "ZeroDivisionError" in proc.stdout and "partial run" in proc.stdout, proc.stdout
    partial = nbformat.read(tmp_path / "out" / "broken.ipynb", as_version=4)
    assert "first cell ran" in partial.cells[0].outputs[0]["text"]
    assert (tmp_path / "out" / "broken.html").exists()


def test_demo_says_what_to_do_when_the_notebook_is_missing(tmp_path: Path):
    proc, _ = _demo(tmp_path, "--notebook", str(tmp_path / "nope.ipynb"), timeout=60)
    assert proc.returncode == 2
    assert "does not exist" in proc.stdout and "--notebook" in proc.stdout


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_lab_serves_the_notebooks_and_stops_cleanly(tmp_path: Path):
    proc = subprocess.Popen(
        [sys.executable, str(DEMO), "--lab", "--no-browser", "--port", "0"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        url = None
        for line in proc.stdout:  # the first lines are ours; Lab's own log goes to stderr
            match = re.search(r"JupyterLab: (http://127\.0\.0\.1:(\d+))/lab\?token=(\w+)", line)
            if match:
                url, port, token = match.group(1), int(match.group(2)), match.group(3)
                break
        assert url, "the Lab URL was not printed"
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/api/status", params={"token": token}, timeout=2).ok:
                    break
            assert time.monotonic() < deadline and proc.poll() is None, "JupyterLab did not come up"
            time.sleep(0.3)
        listing = requests.get(f"{url}/api/contents", params={"token": token}, timeout=10).json()
        names = {item["name"] for item in listing["content"]}
        assert {"01_login.ipynb", "02_crm.ipynb"} <= names
        assert requests.get(f"{url}/api/status", timeout=5).status_code == 403  # token required

        os.kill(proc.pid, signal.SIGTERM)  # what Ctrl-C does, without a terminal
        assert proc.wait(30) == 0
        assert not _port_open(port), "JupyterLab still listens after the demo stopped"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
