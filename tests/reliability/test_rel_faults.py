"""Long pulls under 15 % mixed faults and 20-second tokens give frames identical to fault-free pulls.

One sandbox: 10,500 contacts (so a plain pull and a ``since=`` search both pass HubSpot's
10,000-result search cap), 300 marketing e-mails, thousands of e-mail events and form submissions,
and tokens that live 20 s. The five pulls run at once on one hub (one token) without faults, then
again with ``fault_rate=0.15`` over every fault kind (429 of both policies, 502 with an HTML page,
503, dropped connections, truncated JSON) while another thread forces every access token to expire
a few times mid-pull, and each frame is compared with ``pd.testing.assert_frame_equal``. The faults
survived come from the sandbox's own counters (``/_sandbox/stats``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
import pytest
from helpers import configure, stats
from reltools import Figures, Ledger, expire_tokens

from hubspot_nb import Hub, Token
from hubspot_nb.sandbox import Sandbox, start
from hubspot_nb.sandbox.config import FAULT_KINDS

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

FAULT_RATE = 0.15
TOKEN_LIFETIME_S = 20
# The pulls take seconds, not 20: force expiries too (later the tokens' own clock expires them). They
# come after so many of the pulls' requests, not after so many seconds, so a fast machine meets all
# of them too (the faulty pulls make about 330 requests).
FORCED_EXPIRIES_AFTER = (5, 60, 130, 220)
PORTAL = {
    "profile": "fast",
    "seed": 11,
    "contacts": 10_500,
    "companies": 60,
    "deals": 60,
    "tickets": 10,
    "custom_properties": 20,
    "emails": 300,
    "token_lifetime_s": TOKEN_LIFETIME_S,
}


class Portal:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.clean = self.hub()
        self.faulty = self.hub()
        emails = self.clean.marketing_emails(stats=False)
        published = emails["publishedAt"].dropna().sort_values()
        self.t0 = published.iloc[len(published) // 2].floor("D")  # a busy stretch of sending
        self.t1 = self.t0 + pd.Timedelta(days=7)

    def hub(self) -> Hub:
        token = Token.from_response(
            self.sb.oauth_token(),
            client_id=self.sb.client_id,
            client_secret=self.sb.client_secret,
            api_base=self.sb.base_url,
        )
        hub = Hub(token, api_base=self.sb.base_url)
        hub.progress = False
        # Built now, while the module's limiter settings are in the environment: the suite's
        # autouse fixture clears HUBSPOT_* variables before each test.
        assert hub.client.burst_limiter.max_calls >= 1000
        return hub


@pytest.fixture(scope="module")
def portal(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[Portal]:
    # The fast sandbox has no rate limits and sends no rate-limit headers: let the client's own
    # limiters allow more than HubSpot's defaults (100 per 10 s, search 5/s) so the suite stays
    # quick. Pacing is tested elsewhere; here the 429s come from the fault injector.
    monkeypatch_module.setenv("HUBSPOT_NB_BURST", "2000")
    monkeypatch_module.setenv("HUBSPOT_NB_SEARCH_RPS", "50")
    sb = start(**PORTAL)
    try:
        yield Portal(sb)
    finally:
        sb.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


PULLS: dict[str, Callable[[Portal, Hub], pd.DataFrame]] = {
    "contacts (list + search, 10,500 rows)": lambda p, hub: hub.contacts(),
    "contacts since= (search past 10,000)": lambda p, hub: hub.contacts(since="2000-01-01"),
    "marketing emails (all passes)": lambda p, hub: hub.marketing_emails(archived=True),
    "email events (7 busy days)": lambda p, hub: hub.email_events(p.t0, p.t1),
    "form submissions (all forms)": lambda p, hub: hub.form_submissions(),
}


class Expirer(threading.Thread):
    """Forces every access token to expire a few times early in the pulls, each time once the pulls
    have made ``after[i]`` more requests (later, the tokens' own 20-second clock takes over)."""

    def __init__(self, sb: Sandbox, after: tuple[int, ...] = FORCED_EXPIRIES_AFTER) -> None:
        super().__init__(daemon=True, name="rel-expirer")
        self.sb = sb
        self.after = after
        self.stop = threading.Event()
        self.count = 0

    def run(self) -> None:
        first = stats(self.sb)["requests_total"]
        for requests_made in self.after:
            while stats(self.sb)["requests_total"] - first < requests_made:
                if self.stop.wait(0.02):
                    return
            expire_tokens(self.sb)
            self.count += 1


def pull_all(portal: Portal, hub: Hub) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """Every pull at once on one hub (one token), as a notebook with several threads would."""

    def timed(name: str) -> tuple[pd.DataFrame, float]:
        started = time.monotonic()
        frame = PULLS[name](portal, hub)
        return frame, time.monotonic() - started

    with ThreadPoolExecutor(len(PULLS), thread_name_prefix="rel-pull") as pool:
        futures = {name: pool.submit(timed, name) for name in PULLS}
        done = {name: future.result() for name, future in futures.items()}
    return {n: d[0] for n, d in done.items()}, {n: d[1] for n, d in done.items()}


def _delta(after: dict[str, Any], before: dict[str, Any], group: str) -> dict[str, int]:
    old = before.get(group) or {}
    out = {k: n - old.get(k, 0) for k, n in (after.get(group) or {}).items()}
    return {k: n for k, n in out.items() if n}


def test_long_pulls_under_faults_and_expiring_tokens_equal_the_fault_free_pulls(
    portal: Portal, figures: Figures, ledger: Ledger
) -> None:
    sb = ledger.watch(portal.sb)
    configure(sb, fault_rate=0.0)
    clean, _ = pull_all(portal, portal.clean)

    configure(sb, fault_rate=FAULT_RATE, fault_kinds=list(FAULT_KINDS))
    before = stats(sb)
    expirer = Expirer(sb)
    started = time.monotonic()
    expirer.start()
    try:
        faulty, seconds = pull_all(portal, portal.faulty)
    finally:
        expirer.stop.set()
        expirer.join()
        elapsed = time.monotonic() - started
        configure(sb, fault_rate=0.0)
    after = stats(sb)

    for name, frame in clean.items():
        assert len(frame) > 0, name
        pd.testing.assert_frame_equal(faulty[name], frame, obj=name)

    kinds = _delta(after, before, "faults")
    refreshes = after["refreshes"] - before["refreshes"]
    expired_401 = _delta(after, before, "responses").get("401", 0)
    # Every kind of fault was met (and survived: the frames above are identical) ...
    assert set(FAULT_KINDS) <= set(kinds), kinds
    # ... and every forced expiry was met mid-pull and refreshed through (one token, many threads).
    assert expirer.count == len(FORCED_EXPIRIES_AFTER)
    assert refreshes >= expirer.count and expired_401 >= 1, (refreshes, expired_401)

    assert len(clean["contacts (list + search, 10,500 rows)"]) >= 10_000
    assert len(clean["contacts since= (search past 10,000)"]) > 10_000
    figures.set(
        "faults",
        "run",
        {
            "fault_rate": FAULT_RATE,
            "token_lifetime_s": TOKEN_LIFETIME_S,
            "faults": sum(kinds.values()),
            "kinds": kinds,
            "requests": after["requests_total"] - before["requests_total"],
            "forced_expiries": expirer.count,
            "refreshes": refreshes,
            "expired_401s": expired_401,
            "seconds": round(elapsed, 1),
            "pulls": {n: {"rows": len(f), "seconds": round(seconds[n], 1)} for n, f in faulty.items()},
        },
    )
