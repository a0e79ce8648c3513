"""``login(wait=...)`` in a real kernel: the login cell blocks until the widget is used, and the widget
keeps working while it does.

nbclient runs the notebook. While the login cell is waiting, a second client on the same kernel
(``BlockingKernelClient`` on the kernel's connection file) plays the browser: it reads the widget
from the comm_open messages on IOPub, approves the sandbox's consent page over HTTP, sets the paste
box with a ``comm_msg`` ``update`` and clicks Connect with a ``comm_msg`` ``custom {"event": "click"}``,
exactly what the ipywidgets front end sends. It also sends two ``execute_request``s during the
wait, as JupyterLab's Run All does, to check they are held back and then run in order.
"""

from __future__ import annotations

import html
import os
import queue
import re
import signal
import threading
import time
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import nbformat
import pytest
import requests
from jupyter_client import BlockingKernelClient
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbtools import clean_env, find_secrets, kept_text, text_of

import hubspot_nb as hnb
from hubspot_nb.auth.token import Token
from hubspot_nb.notebook.login import wait_for_login

pytestmark = pytest.mark.slow

SETUP_CELL = "import time\nimport hubspot_nb as hnb\nlog = []"
LOGIN_CELL = (
    "started = time.monotonic()\n"
    "hub = hnb.login(sandbox=True, wait={wait})\n"
    "log.append(('login', hub.connected, round(time.monotonic() - started, 1)))"
)
AFTER_CELL = (
    "print('log', log)\n"
    "hub = globals().get('hub')  # not there when the login cell was interrupted\n"
    "print('portal', hub.token.hub_id if hub is not None and hub.connected else None)"
)


class Browser(threading.Thread):
    """A second kernel client that acts like the widget front end while the login cell runs."""

    def __init__(self, connection_file: str, click: bool, interrupt: Any = None) -> None:
        super().__init__(daemon=True)
        self.interrupt = interrupt  # called instead of clicking: the user presses "interrupt"
        self.kc = BlockingKernelClient(connection_file=connection_file)
        self.kc.load_connection_file()
        self.kc.start_channels()
        self.click = click
        self.models: dict[str, tuple[str, dict[str, Any]]] = {}  # comm_id -> (model name, state)
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.code = ""  # what was pasted, to check it stays out of the saved notebook
        self.sent: list[str] = []  # msg ids of the execute_requests sent during the wait
        self.clicked_at = 0.0
        self.replies: list[dict[str, Any]] = []

    def run(self) -> None:
        try:
            self._play()
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.done.set()

    def _play(self) -> None:
        link, paste, button = self._widget()
        # Run All in a browser queues the next cells at once: they must wait for the login.
        for code in ("log.append('A')", "log.append('B')"):
            self.sent.append(self.kc.execute(code, store_history=False))
        if self.interrupt is not None:
            time.sleep(0.5)  # into the wait
            self.interrupt()  # what Jupyter's "interrupt the kernel" does: SIGINT to the kernel
        if not self.click:
            return
        authorize_url = html.unescape(re.search(r'href="([^"]+)"', link).group(1))
        self.code = approve(authorize_url)
        self._comm(paste, {"method": "update", "state": {"value": self.code}, "buffer_paths": []})
        self.clicked_at = time.monotonic()
        self._comm(button, {"method": "custom", "content": {"event": "click"}})

    def _widget(self) -> tuple[str, str, str]:
        """The authorize link's HTML and the comm ids of the paste box and the Connect button."""
        deadline = time.monotonic() + 60
        link = paste = button = None
        while not (link and paste and button):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no login widget on IOPub; models seen: {list(self.models.values())}")
            try:
                msg = self.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if msg["msg_type"] != "comm_open":
                continue
            content = msg["content"]
            state = content["data"].get("state", {})
            name = state.get("_model_name", "")
            if name == "HTMLModel" and "hubspot-nb-authorize" in state.get("value", ""):
                link = state["value"]
            elif name == "TextModel" and state.get("description") == "Code":
                paste = content["comm_id"]
            elif name == "ButtonModel" and state.get("description") == "Connect":
                button = content["comm_id"]
        return link, paste, button

    def _comm(self, comm_id: str, data: dict[str, Any]) -> None:
        msg = self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        self.kc.shell_channel.send(msg)

    def collect_replies(self, timeout: float = 30) -> None:
        """The execute_replies to the requests this client sent (they come after the login cell)."""
        deadline = time.monotonic() + timeout
        while len(self.replies) < len(self.sent) and time.monotonic() < deadline:
            try:
                reply = self.kc.get_shell_msg(timeout=1)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") in self.sent:
                self.replies.append(reply)

    def close(self) -> None:
        self.kc.stop_channels()


