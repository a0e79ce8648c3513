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

import ipywidgets as widgets

from ..auth.flow import OAuthFlow
from ..errors import HubSpotNBError, LoginFailed
from ..hub import Hub
from ._panel import ConnectPanel


class LoginWidget(ConnectPanel):
    """Authorize link, optional client-secret box, paste box, Connect button and a status line."""

    def __init__(self, flow: OAuthFlow, hub: Hub | None = None, *, note: str | None = None) -> None:
        self.flow = flow
        self.hub = hub if hub is not None else Hub(api_base=flow.api_base, api_version=flow.api_version)
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
        super().__init__([self.link, self.secret], self.paste, note=note, note_style=None)

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

    # -- the callback, in ConnectPanel's steps ----------------------------------------------------
    def _take_inputs(self) -> list[str]:
        pasted, secret = self.paste.value, self.secret.value
        self.paste.value = ""
        self.secret.value = ""
        return [pasted, secret]

    def _connect(self, inputs: list[str]) -> None:
        pasted, secret = inputs
        if secret.strip():
            self.flow.set_client_secret(secret)
        self._say("Connecting…")
        authorized = self.flow.finish(pasted)
        self.hub.attach(authorized.token, authorized.info)

    def _explain(self, exc: Exception, inputs: list[str]) -> str:
        if isinstance(exc, LoginFailed) and exc.reason == "bad_client":
            self.flow.set_client_secret("")  # ask for it again
        if self.flow.needs_secret:
            self.secret.layout.display = ""
        if isinstance(exc, HubSpotNBError):
            return html.escape(str(exc))
        return self._unexpected(exc, self.flow.secrets(), "Click Authorize to start over")

    def _connected(self) -> None:
        info, token = self.hub.info, self.hub.token
        self.secret.layout.display = "none"
        expiry = ""
        if token.expires_at is not None:
            expiry = f"<br>Access token valid until {token.expires_at:%H:%M} UTC; it renews itself."
        saved = "saved on this machine" if self.flow.cache is not None else "kept in memory only"
        scopes = ", ".join(html.escape(s) for s in info.scopes) or "none reported"
        self._mark_connected(
            [self.paste, self.secret],
            f"<b>Connected</b> to {html.escape(info.describe())}.<br>Scopes: {scopes}.{expiry}"
            f"<br>Login {saved}. Run the next cells.",
        )
