"""The service-key login a person does, in a real browser: with no OAuth app configured, a
``hnb.login()`` cell in JupyterLab shows the key box; a key the sandbox issued is typed in and
Connect names the portal; running the notebook again connects from the cache with no widget."""

from __future__ import annotations

import pytest
from conftest import (
    SHOTS,
    key_login,
    key_widget,
    open_notebook,
    run_all,
    shut_down_kernel,
    start_jupyter,
    write_notebook,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CELLS = [
    "import hubspot_nb as hnb\nhub = hnb.login()",
    "print('kind:', hub.token.kind if hub.connected else 'pending', '|', hub)",
]


def test_service_key_login_in_jupyterlab(isolated_env, tmp_path, page, sandbox_and_key):
    sb, key = sandbox_and_key
    root = tmp_path / "nb"
    write_notebook(root, "key.ipynb", CELLS)
    cache = tmp_path / "token-cache"
    kernel_env = {"HUBSPOT_NB_CACHE_DIR": str(cache), "HUBSPOT_API_BASE": sb.base_url}
    with start_jupyter(isolated_env, root, tmp_path, kernel_env=kernel_env) as lab:
        open_notebook(page, lab, "key.ipynb")
        run_all(page)

        widget = key_widget(page)
        expect(page.locator(".jp-OutputArea-output").nth(1)).to_contain_text("kind: pending")
        widget.screenshot(path=str(SHOTS / "key-1-widget.png"))

        widget.locator("input[type='password']").fill("a-wrong-key-0123456789")
        widget.locator("button.widget-button", has_text="Connect").click()
        status = widget.locator(".hubspot-nb-status")
        expect(status).to_contain_text("HubSpot refused this key (401)", timeout=30_000)

        key_login(widget, key, sb.hub_id)
        widget.screenshot(path=str(SHOTS / "key-2-connected.png"))
        assert list((cache / "keys").glob("*.json")), "the key was not cached"

        # The next run (tomorrow's Run All): connected from the cache, no widget at all.
        run_all(page)
        second = page.locator(".jp-Cell").nth(1).locator(".jp-OutputArea-output")
        expect(second).to_contain_text("kind: service-key", timeout=60_000)
        expect(second).to_contain_text(f"hub id {sb.hub_id}")
        expect(page.locator(".hubspot-nb-key-widget")).to_have_count(0)
        page.screenshot(path=str(SHOTS / "key-3-cached.png"))
        assert key not in page.content()

        shut_down_kernel(page, lab)
