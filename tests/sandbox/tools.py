"""Small helpers the sandbox route tests share."""

from __future__ import annotations

from typing import Any

import requests

from hubspot_nb.sandbox import Sandbox


def bearer_session(token: str) -> requests.Session:
    """A requests session that sends ``token`` as its bearer."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def get_as(sb: Sandbox, token: str, path: str, **params: Any) -> requests.Response:
    """GET ``path`` on the sandbox with ``token`` as the bearer (tests of scopes pass their own)."""
    return requests.get(
        sb.base_url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def walk(sb: Sandbox, token: str, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every result of a cursor-paged list (``paging.next.after``), each page asserted to be a 200."""
    out: list[dict[str, Any]] = []
    after = None
    while True:
        reply = get_as(sb, token, path, after=after, **params)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        out.extend(body["results"])
        after = body.get("paging", {}).get("next", {}).get("after")
        if after is None:
            return out
