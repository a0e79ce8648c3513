"""``Token``: an access token that knows its expiry and refreshes itself, once, under a lock.

* ``bearer()`` returns a valid access token, refreshing first when the token is within its
  leeway of expiry (5 minutes, but never more than half the token's lifetime, so short test
  lifetimes still work).
* ``refresh(stale=...)`` is the 401 safety net: the client passes the token it sent; if another
  thread or process has replaced it meanwhile, nothing is done.
* Single flight: a ``threading.Lock`` serialises threads, and a file lock (from the cache)
  serialises processes sharing the cache. Inside both locks the cache file is re-read: if another
  process refreshed already, its token is adopted instead of spending the refresh token again.
* A refused refresh (revoked or uninstalled app) raises ``RefreshFailed`` and removes the dead
  entry from the cache so nothing tries it again.

Secrets are masked everywhere: ``repr``/``str`` show at most the last four characters of the
access token and nothing of the refresh token or client secret.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..errors import RefreshFailed
from .endpoints import refresh_grant
from .settings import DEFAULT_API_BASE, DEFAULT_TOKEN_ENDPOINT

if TYPE_CHECKING:
    import requests

    from .cache import TokenCache

log = logging.getLogger("hubspot_nb.auth.token")

MAX_LEEWAY_S = 300.0


def mask(secret: str | None) -> str:
    """``'…a1b2'``: the last four characters of a long secret, nothing of a short one."""
    if not secret:
        return "None"
    return f"'…{secret[-4:]}'" if len(secret) >= 16 else "'…'"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret in ``secrets`` replaced by ``***`` (for messages we did not write)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def _human(seconds: float) -> str:
    if seconds < 0:
        return "expired"
    if seconds < 120:
        return f"{int(seconds)}s"
    if seconds < 7200:
        return f"{int(seconds // 60)}m"
    return f"{seconds / 3600:.1f}h"


class Token:
    """A HubSpot access token (``kind`` "oauth", "service-key" or "private-app") plus what it takes to
    renew it (only OAuth tokens renew)."""

    def __init__(
        self,
        access_token: str,
        *,
        kind: str = "oauth",
        refresh_token: str | None = None,
        expires_at: float | None = None,
        lifetime_s: float | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        hub_id: int | None = None,
        scopes: Iterable[str] = (),
        token_endpoint: str = DEFAULT_TOKEN_ENDPOINT,
        api_base: str = DEFAULT_API_BASE,
        user: str | None = None,
        hub_domain: str | None = None,
        store: TokenCache | None = None,
        on_refresh: Callable[[Token], None] | None = None,
    ) -> None:
        self.kind = kind
        self._access_token = access_token
        self._refresh_token = refresh_token
        self._expires_at = expires_at  # epoch seconds; None = does not expire (private app)
        self.lifetime_s = lifetime_s
        self.client_id = client_id
        self._client_secret = client_secret
        self.hub_id = hub_id
        self.scopes = list(scopes)
        self.token_endpoint = token_endpoint
        self.api_base = api_base.rstrip("/")
        self.user = user
        self.hub_domain = hub_domain
        self.store = store  # None = memory only
        self.on_refresh = on_refresh
        self.refresh_count = 0  # refreshes this object performed itself (adoptions not counted)
        self._lock = threading.Lock()
        self._session: requests.Session | None = None

    @classmethod
    def from_response(cls, body: dict[str, Any], **fields: Any) -> Token:
        """Build from a token-endpoint response (snake_case, as HubSpot sends it)."""
        lifetime = float(body.get("expires_in") or 1800)
        scopes = body.get("scopes") or body.get("scope") or fields.pop("scopes", [])
        if isinstance(scopes, str):
            scopes = scopes.split()
        hub_id = body.get("hub_id") or body.get("hubId") or fields.pop("hub_id", None)
        fields.pop("scopes", None)
        fields.pop("hub_id", None)
        return cls(
            str(body["access_token"]),
            refresh_token=body.get("refresh_token"),
            expires_at=time.time() + lifetime,
            lifetime_s=lifetime,
            scopes=scopes,
            hub_id=int(hub_id) if hub_id is not None else None,
            **fields,
        )

    # -- what callers read -----------------------------------------------------------------
    @property
    def can_refresh(self) -> bool:
        return self.kind == "oauth" and bool(self._refresh_token)

    @property
    def expires_at(self) -> datetime | None:
        if self._expires_at is None:
            return None
        return datetime.fromtimestamp(self._expires_at, tz=timezone.utc)

    @property
    def expires_in(self) -> float | None:
        """Seconds until expiry (negative once expired); None for tokens that do not expire."""
        return None if self._expires_at is None else self._expires_at - time.time()

    @property
    def leeway(self) -> float:
        """How early to refresh: 5 minutes, at most half the lifetime."""
        lifetime = self.lifetime_s or 1800.0
        return min(MAX_LEEWAY_S, lifetime / 2)

    def is_expired(self, leeway: float = 0.0) -> bool:
        left = self.expires_in
        return left is not None and left <= leeway

    @property
    def access_token(self) -> str:
        """The raw access token, as it is now (use ``bearer()`` to get a fresh one)."""
        return self._access_token

    def bearer(self) -> str:
        """A valid access token: refreshes first when within the leeway (single flight)."""
        if self.can_refresh and self.is_expired(self.leeway):
            self._refresh(stale=None, forced=False)
        return self._access_token

    def refresh(self, stale: str | None = None) -> None:
        """Force a refresh. With ``stale``: only if the current token still is ``stale``."""
        if not self.can_refresh:
            raise RefreshFailed(
                "This token cannot be refreshed (a service key or private-app token, or no refresh "
                "token). If HubSpot rejects it, make a new key or token, or log in again with hnb.login()."
            )
        self._refresh(stale=stale, forced=True)

    def use_client_secret(self, secret: str) -> None:
        """Refresh with this client secret from now on (one given now wins over a stored one: the
        app's secret may have been rotated). Like the others, it never shows in ``repr``."""
        self._client_secret = secret

    # -- the refresh itself ---------------------------------------------------------------
    def _needs_refresh(self, stale: str | None, forced: bool) -> bool:
        if stale is not None:
            return self._access_token == stale
        return forced or self.is_expired(self.leeway)

    def _refresh(self, stale: str | None, forced: bool) -> None:
        with self._lock:
            if not self._needs_refresh(stale, forced):
                return  # another thread did it while we waited for the lock
            before = self._access_token
            with self._file_lock():
                if self._adopt_from_store(before, stale, forced):
                    return
                self._refresh_now()

    def _file_lock(self) -> contextlib.AbstractContextManager[Any]:
        if self.store is None or self.client_id is None or self.hub_id is None:
            return contextlib.nullcontext()
        return self.store.lock(self.client_id, self.hub_id)

    def _adopt_from_store(self, before: str, stale: str | None, forced: bool) -> bool:
        """If another process already refreshed (the cache holds a newer token), take it."""
        if self.store is None or self.client_id is None or self.hub_id is None:
            return False
        record = self.store.load(self.client_id, self.hub_id)
        if not record or not record.get("access_token"):
            return False
        if record.get("refresh_token"):
            self._refresh_token = record["refresh_token"]  # the other process may have rotated it
        if record["access_token"] == before or (forced and stale is None):
            return False  # nothing newer on disk, or the caller wants a brand-new token
        other = Token.from_record(record)
        # After a 401 any unexpired newer token will do; ahead of expiry it must be fresh itself.
        if other.is_expired(0.0 if stale is not None else other.leeway):
            return False
        self._access_token = other._access_token
        self._expires_at = other._expires_at
        self.lifetime_s = other.lifetime_s
        self.scopes = other.scopes or self.scopes
        log.info("adopted a token refreshed by another process (hub %s)", self.hub_id)
        return True

    def _refresh_now(self) -> None:
        try:
            body = refresh_grant(
                api_base=self.api_base,
                endpoint=self.token_endpoint,
                client_id=self.client_id or "",
                client_secret=self._client_secret or "",
                refresh_token=self._refresh_token or "",
                session=self._http(),
            )
        except RefreshFailed:
            self._forget()
            raise
        lifetime = float(body.get("expires_in") or 1800)
        self._access_token = str(body["access_token"])
        self._expires_at = time.time() + lifetime
        self.lifetime_s = lifetime
        if body.get("refresh_token"):
            self._refresh_token = str(body["refresh_token"])  # rotated refresh tokens are kept
        self.refresh_count += 1
        log.info("refreshed the access token for hub %s (valid %s)", self.hub_id, _human(lifetime))
        if self.store is not None:
            self.store.save(self.to_record())
        if self.on_refresh is not None:
            self.on_refresh(self)

    def _forget(self) -> None:
        """The refresh token is dead: drop it here and from the cache so nobody reuses it."""
        self._refresh_token = None
        if self.store is not None and self.client_id and self.hub_id is not None:
            self.store.delete(self.client_id, self.hub_id)

    def _http(self) -> requests.Session:
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    # -- persistence ------------------------------------------------------------------------
    def to_record(self) -> dict[str, Any]:
        """Everything needed to use and refresh this token later (secrets included: 0600 file)."""
        return {
            "kind": self.kind,
            "access_token": self._access_token,
            "refresh_token": self._refresh_token,
            "expires_at": self._expires_at,
            "lifetime_s": self.lifetime_s,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "hub_id": self.hub_id,
            "scopes": self.scopes,
            "token_endpoint": self.token_endpoint,
            "api_base": self.api_base,
            "user": self.user,
            "hub_domain": self.hub_domain,
            "saved_at": time.time(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], store: TokenCache | None = None) -> Token:
        return cls(
            record["access_token"],
            kind=record.get("kind", "oauth"),
            refresh_token=record.get("refresh_token"),
            expires_at=record.get("expires_at"),
            lifetime_s=record.get("lifetime_s"),
            client_id=record.get("client_id"),
            client_secret=record.get("client_secret"),
            hub_id=record.get("hub_id"),
            scopes=record.get("scopes") or [],
            token_endpoint=record.get("token_endpoint", DEFAULT_TOKEN_ENDPOINT),
            api_base=record.get("api_base", DEFAULT_API_BASE),
            user=record.get("user"),
            hub_domain=record.get("hub_domain"),
            store=store,
        )

    def secrets(self) -> list[str]:
        """The secret strings this token holds, for ``redact``."""
        return [s for s in (self._access_token, self._refresh_token, self._client_secret) if s]

    # -- display and copying ------------------------------------------------------------------
    def __repr__(self) -> str:
        left = self.expires_in
        expiry = "never" if left is None else _human(left)
        kind = "" if self.kind == "oauth" else f"kind={self.kind!r}, "
        return (
            f"Token({kind}hub_id={self.hub_id}, expires_in={expiry}, scopes={self.scopes}, "
            f"access_token={mask(self._access_token)})"
        )

    __str__ = __repr__

    def __getstate__(self) -> dict[str, Any]:
        # Locks and sessions cannot be pickled; recreate them on the other side (as google-auth).
        state = self.__dict__.copy()
        state["_lock"] = None
        state["_session"] = None
        state["on_refresh"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
