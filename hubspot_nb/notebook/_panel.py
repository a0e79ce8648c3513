"""``ConnectPanel``: what both login widgets share — a Connect button, a status line, and the rule
that a click never loses an error (whatever goes wrong lands in the status line in plain words,
never as a traceback lost in the kernel log)."""

from __future__ import annotations

import html
import logging
import re
from typing import Any

import ipywidgets as widgets

from ..auth.token import redact

log = logging.getLogger("hubspot_nb.notebook")

OK_STYLE = "color:#1a7f37"
BAD_STYLE = "color:#b42318"


def status_html(text: str, style: str | None = None) -> str:
    """``text`` (already HTML) in the status ``<div>``, with an optional inline style."""
    css = f' style="{style}"' if style else ""
    return f'<div class="hubspot-nb-status"{css}>{text}</div>'


def plain_text(value: str) -> str:
    """A status's HTML as plain text: one line per ``<br>``, tags dropped, entities decoded."""
    lines = re.sub(r"<br\s*/?>", "\n", value, flags=re.IGNORECASE)  # before the tags go
    return html.unescape(re.sub(r"<[^>]+>", "", lines)).strip()


class ConnectPanel(widgets.VBox):
    """Rows above, then ``[input] [Connect]``, then the status line.

    Subclasses say how to read their inputs (``_take_inputs``: read *and clear* the boxes, because
    a widget's ``value`` is synced to the browser and saved with the notebook), how to connect,
    how to explain a failure and what to show once connected.
    """

    def __init__(
        self, above: list[widgets.Widget], field: widgets.Widget, *, note: str | None, note_style: str | None
    ) -> None:
        self.error: BaseException | None = None  # the last failure, for tests and debugging
        self.connect_button = widgets.Button(description="Connect", button_style="primary", icon="plug")
        self.connect_button.on_click(self._on_connect)
        self.status = widgets.HTML(status_html(note or "Not connected yet.", note_style))
        super().__init__([*above, widgets.HBox([field, self.connect_button]), self.status])

    # -- what a subclass provides ---------------------------------------------------------------
    def _take_inputs(self) -> list[str]:
        """Read and clear the input boxes; the values, which are all secret."""
        raise NotImplementedError

    def _connect(self, inputs: list[str]) -> None:
        raise NotImplementedError

    def _explain(self, exc: Exception, inputs: list[str]) -> str:
        """The failure as HTML for the status line, after "Not connected."."""
        raise NotImplementedError

    def _connected(self) -> None:
        raise NotImplementedError

    # -- shared behaviour -----------------------------------------------------------------------
    def _say(self, text: str, style: str | None = None) -> None:
        self.status.value = status_html(text, style)

    @property
    def status_text(self) -> str:
        """The status as plain text (for tests and screen readers): one line per ``<br>``."""
        return plain_text(self.status.value)

    def _on_connect(self, _button: Any = None) -> None:
        inputs = self._take_inputs()  # read and clear first, whatever happens next
        self.connect_button.disabled = True
        try:
            self._connect(inputs)
        except Exception as exc:  # a callback must never lose an error: report it in the widget
            self.error = exc
            self._say(f"<b>Not connected.</b> {self._explain(exc, inputs)}", BAD_STYLE)
            self.connect_button.disabled = False
        else:
            self.error = None
            self._connected()

    def _mark_connected(self, inputs: list[widgets.Widget], text: str) -> None:
        for box in inputs:
            box.disabled = True
        self.connect_button.description = "Connected"
        self.connect_button.button_style = "success"
        self._say(text, OK_STYLE)

    @staticmethod
    def _unexpected(exc: Exception, secrets: list[str], retry: str) -> str:
        """An error that is not one of ours: its message was not written with secrets in mind, so
        it is scrubbed of ``secrets`` before it is shown."""
        message = redact(str(exc), secrets)
        log.warning("hubspot_nb: unexpected error while connecting: %s", type(exc).__name__)
        return html.escape(
            f"Something unexpected went wrong ({type(exc).__name__}: {message}). {retry}; if it keeps "
            "happening, please report it."
        )
