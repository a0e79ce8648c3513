"""The login a person does, in a real browser: JupyterLab, the widget, the sandbox's consent and
callback pages, the code pasted back, the status line naming the portal.

Once plainly on 127.0.0.1, once as on Binder: Lab under ``/user/test/`` and the kernel told
``JUPYTERHUB_SERVICE_PREFIX``, so the Authorize link goes through jupyter-server-proxy
(``/user/test/proxy/<port>/oauth/authorize…``) and every sandbox page is reached through it.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import SHOTS, Lab, start_lab
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LOGIN_CELL = "import hubspot_nb as hnb\nhub = hnb.login(sandbox=True)"
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\) \| Idle")


@pytest.fixture
def notebook_dir(tmp_path: Path) -> Path:
    """A folder with a one-cell login notebook (Lab autosaves, so never serve the repo's files)."""
    root = tmp_path / "nb"
    root.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LOGIN_CELL)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(nb, root / "login.ipynb")
    return root


def _kernel_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HUBSPOT_NB_CACHE_DIR": str(tmp_path / "token-cache"), **extra}


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def login_through_the_browser(lab: Lab, page: Page, name: str) -> str:
    """Open the notebook, run it, authorize in the popup, paste the code, connect. Returns the href
    of the Authorize link (for the caller's own checks)."""
    page.goto(f"{lab.url('lab/tree/login.ipynb')}?token={lab.token}")
    # Wait for a real kernel: `[data-status='idle']` is also set while the status bar still says
    # "No Kernel | Initializing", and Run All then opens the Select Kernel dialog instead.
    expect(page.locator(".jp-StatusBar-Widget").first).to_contain_text(KERNEL_IDLE, timeout=90_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    widget = page.locator(".jp-OutputArea-output .widget-vbox").first
    link = widget.locator("a.hubspot-nb-authorize")
    expect(link).to_be_visible(timeout=60_000)
    expect(widget.locator(".hubspot-nb-status")).to_contain_text("Not connected yet")
    href = link.get_attribute("href") or ""
    widget.screenshot(path=str(SHOTS / f"{name}-1-widget.png"))

    # 1. Authorize: the consent page opens in a new tab.
    with page.expect_popup() as popup_info:
        link.click()
    consent = popup_info.value
    approve = consent.get_by_role("button", name="Connect app")
    expect(approve).to_be_visible(timeout=30_000)
    hub_id = re.search(r"hub id (\d+)", consent.locator("body").inner_text()).group(1)
    _shot(consent, f"{name}-2-consent.png")
    approve.click()

    # 2. The callback page shows the code; read it, and try the Copy button too.
    code_box = consent.locator("#code")
    expect(code_box).to_be_visible(timeout=30_000)
    code = code_box.inner_text().strip()
    assert code, "the callback page shows no code"
    consent.get_by_role("button", name="Copy code").click()
    expect(consent.locator("#copied")).not_to_be_empty()  # "Copied." or the select-and-Ctrl+C hint
    _shot(consent, f"{name}-3-code.png")
    consent.close()

    # 3. Paste it into the widget and connect.
    widget.get_by_role("textbox", name="Code").fill(code)
    # (its accessible name starts with the plug icon's glyph, so match the text, not the exact name)
    widget.locator("button.widget-button", has_text="Connect").click()
    status = widget.locator(".hubspot-nb-status")
    expect(status).to_contain_text("Connected to", timeout=30_000)
    expect(status).to_contain_text(f"hub id {hub_id}")
    expect(widget.get_by_role("textbox", name="Code")).to_have_value("")  # the code is not kept
    widget.screenshot(path=str(SHOTS / f"{name}-4-connected.png"))

    # Leave nothing running: shut the kernel down (its embedded sandbox goes with it).
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    page.get_by_role("menuitem", name="Shut Down Kernel", exact=True).click()
    expect(page.get_by_text("No Kernel").first).to_be_visible(timeout=30_000)
    assert lab.kernels() == []
    return href


def test_login_in_jupyterlab(isolated_env, notebook_dir, tmp_path, page):
    with start_lab(isolated_env, notebook_dir, tmp_path, kernel_env=_kernel_env(tmp_path)) as lab:
        href = login_through_the_browser(lab, page, "lab")
    assert re.match(r"http://127\.0\.0\.1:\d+/oauth/authorize\?", href), href
    # tests/shots/lab-4-connected.png is the picture in the README (docs/login-widget.png, copied by hand)


def test_login_in_jupyterlab_behind_a_binder_style_prefix(isolated_env, notebook_dir, tmp_path, page):
    prefix = "/user/test/"
    kernel_env = _kernel_env(tmp_path, JUPYTERHUB_SERVICE_PREFIX=prefix)
    with start_lab(isolated_env, notebook_dir, tmp_path, base_url=prefix, kernel_env=kernel_env) as lab:
        href = login_through_the_browser(lab, page, "binder")
    # The link is relative to Lab's own origin and goes through jupyter-server-proxy.
    assert re.match(r"/user/test/proxy/\d+/oauth/authorize\?", href), href
