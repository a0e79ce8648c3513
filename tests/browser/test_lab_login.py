"""The login a person does, in a real browser: JupyterLab, the widget, the sandbox's consent and
callback pages, the code pasted back, the status line naming the portal.

Once plainly on 127.0.0.1, once as on Binder: Lab under ``/user/test/`` and the kernel told
``JUPYTERHUB_SERVICE_PREFIX``, so the Authorize link goes through jupyter-server-proxy
(``/user/test/proxy/<port>/oauth/authorize…``) and every sandbox page is reached through it.
The steps themselves live in conftest.py (shared with the Notebook 7 tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import Jupyter, oauth_login, open_notebook, run_all, shut_down_kernel, start_jupyter
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _kernel_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HUBSPOT_NB_CACHE_DIR": str(tmp_path / "token-cache"), **extra}


def login_through_the_browser(lab: Jupyter, page: Page, name: str) -> str:
    """Open the notebook, run it, log in through the widget, shut the kernel down. Returns the href
    of the Authorize link (for the caller's own checks)."""
    open_notebook(page, lab, "login.ipynb")
    run_all(page)
    href = oauth_login(page, name)
    shut_down_kernel(page, lab)
    return href


def test_login_in_jupyterlab(isolated_env, login_notebook, tmp_path, page):
    with start_jupyter(isolated_env, login_notebook, tmp_path, kernel_env=_kernel_env(tmp_path)) as lab:
        href = login_through_the_browser(lab, page, "lab")
    assert re.match(r"http://127\.0\.0\.1:\d+/oauth/authorize\?", href), href
    # tests/shots/lab-4-connected.png is the picture in the README (docs/login-widget.png, copied by hand)


def test_login_in_jupyterlab_behind_a_binder_style_prefix(isolated_env, login_notebook, tmp_path, page):
    prefix = "/user/test/"
    kernel_env = _kernel_env(tmp_path, JUPYTERHUB_SERVICE_PREFIX=prefix)
    with start_jupyter(isolated_env, login_notebook, tmp_path, base_url=prefix, kernel_env=kernel_env) as lab:
        href = login_through_the_browser(lab, page, "binder")
    # The link is relative to Lab's own origin and goes through jupyter-server-proxy.
    assert re.match(r"/user/test/proxy/\d+/oauth/authorize\?", href), href
