"""The sandbox's OAuth state: authorization codes, installs (refresh tokens) and access tokens.

One lock guards everything; each operation is short. Secrets (codes and tokens) are kept out of
every ``repr`` so a stray log line or traceback cannot leak them.

A *grant* is one approval of the app (what HubSpot calls an install): it owns the refresh token and
the scopes. Access tokens are minted from a grant and die on their own clock; refresh tokens live
until revoked (or replaced, when ``rotate_refresh_tokens`` is on). Private-app tokens
(``Config.private_tokens``) never expire and may call everything. Service keys
(``Config.service_keys``, or ``issue_service_key``) never expire either and hold the scopes they were
made with: by default every scope the sandbox knows except ``oauth`` (whether HubSpot's key scope
picker offers ``oauth`` is unconfirmed; ``service_key_account_info`` decides what account info makes
of that). Neither kind can be introspected, refreshed or revoked through OAuth.
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
    kind: str  # "oauth", "private-app" or "service-key"
    scopes: frozenset[str]
    expires_at: float | None  # epoch seconds; None: never (private-app tokens, service keys)
    limit_key: str  # rate-limit bucket: one per install, like HubSpot's per-app-per-portal limits
    grant: Grant | None = None
    revoked: bool = False

    @property
    def static(self) -> bool:
        """Not an OAuth access token (a private-app token or service key): never expires, counts
        toward the portal's daily limit and gets the daily rate-limit headers."""
        return self.kind != "oauth"

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


# What a service key holds unless told otherwise: everything but the OAuth base scope.
SERVICE_KEY_SCOPES = KNOWN_SCOPES - {"oauth"}


def service_key_table(keys: list[str] | dict[str, list[str]]) -> dict[str, frozenset[str]]:
    """``Config.service_keys`` checked: key -> its scopes. Raises ValueError on a bad key or scope."""
    table = {k: None for k in keys} if isinstance(keys, (list, tuple)) else dict(keys)
    out: dict[str, frozenset[str]] = {}
    for key, scopes in table.items():
        if not isinstance(key, str) or not key.strip() or key != key.strip() or " " in key:
            raise ValueError("service keys must be non-empty strings without spaces")
        chosen = SERVICE_KEY_SCOPES if scopes is None else frozenset(scopes)
        unknown = sorted(chosen - KNOWN_SCOPES)
        if unknown:
            raise ValueError(f"service key scopes unknown to the sandbox: {', '.join(unknown)}")
        out[key] = chosen
    return out


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
        self._key_numbers = itertools.count(1)
        for key, scopes in service_key_table(config.service_keys).items():
            self._add_key(key, scopes)

    # -- service keys -----------------------------------------------------------------------------
    def issue_service_key(self, scopes: list[str] | tuple[str, ...] | None = None) -> str:
        """Make a new service key (as a user does under Development > Keys); returns its value."""
        key = "sbx-key-" + secrets.token_urlsafe(32)
        table = service_key_table({key: list(scopes)} if scopes is not None else [key])
        with self._lock:
            self._add_key(key, table[key])
        self.stats.incr("service_keys_issued")
        return key

    def _add_key(self, key: str, scopes: frozenset[str]) -> None:
        number = next(self._key_numbers)
        self._access[key] = AccessToken(key, "service-key", scopes, None, limit_key=f"key:{number}")

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
