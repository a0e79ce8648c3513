"""Fixtures of the reliability suite, and the summary of its figures at the end of the run.

* ``figures`` (session): where tests record the numbers they prove; printed by
  ``pytest_terminal_summary`` and written to ``.pytest_tmp/reliability-summary.json``.
* ``ledger`` (autouse): captures every log record at DEBUG during the test, collects the secrets
  the test's sandboxes issued and the texts it exposed, and after the test fails it if any secret
  appears anywhere (each scan and each leak is counted in the figures).
* ``rel_sandbox``: a factory for private sandboxes whose secrets the ledger watches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from reltools import Figures, Ledger

from hubspot_nb.sandbox import Sandbox, start

FIGURES_KEY = pytest.StashKey[Figures]()
SMALL = {"profile": "fast", "seed": 7, "contacts": 300, "companies": 40, "deals": 60, "tickets": 10}


def _figures(config: pytest.Config) -> Figures:
    if FIGURES_KEY not in config.stash:
        config.stash[FIGURES_KEY] = Figures()
    return config.stash[FIGURES_KEY]


@pytest.fixture(scope="session")
def figures(pytestconfig: pytest.Config) -> Figures:
    return _figures(pytestconfig)


@pytest.fixture(autouse=True)
def ledger(figures: Figures) -> Iterator[Ledger]:
    book = Ledger()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(book.handler)
    root.setLevel(logging.DEBUG)
    try:
        yield book
    finally:
        root.removeHandler(book.handler)
        root.setLevel(old_level)
    leaks, chars, known = book.scan()
    figures.add("secrets", "scans")
    figures.add("secrets", "chars", chars)
    figures.secret_digests |= known
    figures.set("secrets", "known", len(figures.secret_digests))
    figures.add("secrets", "leaks", len(leaks))
    assert not leaks, "secrets leaked:\n" + "\n".join(leaks[:20])


@pytest.fixture
def rel_sandbox(ledger: Ledger) -> Iterator[Callable[..., Sandbox]]:
    """``rel_sandbox(token_lifetime_s=20, contacts=50)``: a private sandbox, stopped after the test."""
    started: list[Sandbox] = []

    def make(**options: Any) -> Sandbox:
        sb = ledger.watch(start(**{**SMALL, **options}))
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    figures = config.stash.get(FIGURES_KEY, None)
    if figures is None or not figures.data:
        return
    terminalreporter.write_sep("=", "hubspot_nb reliability figures")
    for line in figures.lines():
        terminalreporter.write_line(line)
    target = Path(config.rootpath) / ".pytest_tmp" / "reliability-summary.json"
    try:
        figures.write_json(target)
        terminalreporter.write_line(f"(also written to {target})")
    except OSError as exc:
        terminalreporter.write_line(f"(could not write {target}: {exc})")
