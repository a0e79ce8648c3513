"""What the server core needs from the sandbox it serves, as Protocols: ``app.Sandbox`` is one.

``server`` and ``control`` are handed a ``Host`` and read only what is declared here, so they never
import ``app`` (which assembles them) nor the OAuth token store (whose records fit ``BearerToken``).
"""

from __future__ import annotations

from typing import Protocol

from .config import Config
from .routing import Router
from .stats import Stats


class BearerToken(Protocol):
    """A token record as the server checks it before a route runs."""

    @property
    def kind(self) -> str:
        """ "oauth", "private-app" or "service-key"."""
        ...

    @property
    def revoked(self) -> bool: ...

    @property
    def expires_at(self) -> float | None: ...

    @property
    def limit_key(self) -> str: ...

    @property
    def static(self) -> bool:
        """A static credential (private-app token, service key): daily limits and headers apply."""
        ...

    def expired_for(self, now: float) -> float | None: ...

    def has_any(self, scopes: tuple[str, ...]) -> bool: ...


class TokenStore(Protocol):
    def access(self, token: str) -> BearerToken | None:
        """The record of an access (or private-app) token, or None when unknown."""
        ...

    def expire_all(self) -> int:
        """Expire every live access token now; the number expired."""
        ...


class Host(Protocol):
    """The running sandbox, as the HTTP server and the control routes see it."""

    @property
    def config(self) -> Config: ...

    @property
    def hub_id(self) -> int: ...

    @property
    def stats(self) -> Stats: ...

    @property
    def router(self) -> Router: ...

    @property
    def auth(self) -> TokenStore: ...
