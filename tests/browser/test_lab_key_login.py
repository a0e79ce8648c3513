"""The service-key login a person does, in a real browser: with no OAuth app configured, a
``hnb.login()`` cell in JupyterLab shows the key box; a key the sandbox issued is typed in and
Connect names the portal; running the notebook again connects from the cache with no widget."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import SHOTS, start_lab
from playwright.sync_api import expect

from hubspot_nb.sandbox import start

pytestmark = pytest.mark.browser

CELLS = [
    "import hubspot_nb as hnb\nhub = hnb.login()",
    "print('kind:', hub.token.kind if hub.connected else 'pending', '|', hub)",
]
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\) \| Idle")


def _notebook(root: Path) -> None:
    root.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(nb, root / "key.ipynb")


def _run_all(page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def test_service_key_login_in_jupyterlab(isolated_env, tmp_path, page):
    sb = start(contacts=20, companies=5, deals=5, tickets=2)
    try:
        key = sb.issue_service_key()
        root = tmp_path / "nb"
        _notebook(root)
        cache = tmp_path / "token-cache"
        kernel_env = {"HUBSPOT_NB_CACHE_DIR": str(cache), "HUBSPOT_API_BASE": sb.base_url}
        with start_lab(isolated_env, root, tmp_path, kernel_env=kernel_env) as lab:
            page.goto(f"{lab.url('lab/tree/key.ipynb')}?token={lab.token}")
            expect(page.locator(".jp-StatusBar-Widget").first).to_contain_text(KERNEL_IDLE, timeout=90_000)
            _run_all(page)

            widget = page.locator(".jp-OutputArea-output .hubspot-nb-key-widget").first
            expect(widget).to_be_visible(timeout=60_000)
            expect(widget.locator(".hubspot-nb-key-help")).to_contain_text(
                "Development › Keys › Service keys"
            )
            expect(widget.locator(".hubspot-nb-status")).to_contain_text("Not connected yet")
            expect(page.locator(".jp-OutputArea-output").nth(1)).to_contain_text("kind: pending")
            widget.screenshot(path=str(SHOTS / "key-1-widget.png"))

            box = widget.locator("input[type='password']")
            box.fill("a-wrong-key-0123456789")
            widget.locator("button.widget-button", has_text="Connect").click()
            status = widget.locator(".hubspot-nb-status")
            expect(status).to_contain_text("HubSpot refused this key (401)", timeout=30_000)

            box.fill(key)
            widget.locator("button.widget-button", has_text="Connect").click()
            expect(status).to_contain_text("Connected to", timeout=30_000)
            expect(status).to_contain_text(f"hub id {sb.hub_id}")
            expect(box).to_have_value("")  # the key is not kept in the box
            widget.screenshot(path=str(SHOTS / "key-2-connected.png"))
            assert list((cache / "keys").glob("*.json")), "the key was not cached"

            # The next run (tomorrow's Run All): connected from the cache, no widget at all.
            _run_all(page)
            second = page.locator(".jp-Cell").nth(1).locator(".jp-OutputArea-output")
            expect(second).to_contain_text("kind: service-key", timeout=60_000)
            expect(second).to_contain_text(f"hub id {sb.hub_id}")
            expect(page.locator(".hubspot-nb-key-widget")).to_have_count(0)
            page.screenshot(path=str(SHOTS / "key-3-cached.png"))
            assert key not in page.content()

            page.get_by_role("menuitem", name="Kernel", exact=True).click()
            page.get_by_role("menuitem", name="Shut Down Kernel", exact=True).click()
            expect(page.get_by_text("No Kernel").first).to_be_visible(timeout=30_000)
    finally:
        sb.stop()