def approve(authorize_url: str) -> str:
    """Click "approve" on the sandbox's consent page (over HTTP, as the user's browser does) and
    return the address the browser lands on: what a user pastes into the widget."""
    parts = urlsplit(authorize_url)
    base = f"{parts.scheme}://{parts.netloc}"
    assert requests.get(authorize_url, timeout=10).status_code == 200
    form = {k: v[-1] for k, v in parse_qs(parts.query).items()} | {"decision": "approve"}
    resp = requests.post(f"{base}/oauth/authorize", data=form, allow_redirects=False, timeout=10)
    assert resp.status_code in (302, 303), resp.text[:200]
    return urljoin(base + "/", resp.headers["Location"])


def run_with_browser(tmp_path, wait: float, click: bool, interrupt: bool = False):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(SETUP_CELL),
            nbformat.v4.new_code_cell(LOGIN_CELL.format(wait=wait)),
            nbformat.v4.new_code_cell(AFTER_CELL),
        ]
    )
    client = NotebookClient(nb, timeout=120, kernel_name="python3")
    timings: dict[str, float] = {}
    with client.setup_kernel(env=clean_env(tmp_path)):
        client.execute_cell(nb.cells[0], 0)
        press_stop = partial(os.kill, client.km.provisioner.pid, signal.SIGINT) if interrupt else None
        browser = Browser(client.km.connection_file, click, press_stop)
        try:
            browser.start()
            started = time.monotonic()
            try:
                client.execute_cell(nb.cells[1], 1)
            except CellExecutionError as exc:
                if not interrupt:
                    raise
                timings["error"] = str(exc)
            timings["login_cell"] = time.monotonic() - started
            if browser.clicked_at:
                timings["after_click"] = time.monotonic() - browser.clicked_at
            browser.done.wait(10)
            browser.collect_replies()
            client.execute_cell(nb.cells[2], 2)
            client.set_widgets_metadata()
        finally:
            browser.close()
    assert browser.error is None, repr(browser.error)
    return nb, browser, timings


def test_login_cell_waits_until_the_widget_connects(tmp_path):
    nb, browser, timings = run_with_browser(tmp_path, wait=30, click=True)
    after = text_of(nb.cells[2])
    # The click was handled during the wait: the cell ended connected, long before the 30 s.
    assert "('login', True," in after, after
    assert timings["login_cell"] < 20 and timings["after_click"] < 5, timings
    assert re.search(r"portal \d+", after), after
    # The requests queued during the wait ran after the login cell, in order, before the next cell.
    assert re.search(r"log \[\('login', True, [\d.]+\), 'A', 'B'\]", after), after
    assert [r["content"]["status"] for r in browser.replies] == ["ok", "ok"]
    # The widget says connected, and the pasted code is in no output and no saved widget state.
    assert "Connected" in str(nb.metadata["widgets"])
    code = parse_qs(urlsplit(browser.code).query)["code"][0]
    assert find_secrets(kept_text(nb), [code]) == []
    assert "Still not logged in" not in text_of(nb.cells[1])
    print("timings", timings)


def test_login_cell_gives_up_after_the_wait(tmp_path):
    nb, browser, timings = run_with_browser(tmp_path, wait=3, click=False)
    said = text_of(nb.cells[1])
    after = text_of(nb.cells[2])
    assert "Still not logged in after 3 s — finish the login above and run the next cell." in said, said
    assert 3 <= timings["login_cell"] < 15, timings
    # The pending hub was returned, and everything queued during the wait still ran, in order.
    assert re.search(r"log \[\('login', False, [\d.]+\), 'A', 'B'\]", after), after
    assert "portal None" in after
    assert [r["content"]["status"] for r in browser.replies] == ["ok", "ok"]
    print("timings", timings)


def test_interrupting_the_wait_leaves_the_kernel_usable(tmp_path):
    nb, browser, timings = run_with_browser(tmp_path, wait=60, click=False, interrupt=True)
    assert "KeyboardInterrupt" in timings["error"] and timings["login_cell"] < 20, timings
    # As after any failed cell in Run All, the cells queued behind it are skipped, not run late ...
    assert [r["content"]["status"] for r in browser.replies] == ["aborted", "aborted"]
    # ... and the kernel still runs the next cell normally.
    assert "log []\nportal None" in text_of(nb.cells[2]), text_of(nb.cells[2])


def test_wait_for_login_outside_a_kernel(capsys):
    hub = hnb.Hub(api_base="http://127.0.0.1:9")
    started = time.monotonic()
    assert wait_for_login(hub, 0.3) is False
    assert 0.3 <= time.monotonic() - started < 2
    assert "Still not logged in after 0.3 s" in capsys.readouterr().out

    # Another thread finishing the login ends the wait at once.
    token = Token("sandbox-private-token", kind="private-app", api_base=hub.api_base)
    threading.Timer(0.2, hub.attach, (token, hnb.PortalInfo(hub_id=1))).start()
    started = time.monotonic()
    assert wait_for_login(hub, 10) is True
    assert time.monotonic() - started < 2
    assert "Still not logged in" not in capsys.readouterr().out
