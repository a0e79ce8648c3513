"""What the OAuth routes read from the sandbox they serve, as a Protocol (``app.Sandbox`` is one)."""

from __future__ import annotations

from typing import Protocol

from ..config import Config
from ._tokens import AuthStore


class OAuthHost(Protocol):
    """The portal and app identity the pages and token endpoints show, and the token store."""

    @property
    def auth(self) -> AuthStore: ...

    @property
    def config(self) -> Config: ...

    @property
    def client_id(self) -> str: ...

    @property
    def app_name(self) -> str: ...

    @property
    def portal_name(self) -> str: ...

    @property
    def hub_domain(self) -> str: ...

    @property
    def user_email(self) -> str: ...

    @property
    def hub_id(self) -> int: ...

    @property
    def user_id(self) -> int: ...

    @property
    def app_id(self) -> int: ...

    @property
    def base_url(self) -> str: ...

    @property
    def public_url(self) -> str: ...
