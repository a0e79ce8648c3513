"""Fixtures the sandbox route tests share: the session sandbox's access token, and an HTTP session
that sends it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from .tools import bearer_session


@pytest.fixture(scope="module")
def token(sandbox_token: dict[str, Any]) -> str:
    """An access token of the session sandbox holding every scope its routes accept."""
    return sandbox_token["access_token"]


@pytest.fixture(scope="module")
def api(token: str) -> Iterator[requests.Session]:
    """A requests session that sends ``token`` as its bearer."""
    session = bearer_session(token)
    yield session
    session.close()
