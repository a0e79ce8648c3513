"""The sandbox's OAuth state: authorization codes, installs (refresh tokens) and access tokens.

One lock guards everything; each operation is short. Secrets (codes and tokens) are kept out of
every ``repr`` so a stray log line or traceback cannot leak them.

A *grant* is one approval of the app (what HubSpot calls an install): it owns the refresh token and
the scopes. Access tokens are minted from a grant and die on their own clock; refresh tokens live
until revoked (or replaced, when ``rotate_refresh_tokens`` is on). Private-app tokens
(``Config.private_tokens``) never expire and may call everything.
"""

from __future__ import annotations

import itertools
import math
import secrets
import threading
import time
from dataclasses import dataclass, field

from ..config import CLIENT_ID, Config
from ..scopes import KNOWN_SCOPES as KNOWN_SCOPES  # re-exported: oauth's public name for it
from ..stats import Stats


class OAuthError(Exception):
    """A refused code/refresh exchange, in HubSpot's terms (``BAD_AUTH_CODE`` …) and RFC 6749's."""

    def __init__(self, status: str, message: str, rfc_error: str = "invalid_grant") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.rfc_error = rfc_error


@dataclass(eq=False)
class Grant:
    """One approval of the app by the portal's user."""

    id: int
    client_id: str
    scopes: tuple[str, ...]
    refresh_token: str = field(repr=False)
    alive: bool = True


@dataclass(eq=False)
class AccessToken:
    token: str = field(repr=False)
    kind: str  # "oauth" or "private-app"
    scopes: frozenset[str]
    expires_at: float | None  # epoch seconds; None: never (private-app tokens)
    limit_key: str  # rate-limit bucket: one per install, like HubSpot's per-app-per-portal limits
    grant: Grant | None = None
    revoked: bool = False

    def expired_for(self, now: float) -> float | None:
        """Seconds since this token expired, or None while it is valid."""
        if self.expires_at is None or now < self.expires_at:
            return None
        return now - self.expires_at

    def expires_in(self, now: float) -> int:
        if self.expires_at is None:
            return 0
        return max(0, math.ceil(self.expires_at - now))

    def has_any(self, scopes: tuple[str, ...]) -> bool:
        """True when the token may call a route needing any one of ``scopes`` (``()``: any token)."""
        if self.kind == "private-app" or not scopes:
            return True
        return not self.scopes.isdisjoint(scopes)


@dataclass(eq=False)
class AuthCode:
    code: str = field(repr=False)
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    expires_at: float
    used: bool = False


class AuthStore:
    """Thread-safe store of codes, grants and tokens for the one sandbox portal."""

    def __init__(self, config: Config, stats: Stats) -> None:
        self.config = config
        self.stats = stats
        self._lock = threading.Lock()
        self._codes: dict[str, AuthCode] = {}
        self._grants: dict[str, Grant] = {}  # by refresh token
        self._access: dict[str, AccessToken] = {}
        self._grant_ids = itertools.count(1)
        for number, token in enumerate(config.private_tokens, 1):
            self._access[token] = AccessToken(
                token, "private-app", KNOWN_SCOPES, None, limit_key=f"private:{number}"
            )

    # -- authorization codes ----------------------------------------------------------------
    def issue_code(self, client_id: str, redirect_uri: str, scopes: tuple[str, ...]) -> str:
        code = "na1-" + secrets.token_hex(16)
        expires_at = time.time() + self.config.code_lifetime_s
        with self._lock:
            self._codes[code] = AuthCode(code, client_id, redirect_uri, scopes, expires_at)
        self.stats.incr("codes_issued")
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str) -> tuple[AccessToken, Grant]:
        """Exchange a code (once) for a new grant and its first access token."""
        with self._lock:
            record = self._codes.get(code)
            if record is None or record.used:
                raise OAuthError("BAD_AUTH_CODE", "missing or unknown auth code")
            if time.time() >= record.expires_at:
                raise OAuthError("EXPIRED_AUTH_CODE", "auth code is expired")
            if record.client_id != client_id:
                raise OAuthError("BAD_AUTH_CODE", "auth code was not issued to this client")
            if record.redirect_uri != redirect_uri:
                raise OAuthError(
                    "BAD_REDIRECT_URI",
                    "redirect_uri does not match the one used to get the auth code",
                )
            record.used = True
            grant = Grant(next(self._grant_ids), client_id, record.scopes, self._new_refresh_token())
            self._grants[grant.refresh_token] = grant
            access = self._mint(grant)
        self.stats.incr("tokens_issued")
        return access, grant

    # -- refresh ------------------------------------------------------------------------------
    def refresh(self, refresh_token: str, client_id: str) -> tuple[AccessToken, Grant]:
        with self._lock:
            grant = self._grants.get(refresh_token)
            if grant is None or not grant.alive:
                raise OAuthError("BAD_REFRESH_TOKEN", "missing or invalid refresh token")
            if grant.client_id != client_id:
                raise OAuthError("BAD_REFRESH_TOKEN", "refresh token was not issued to this client")
            if self.config.rotate_refresh_tokens:
                del self._grants[refresh_token]
                grant.refresh_token = self._new_refresh_token()
                self._grants[grant.refresh_token] = grant
            access = self._mint(grant)
        self.stats.incr("tokens_issued")
        self.stats.incr("refreshes")
        return access, grant

    # -- lookups ------------------------------------------------------------------------------
    def access(self, token: str) -> AccessToken | None:
        """The record of an access token (live, expired or revoked), or None if never issued."""
        with self._lock:
            return self._access.get(token)

    def live_access(self, token: str) -> AccessToken | None:
        record = self.access(token)
        if record is None or record.revoked or record.expired_for(time.time()) is not None:
            return None
        return record

    def grant(self, refresh_token: str) -> Grant | None:
        """The live grant a refresh token stands for, or None."""
        with self._lock:
            grant = self._grants.get(refresh_token)
        return grant if grant is not None and grant.alive else None

    # -- revocation and expiry ----------------------------------------------------------------
    def revoke_refresh(self, refresh_token: str) -> bool:
        """Kill a refresh token. Access tokens already minted stay valid (HubSpot's behaviour)."""
        with self._lock:
            grant = self._grants.pop(refresh_token, None)
            if grant is None or not grant.alive:
                return False
            grant.alive = False
        self.stats.incr("revocations")
        return True

    def revoke_access(self, token: str) -> bool:
        with self._lock:
            record = self._access.get(token)
            if record is None or record.kind != "oauth" or record.revoked:
                return False
            record.revoked = True
        self.stats.incr("revocations")
        return True

    def expire_all(self) -> int:
        """Every live OAuth access token expires now; returns how many. Refresh tokens live on."""
        now = time.time()
        count = 0
        with self._lock:
            for record in self._access.values():
                if record.kind == "oauth" and record.expired_for(now) is None:
                    record.expires_at = now
                    count += 1
        return count

    # -- internals (call with the lock held) --------------------------------------------------
    def _mint(self, grant: Grant) -> AccessToken:
        token = "sbx-at-" + secrets.token_urlsafe(54)
        record = AccessToken(
            token,
            "oauth",
            frozenset(grant.scopes),
            time.time() + self.config.token_lifetime_s,
            limit_key=f"install:{grant.id}",
            grant=grant,
        )
        self._access[token] = record
        return record

    def _new_refresh_token(self) -> str:
        return "sbx-rt-" + secrets.token_urlsafe(48)


def is_builtin_client(client_id: str | None) -> bool:
    return client_id == CLIENT_ID
