"""``ServiceKeyWidget``: the login cell when no OAuth app is configured, a thin shell over
``auth.static.verify``.

    How to make a key (where in HubSpot, which scopes to tick for which helper)
    Service key: [••••••]  [Connect]
    status: what happened, in plain words

It behaves like ``LoginWidget``: every failure is reported in the status line in plain words,
never as a traceback lost in the kernel log, and the password box is emptied as soon as it is
read (a widget's ``value`` is synced to the browser and saved with the notebook). A verified key
is cached for its portal (unless ``store`` is None) and the pending hub is connected with the
public ``hub.attach``.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import ipywidgets as widgets

from ..auth import static
from ..auth.cache import TokenCache
from ..auth.token import redact
from ..errors import HubSpotNBError
from ..hub import Hub
from ._status import plain_text, status_html

log = logging.getLogger("hubspot_nb.notebook.key_widget")

_OK = "color:#1a7f37"
_BAD = "color:#b42318"


class ServiceKeyWidget(widgets.VBox):
    """Explanation, a password box for a HubSpot service key, a Connect button and a status line."""

    def __init__(
        self,
        hub: Hub,
        *,
        api_base: str | None = None,
        store: TokenCache | None = None,
        note: str | None = None,
    ) -> None:
        self.hub = hub
        self.api_base = (api_base or hub.api_base).rstrip("/")
        self.store = store  # None: the key stays in memory only
        self.error: BaseException | None = None  # the last failure, for tests and debugging
        self.help = widgets.HTML(self._help_html())
        self.key = widgets.Password(
            description="Service key",
            placeholder="paste the key (not saved in the notebook)",
            layout=widgets.Layout(width="32em"),
            style={"description_width": "7em"},
        )
        self.connect_button = widgets.Button(description="Connect", button_style="primary", icon="plug")
        self.connect_button.on_click(self._on_connect)
        self.status = widgets.HTML(status_html(note or "Not connected yet.", _BAD if note else None))
        super().__init__([self.help, widgets.HBox([self.key, self.connect_button]), self.status])
        self.add_class("hubspot-nb-key-widget")

    # -- rendering ------------------------------------------------------------------------------
    @staticmethod
    def _help_html() -> str:
        rows = "".join(
            f"<li><code>{html.escape(', '.join(scopes))}</code> for {html.escape(helper)}</li>"
            for helper, scopes in static.KEY_SCOPES.items()
        )
        where = html.escape(static.WHERE_KEYS_ARE_MADE)
        return (
            '<div class="hubspot-nb-key-help"><b>Log in with a HubSpot service key</b> '
            "(no OAuth app is configured).<br>"
            f"In HubSpot open {where}, click <i>Create service key</i>, name it, "
            "<i>Add new scope</i> and tick what you need:"
            f"<ul style='margin:2px 0'>{rows}</ul>"
            "Create it, open it, copy its value and paste it below. It is checked, then saved on "
            "this machine for this portal (readable only by you) unless you logged in with "
            "<code>cache=False</code>.</div>"
        )

    def _say(self, text: str, style: str | None = None) -> None:
        self.status.value = status_html(text, style)

    @property
    def status_text(self) -> str:
        """The status as plain text (for tests and screen readers): one line per ``<br>``."""
        return plain_text(self.status.value)

    # -- the callback -----------------------------------------------------------------------------
    def _on_connect(self, _button: Any = None) -> None:
        key = self.key.value
        self.key.value = ""  # read and clear first, whatever happens next
        self.connect_button.disabled = True
        try:
            self._say("Checking the key…")
            authorized = static.verify(
                key, "service-key", api_base=self.api_base, api_version=self.hub.api_version
            )
            if self.store is not None:
                self.store.save_key(authorized.token.to_record())
                authorized.token.store = self.store
            self.hub.attach(authorized.token, authorized.info)
        except Exception as exc:  # a callback must never lose an error: report it in the widget
            self.error = exc
            self._report(exc, key)
            self.connect_button.disabled = False
        else:
            self.error = None
            self._connected()

    def _report(self, exc: Exception, key: str) -> None:
        if isinstance(exc, HubSpotNBError):
            text = html.escape(redact(str(exc), [key.strip()]))
        else:
            # Not one of ours: its message was not written with secrets in mind, so scrub it.
            message = redact(str(exc), [key, key.strip()])
            log.warning("hubspot_nb: unexpected error during a service-key login: %s", type(exc).__name__)
            text = html.escape(
                f"Something unexpected went wrong ({type(exc).__name__}: {message}). Paste the key and "
                "click Connect again; if it keeps happening, please report it."
            )
        self._say(f"<b>Not connected.</b> {text}", _BAD)

    def _connected(self) -> None:
        info = self.hub.info
        self.key.disabled = True
        self.connect_button.description = "Connected"
        self.connect_button.button_style = "success"
        saved = "saved on this machine" if self.store is not None else "kept in memory only"
        self._say(
            f"<b>Connected</b> to {html.escape(info.describe())} with a service key.<br>"
            f"Key {saved}. Run the next cells.",
            _OK,
        )
