"""Shared fixtures: a sandbox per session, fresh sandboxes for tests that turn knobs, and an
isolated environment so no test reads or writes the real user's HubSpot settings or token cache."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import SANDBOX_OPTIONS

from hubspot_nb.sandbox import Sandbox, start


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("HUBSPOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HUBSPOT_NB_CACHE_DIR", str(tmp_path_factory.mktemp("hubspot_nb_cache")))


@pytest.fixture(params=["fast", "plain"])
def fast_paths(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test runs twice: with the Arrow fast paths (``frames._fast``) on, and with
    ``HUBSPOT_NB_FAST=0``, where the plain numpy/pandas paths must give equal frames."""
    monkeypatch.setenv("HUBSPOT_NB_FAST", "1" if request.param == "fast" else "0")
    return str(request.param)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One running sandbox for the session. Do not change its knobs: use ``fresh_sandbox``."""
    sb = start(**SANDBOX_OPTIONS)
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture(scope="session")
def sandbox_token(sandbox: Sandbox) -> dict[str, Any]:
    """A token response from the session sandbox holding every scope its routes accept."""
    return sandbox.oauth_token()


@pytest.fixture
def fresh_sandbox() -> Iterator[Callable[..., Sandbox]]:
    """A factory: ``fresh_sandbox(burst=5, contacts=50)`` starts a private sandbox, stopped after the test."""
    started: list[Sandbox] = []

    def make(**options: Any) -> Sandbox:
        sb = start(**{**SANDBOX_OPTIONS, **options})
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()
