"""Run All in a real kernel (nbclient): the first run shows the widget and the next data cell says to
finish the login; driving the widget in the kernel connects the hub; the next Run All uses the
cached token and shows no widget; nothing secret lands in outputs or saved widget state."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest
import requests
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbtools import clean_env, find_secrets, kept_text, text_of

pytestmark = pytest.mark.slow

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LOGIN_CELL = "import hubspot_nb as hnb\nhub = hnb.login()\nhub"
DATA_CELL = "print('portal', hub.token.hub_id)"


def notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(LOGIN_CELL), nbformat.v4.new_code_cell(DATA_CELL)]
    )


def approve(sb, authorize_url: str) -> str:
    query = {k: v[-1] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    resp = requests.post(
        f"{sb.base_url}/oauth/authorize",
        data={**query, "decision": "approve"},
        allow_redirects=False,
        timeout=10,
    )
    return resp.headers["Location"]


def issued_secrets(sb) -> list[str]:
    store = sb.auth
    return [
        *store._codes,
        *store._access,
        *(g.refresh_token for g in store._grants.values()),
        sb.client_secret,
    ]


def run(nb, env, then=None):
    """Execute every cell (Run All: stop at the first error), then ``then(client, nb)`` in the same kernel."""
    client = NotebookClient(nb, timeout=120, kernel_name="python3")
    error = None
    with client.setup_kernel(env=env):
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except CellExecutionError as exc:
            error = exc
        client.set_widgets_metadata()
        if then is not None:
            then(client, nb)
    return error


def probe(client, nb, source: str) -> str:
    cell = nbformat.v4.new_code_cell(source)
    nb.cells.append(cell)
    client.execute_cell(cell, len(nb.cells) - 1)
    nb.cells.remove(cell)
    return text_of(cell)


@pytest.mark.parametrize("secret_in_env", [True, False])
def test_run_all_first_time_then_from_the_cache(fresh_sandbox, tmp_path, secret_in_env):
    sb = fresh_sandbox(contacts=20, companies=5, deals=5, tickets=2)
    env = clean_env(
        tmp_path,
        HUBSPOT_CLIENT_ID=sb.client_id,
        HUBSPOT_REDIRECT_URI=sb.callback_url,
        HUBSPOT_API_BASE=sb.base_url,
        HUBSPOT_APP_BASE=sb.public_url,
    )
    if secret_in_env:
        env["HUBSPOT_CLIENT_SECRET"] = sb.client_secret

    # 1. First Run All: the widget shows, the data cell stops with "finish the login above".
    first = notebook()
    status: dict[str, str] = {}

    def finish_in_widget(client, nb):
        url = probe(client, nb, "print(hub.login_widget.flow.authorize_url)").strip()
        redirected = approve(sb, url)
        secret_line = "" if secret_in_env else f"w.secret.value = {sb.client_secret!r}\n"
        status["text"] = probe(
            client,
            nb,
            f"w = hub.login_widget\n{secret_line}w.paste.value = {redirected!r}\n"
            "w.connect_button.click()\nprint(w.status_text)\nprint('connected', hub.connected)",
        )
        status["after"] = probe(client, nb, DATA_CELL)
        client.set_widgets_metadata()  # the state a save after logging in would keep

    error = run(first, env, then=finish_in_widget)
    assert error is not None and "NotLoggedIn" in str(error)
    assert "Finish the login in the widget" in str(error)
    assert WIDGET_VIEW in json.dumps(first.cells[0].outputs)
    assert "Connected to" in status["text"] and "connected True" in status["text"], status["text"]
    assert f"portal {sb.hub_id}" in status["after"]
    assert find_secrets(kept_text(first), issued_secrets(sb)) == []
    assert "Connected" in json.dumps(first.metadata["widgets"])  # the saved state is after the login

    # 2. The next day's Run All: the cached token is used, no widget, every cell runs.
    second = notebook()
    assert run(second, env) is None
    assert WIDGET_VIEW not in json.dumps(second.cells[0].outputs)
    assert "not logged in" not in text_of(second.cells[0])
    assert f"portal {sb.hub_id}" in text_of(second.cells[1])
    assert find_secrets(kept_text(second), issued_secrets(sb)) == []
