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

import ipywidgets as widgets

from ..auth import static
from ..auth.cache import TokenCache
from ..auth.token import redact
from ..errors import HubSpotNBError
from ..hub import Hub
from ._panel import BAD_STYLE, ConnectPanel


class ServiceKeyWidget(ConnectPanel):
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
        self.help = widgets.HTML(self._help_html())
        self.key = widgets.Password(
            description="Service key",
            placeholder="paste the key (not saved in the notebook)",
            layout=widgets.Layout(width="32em"),
            style={"description_width": "7em"},
        )
        super().__init__([self.help], self.key, note=note, note_style=BAD_STYLE if note else None)
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

    # -- the callback, in ConnectPanel's steps ----------------------------------------------------
    def _take_inputs(self) -> list[str]:
        key = self.key.value
        self.key.value = ""
        return [key, key.strip()]

    def _connect(self, inputs: list[str]) -> None:
        self._say("Checking the key…")
        authorized = static.verify(
            inputs[0], "service-key", api_base=self.api_base, api_version=self.hub.api_version
        )
        if self.store is not None:
            self.store.save_key(authorized.token.to_record())
            authorized.token.store = self.store
        self.hub.attach(authorized.token, authorized.info)

    def _explain(self, exc: Exception, inputs: list[str]) -> str:
        if isinstance(exc, HubSpotNBError):
            return html.escape(redact(str(exc), inputs))
        return self._unexpected(exc, inputs, "Paste the key and click Connect again")

    def _connected(self) -> None:
        saved = "saved on this machine" if self.store is not None else "kept in memory only"
        self._mark_connected(
            [self.key],
            f"<b>Connected</b> to {html.escape(self.hub.info.describe())} with a service key.<br>"
            f"Key {saved}. Run the next cells.",
        )
