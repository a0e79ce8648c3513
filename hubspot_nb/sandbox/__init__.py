"""A local HubSpot look-alike for tests, demos and benchmarks.

    from hubspot_nb import sandbox

    with sandbox.run(seed=7, contacts=500) as sb:     # port 0: a free port
        token = sb.oauth_token()["access_token"]      # full OAuth login over HTTP
        requests.get(f"{sb.base_url}/crm/v3/objects/contacts",
                     headers={"Authorization": f"Bearer {token}"})

    sb = sandbox.start(profile="hubspot")             # long-lived (notebooks); sb.stop() when done

Options are ``Config`` fields (see ``sandbox/config.py``): ``profile`` ("fast": no latency or
limits; "hubspot": HubSpot-like latency and rate limits), ``seed``, data sizes (``contacts`` …),
knobs (``latency_ms``, ``fault_rate``, ``token_lifetime_s``, ``burst`` …), ``host``, ``port``,
``public_url`` and ``private_tokens``. The built-in OAuth app is ``CLIENT_ID``/``CLIENT_SECRET``.

Layout (imports run downwards only; tests/sandbox/test_architecture.py checks it):

    app                           assembles a Sandbox from everything below
    control, server               control routes, HTTP server (see a ``host.Host`` Protocol)
    oauth/  crm/  marketing/      route packages with their data; none imports another
    host, routing, limits, stats, timestamps, config    the core
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .app import Sandbox
from .config import CLIENT_ID, CLIENT_SECRET, Config, make_config

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "Config", "Sandbox", "make_config", "run", "start"]


def start(profile: str = "fast", *, port: int = 0, **options: Any) -> Sandbox:
    """Build a sandbox and start serving it in a background thread; call ``.stop()`` when done."""
    return Sandbox(make_config(profile, port=port, **options)).start()


@contextmanager
def run(profile: str = "fast", *, port: int = 0, **options: Any) -> Iterator[Sandbox]:
    """``with run(...) as sb:`` a started sandbox, stopped (port freed) when the block ends."""
    sandbox = start(profile, port=port, **options)
    try:
        yield sandbox
    finally:
        sandbox.stop()
