"""Small helpers the sandbox route tests share."""

from __future__ import annotations

from typing import Any

import requests

from hubspot_nb.sandbox import Sandbox


def get_as(sb: Sandbox, token: str, path: str, **params: Any) -> requests.Response:
    """GET ``path`` on the sandbox with ``token`` as the bearer (tests of scopes pass their own)."""
    return requests.get(
        sb.base_url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
