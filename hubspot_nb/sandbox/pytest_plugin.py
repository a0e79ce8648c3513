"""A pytest fixture for people testing their own HubSpot code against the sandbox.

Installed with hubspot_nb (entry point ``pytest11: hubspot_nb_sandbox``)::

    def test_my_report(hubspot_sandbox):
        token = hubspot_sandbox.oauth_token()["access_token"]
        requests.get(hubspot_sandbox.base_url + "/crm/v3/objects/contacts",
                     headers={"Authorization": f"Bearer {token}"})

One sandbox per test session: fast profile (no latency, no limits) and a modest portal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

SESSION_OPTIONS: dict[str, Any] = {
    "profile": "fast",
    "seed": 7,
    "contacts": 300,
    "companies": 60,
    "deals": 120,
    "tickets": 40,
}


@pytest.fixture(scope="session")
def hubspot_sandbox() -> Iterator[Any]:
    """A running sandbox (``hubspot_nb.sandbox.Sandbox``) shared by the whole session."""
    # Imported here so that merely having hubspot_nb installed costs pytest nothing.
    from hubspot_nb.sandbox import run

    with run(port=0, **SESSION_OPTIONS) as sandbox:
        yield sandbox
