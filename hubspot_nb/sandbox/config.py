"""The sandbox's settings: data sizes, behaviour knobs and the two profiles.

Knobs in ``RUNTIME_KNOBS`` can be changed while the sandbox runs (``POST /_sandbox/config``);
the others (seed, data sizes, host, port) are fixed when it starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .scopes import ALL_SCOPES, scope_tuple

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"  # not a secret: the sandbox's public, built-in demo app
ACCOUNT_TIME_ZONE = "US/Eastern"  # the portal's time zone: account details say it, daily limits reset by it

RUNTIME_KNOBS = (
    "latency_ms",
    "per_record_ms",
    "fault_rate",
    "fault_kinds",
    "token_lifetime_s",
    "burst",
    "burst_window_ms",
    "search_rps",
    "daily_limit",
    "token_rps",
    "token_burst",
    "token_retry_after",
    "rotate_refresh_tokens",
    "code_lifetime_s",
    "list_cursor",
    "max_url_length",
    "record_associations_2026_09",
    "archived_form_submissions",
    "search_extra_sorts",
    "service_key_account_info",
    "service_key_daily_headers",
    "app_scopes",
    "app_optional_scopes",
    "portal_scopes",
)
# Settings that hold a list of scope names (a list, or one string of names split by spaces/commas).
SCOPE_SETTINGS = ("app_scopes", "app_optional_scopes", "portal_scopes")

FAULT_KINDS = ("429", "429_secondly", "502", "503", "drop", "truncate")
# How list cursors spell the next record id: base64 of the id and a newline (HubSpot's own example,
# the default); the id as plain digits (seen in other captures); HubSpot's spelling, but only cursors
# it handed out are accepted ("issued"); or signed tokens no client can write ("opaque").
LIST_CURSORS = ("id", "plain", "issued", "opaque")
# What the submissions endpoint answers for an archived form. HubSpot stops new submissions when a
# form is archived and deletes the definition after 3 months; whether the old submissions can still
# be read is unconfirmed: served as before ("readable", the default), an empty list ("empty"), or a
# 404 as for an unknown form ("gone").
ARCHIVED_FORM_SUBMISSIONS = ("readable", "empty", "gone")

# What search does with a second (third …) sort: HubSpot may honour only the first, and whether it
# refuses the request or drops the extra keys is unconfirmed. "refuse" (the default, the stricter:
# a client that relies on extra keys fails loudly instead of getting a silently different order)
# answers 400; "ignore" sorts by the first key only.
SEARCH_EXTRA_SORTS = ("refuse", "ignore")

# Whether account info answers a service key: HubSpot documents the endpoint with the ``oauth`` scope,
# which a key may not be able to hold (reference §4a, unconfirmed), so the sandbox offers both.
SERVICE_KEY_ACCOUNT_INFO = ("allowed", "needs_oauth_scope")
# Settings that take one of a few words.
CHOICES = {
    "archived_form_submissions": ARCHIVED_FORM_SUBMISSIONS,
    "search_extra_sorts": SEARCH_EXTRA_SORTS,
    "service_key_account_info": SERVICE_KEY_ACCOUNT_INFO,
    "list_cursor": LIST_CURSORS,
}


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8750
    public_url: str | None = None  # base URL browsers use (e.g. behind jupyter-server-proxy)
    seed: int = 7
    profile: str = "fast"
    # data sizes
    contacts: int = 2_000
    companies: int = 400
    deals: int = 800
    tickets: int = 300
    custom_properties: int = 150  # per object type, on top of HubSpot's own (a typical portal's count)
    emails: int = 40
    campaigns: int = 12
    forms: int = 8
    # behaviour knobs
    latency_ms: float = 0.0  # fixed latency per request
    per_record_ms: float = 0.0  # extra latency per record returned
    fault_rate: float = 0.0  # share of API requests that get an injected fault
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    token_lifetime_s: float = 1800.0
    code_lifetime_s: float = 300.0
    burst: int = 0  # requests per burst window per token; 0 = unlimited
    burst_window_ms: int = 10_000
    search_rps: int = 0  # search requests per second per portal (all its tokens); 0 = unlimited
    # Static-credential (private-app, service-key) calls per portal per day, reset at midnight account
    # time; 0 = none, and no daily headers. HubSpot's Professional figure (Free/Starter 250,000,
    # Enterprise 1,000,000): a middle tier, and never reached by a test that does not ask for it.
    daily_limit: int = 625_000
    # OAuth token endpoints: calls per second refilling a bucket of token_burst; 0 = unlimited. HubSpot
    # limits them (its 429 is reported) but its figures are unconfirmed.
    token_rps: float = 0.0
    token_burst: int = 10
    token_retry_after: bool = True  # token 429s carry Retry-After (reported, not confirmed always)
    rotate_refresh_tokens: bool = False
    list_cursor: str = "id"  # one of LIST_CURSORS
    # Longest request URL (path + query) answered; longer ones get HubSpot's 414. HubSpot's figure is
    # unconfirmed (hubspot-2026.md: ~16k, PostHog measured ~16.2k; one report says ~8 KB), so 8_192
    # is offered too: the client must then split its property names further.
    max_url_length: int = 16_000
    # GET /crm/objects/2026-09/{type}/{id}/associations/{toType} is only in Partner Services' 2026-09
    # spec (unconfirmed for contacts, hubspot-2026.md §2): served by default, False answers 404.
    record_associations_2026_09: bool = True
    archived_form_submissions: str = "readable"  # one of ARCHIVED_FORM_SUBMISSIONS
    search_extra_sorts: str = "refuse"  # one of SEARCH_EXTRA_SORTS
    # Extra associations for tests of big link lists, fixed at start: {"companies:contacts": 2500}
    # links the first company to the first 2,500 contacts (or all there are), "deals:contacts": 300
    # the first deal to 300 contacts. Deterministic; the default portal is unchanged.
    association_fanout: dict[str, int] = field(default_factory=dict)
    private_tokens: list[str] = field(default_factory=list)
    # Service keys (any non-empty string): a list (each key holds every scope the sandbox's routes
    # accept, like the built-in app) or a dict key -> its scopes (to provoke 403s in tests).
    service_keys: list[str] | dict[str, list[str]] = field(default_factory=list)
    service_key_account_info: str = "allowed"  # one of SERVICE_KEY_ACCOUNT_INFO
    service_key_daily_headers: bool = True  # HubSpot sending them to keys is unconfirmed (§7)
    # The built-in app's configuration, as in its app-hsmeta.json: the scopes an install URL must
    # list in ``scope`` (required) and the others it may name (optional). Any other scope in the URL
    # fails the install. By default nothing is required and every known scope is optional, so any
    # login naming known scopes works; set both to a project's lists to check a login against it.
    app_scopes: tuple[str, ...] = ()
    app_optional_scopes: tuple[str, ...] = ALL_SCOPES
    # What the portal's products offer: an optional scope outside it is dropped from the grant, a
    # required one fails the install ("your account lacks access to the required scopes").
    portal_scopes: tuple[str, ...] = ALL_SCOPES

    def update(self, changes: dict[str, Any], *, runtime_only: bool = True) -> list[str]:
        """Apply ``changes`` (validated), return the names changed. Raises ValueError on bad input."""
        names = {f.name: f for f in dataclasses.fields(self)}
        applied = []
        for key, value in changes.items():
            if key not in names or (runtime_only and key not in RUNTIME_KNOBS):
                allowed = RUNTIME_KNOBS if runtime_only else tuple(names)
                raise ValueError(f"unknown setting {key!r}; valid settings: {', '.join(allowed)}")
            current = getattr(self, key)
            try:
                if isinstance(current, bool):
                    if not isinstance(value, bool):
                        raise TypeError
                    new: Any = value
                elif key in SCOPE_SETTINGS:
                    if not isinstance(value, (str, list, tuple)):
                        raise TypeError
                    new = scope_tuple(value)
                elif isinstance(current, tuple):
                    new = tuple(str(v) for v in value)
                    bad = [k for k in new if k not in FAULT_KINDS]
                    if bad:
                        raise ValueError(f"unknown fault kinds {bad}; valid: {', '.join(FAULT_KINDS)}")
                elif isinstance(current, (int, float)) and not isinstance(value, bool):
                    new = type(current)(value)
                    if new < 0:
                        raise ValueError(f"{key} must be >= 0")
                else:
                    new = value
            except (TypeError, ValueError) as exc:
                raise ValueError(f"bad value for {key}: {exc or type(value).__name__}") from None
            if key == "fault_rate" and not 0 <= new <= 1:
                raise ValueError("fault_rate must be between 0 and 1")
            if key in CHOICES and new not in CHOICES[key]:
                raise ValueError(f"{key} must be one of {', '.join(CHOICES[key])}, not {new!r}")
            if key == "association_fanout":
                new = _fanout(new)
            setattr(self, key, new)
            applied.append(key)
        return applied


def _fanout(value: Any) -> dict[str, int]:
    """``{"from:to": count}`` checked: text keys naming two types, whole counts of 0 or more."""
    if not isinstance(value, dict):
        raise ValueError('association_fanout is a dict like {"companies:contacts": 2500}')
    out: dict[str, int] = {}
    for key, count in value.items():
        if not isinstance(key, str) or key.count(":") != 1:
            raise ValueError(
                f'association_fanout keys are "from:to" (e.g. "companies:contacts"), not {key!r}'
            )
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"association_fanout[{key!r}] must be a whole number >= 0, not {count!r}")
        out[key] = count
    return out


PROFILES: dict[str, dict[str, Any]] = {
    # Tests: no latency, no limits, short paths.
    "fast": {},
    # Demos and benchmarks: HubSpot-like latency and limits (public app: ~110 requests per 10 s;
    # search: 5 requests per second per portal; token endpoints: 10 at once, then 1 per second, a
    # guess that a notebook refreshing every half hour never meets and a refresh loop meets at once).
    "hubspot": {
        "latency_ms": 120.0,
        "per_record_ms": 0.2,
        "burst": 110,
        "burst_window_ms": 10_000,
        "search_rps": 5,
        "token_rps": 1.0,
        "token_burst": 10,
    },
}


def make_config(profile: str = "fast", **options: Any) -> Config:
    """A Config for ``profile`` with ``options`` on top (unknown names raise ValueError)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}")
    config = Config(profile=profile)
    config.update({**PROFILES[profile], **options}, runtime_only=False)
    return config
