"""``LoginWidget``: the login cell's user interface, a thin shell over ``OAuthFlow``.

    [1. Authorize in HubSpot ↗]                 (opens the consent page in a new tab)
    Asks for: oauth, crm.objects.…  (optional: …) + what to do if HubSpot says they do not match
    Client secret: [••••••]                      (only when no secret came from env/arguments)
    Code:          [paste the code or address]   [Connect]
    status: what happened, in plain words

The flow does the work; the widget shows the link, takes the paste and reports. Every callback is
wrapped: whatever goes wrong ends up in the status area in plain words, never as a traceback lost
in the kernel log. Secrets never stay in widget state: the paste box and the secret box are
emptied as soon as they are read, because a widget's ``value`` is synced to the browser and saved
with the notebook.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import ipywidgets as widgets

from ..auth.flow import OAuthFlow
from ..auth.token import redact
from ..errors import HubSpotNBError, LoginFailed
from ..hub import Hub
from ._status import plain_text, status_html

log = logging.getLogger("hubspot_nb.notebook.widget")

_OK = "color:#1a7f37"
_BAD = "color:#b42318"


class LoginWidget(widgets.VBox):
    """Authorize link, optional client-secret box, paste box, Connect button and a status line."""

    def __init__(self, flow: OAuthFlow, hub: Hub | None = None, *, note: str | None = None) -> None:
        self.flow = flow
        self.hub = hub if hub is not None else Hub(api_base=flow.api_base, api_version=flow.api_version)
        self.error: BaseException | None = None  # the last failure, for tests and debugging
        self.link = widgets.HTML(self._link_html())
        self.secret = widgets.Password(
            description="Client secret",
            placeholder="your app's client secret (not saved in the notebook)",
            layout=widgets.Layout(width="32em", display="" if flow.needs_secret else "none"),
            style={"description_width": "7em"},
        )
        self.paste = widgets.Text(
            description="Code",
            placeholder="2. paste the code, or the whole address you were sent to",
            layout=widgets.Layout(width="32em"),
            style={"description_width": "7em"},
        )
        self.connect_button = widgets.Button(description="Connect", button_style="primary", icon="plug")
        self.connect_button.on_click(self._on_connect)
        self.status = widgets.HTML(status_html(note or "Not connected yet.", None))
        super().__init__(
            [self.link, self.secret, widgets.HBox([self.paste, self.connect_button]), self.status]
        )

    # -- rendering ------------------------------------------------------------------------------
    def _link_html(self) -> str:
        url = html.escape(self.flow.authorize_url, quote=True)
        return (
            f'<a href="{url}" target="_blank" rel="noopener noreferrer" class="hubspot-nb-authorize" '
            f'style="font-weight:600">1. Authorize in HubSpot &#8599;</a>'
            " <span style='color:#666'>(opens a new tab; approve, then copy the code or the address)</span>"
            f"{self._scopes_html()}"
        )

    def _scopes_html(self) -> str:
        """The scopes the link asks for, and what to do when HubSpot's page says they do not match
        (HubSpot shows its error on its own page and never redirects back, so the widget cannot)."""
        asked = ", ".join(html.escape(s) for s in self.flow.scopes) or "none"
        optional = ", ".join(html.escape(s) for s in self.flow.optional_scopes)
        extra = f" (optional: {optional})" if optional else ""
        return (
            f'<div class="hubspot-nb-scopes" style="color:#666;font-size:90%">Asks for: {asked}{extra}.'
            "<br>If HubSpot says the scopes do not match, set HUBSPOT_SCOPES / HUBSPOT_OPTIONAL_SCOPES "
            "to your app's required / optional scopes (see app-hsmeta.json) and run the login again.</div>"
        )

    def _say(self, text: str, style: str | None = None) -> None:
        self.status.value = status_html(text, style)

    @property
    def status_text(self) -> str:
        """The status as plain text (for tests and screen readers): one line per ``<br>``."""
        return plain_text(self.status.value)

    # -- the callback -----------------------------------------------------------------------------
    def _on_connect(self, _button: Any = None) -> None:
        # Read and clear the secret inputs first, whatever happens next.
        pasted, secret = self.paste.value, self.secret.value
        self.paste.value = ""
        self.secret.value = ""
        self.connect_button.disabled = True
        try:
            if secret.strip():
                self.flow.set_client_secret(secret)
            self._say("Connecting…")
            authorized = self.flow.finish(pasted)
            self.hub.attach(authorized.token, authorized.info)
        except Exception as exc:  # a callback must never lose an error: report it in the widget
            self.error = exc
            self._report(exc)
            self.connect_button.disabled = False
        else:
            self.error = None
            self._connected()

    def _report(self, exc: Exception) -> None:
        if isinstance(exc, LoginFailed):
            if exc.reason == "bad_client":
                self.flow.set_client_secret("")  # ask for it again
            text = html.escape(str(exc))
        elif isinstance(exc, HubSpotNBError):
            text = html.escape(str(exc))
        else:
            # Not one of ours: its message was not written with secrets in mind, so scrub it.
            message = redact(str(exc), self.flow.secrets())
            log.warning("hubspot_nb: unexpected error during login: %s", type(exc).__name__)
            text = html.escape(
                f"Something unexpected went wrong ({type(exc).__name__}: {message}). Click Authorize "
                "to start over; if it keeps happening, please report it."
            )
        if self.flow.needs_secret:
            self.secret.layout.display = ""
        self._say(f"<b>Not connected.</b> {text}", _BAD)

    def _connected(self) -> None:
        info, token = self.hub.info, self.hub.token
        for box in (self.paste, self.secret):
            box.disabled = True
        self.secret.layout.display = "none"
        self.connect_button.description = "Connected"
        self.connect_button.button_style = "success"
        expiry = ""
        if token.expires_at is not None:
            expiry = f"<br>Access token valid until {token.expires_at:%H:%M} UTC; it renews itself."
        saved = "saved on this machine" if self.flow.cache is not None else "kept in memory only"
        scopes = ", ".join(html.escape(s) for s in info.scopes) or "none reported"
        self._say(
            f"<b>Connected</b> to {html.escape(info.describe())}.<br>Scopes: {scopes}.{expiry}"
            f"<br>Login {saved}. Run the next cells.",
            _OK,
        )
