"""Refresh under load: 2 processes x 16 threads pulling on one cached token, every access token
forced to expire several times mid-pull, refresh tokens rotating on every refresh.

Proves, from the sandbox's own counters: exactly one refresh per expiry (the other 31 threads and
the other process adopt the new token instead of spending the refresh token again), no failed
call, and a cache that is valid afterwards: it loads, its refresh token is the live one, it
refreshes again and the new token works.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers import login, stats
from reltools import Figures, Ledger, expire_tokens

import hubspot_nb as hnb
from hubspot_nb.auth.cache import TokenCache

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

PROCESSES = 2
THREADS = 16
EXPIRIES = 3

# One worker process: 16 threads paging through contacts on the cached login until told to stop.
WORKER = r"""
import json, logging, sys, threading
from pathlib import Path

cache_dir, api_base, out, ready, stop, log_file, threads = sys.argv[1:8]
logging.basicConfig(level=logging.DEBUG, filename=log_file, format="%(levelname)s %(name)s %(message)s")
import hubspot_nb as hnb


hub = hnb.connect(cache_dir=cache_dir, api_base=api_base)
client = hub.client
lock = threading.Lock()
calls = []
failures = []

def work():
    while not Path(stop).exists():
        try:
            for _page in client.pages("/crm/v3/objects/contacts", {"limit": 20}):
                with lock:
                    calls.append(1)
                    if len(calls) == 3 * int(threads):
                        Path(ready).touch()
                if Path(stop).exists():
                    break
        except Exception as exc:  # any failure at all is a finding
            with lock:
                failures.append(type(exc).__name__ + ": " + str(exc))

workers = [threading.Thread(target=work) for _ in range(int(threads))]
for w in workers:
    w.start()
for w in workers:
    w.join()
with open(out, "w") as fh:
    json.dump({"calls": len(calls), "failures": failures, "refreshes": hub.token.refresh_count}, fh)
"""


def _wait_for(paths: list[Path], procs: list[subprocess.Popen[str]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not all(p.exists() for p in paths):
        for proc in procs:
            if proc.poll() is not None:
                raise AssertionError(f"a worker ended early: {proc.communicate()[1][-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError("the workers did not start pulling in time")
        time.sleep(0.05)


def test_one_refresh_per_expiry_across_threads_and_processes(
    rel_sandbox: Any, tmp_path: Path, figures: Figures, ledger: Ledger
) -> None:
    sb = rel_sandbox(rotate_refresh_tokens=True, contacts=400)
    cache_dir = tmp_path / "cache"
    store = TokenCache(cache_dir)
    hub = login(sb, store)
    hub_id = hub.token.hub_id
    assert store.load(sb.client_id, hub_id) is not None

    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    env.update(HUBSPOT_NB_CACHE_DIR=str(cache_dir), HUBSPOT_NB_BURST="5000")  # fast sandbox: no limits
    procs, readies, outs, logs = [], [], [], []
    for n in range(PROCESSES):
        out, ready, log = (tmp_path / f"w{n}.json", tmp_path / f"w{n}.ready", tmp_path / f"w{n}.log")
        stop = tmp_path / "stop"
        args = [str(cache_dir), sb.base_url, str(out), str(ready), str(stop), str(log), str(THREADS)]
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER, *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        readies.append(ready)
        outs.append(out)
        logs.append(log)
    try:
        _wait_for(readies, procs, timeout=60)
        before = stats(sb)
        for _ in range(EXPIRIES):
            assert expire_tokens(sb) >= 1
            time.sleep(1.0)  # every thread of both processes meets the expiry mid-pull
        after = stats(sb)
    finally:
        (tmp_path / "stop").touch()
        outputs = [proc.communicate(timeout=60) for proc in procs]
    for n, (stdout, stderr) in enumerate(outputs):
        ledger.text(f"worker {n} stdout/stderr", stdout + stderr)
        ledger.text(f"worker {n} log at DEBUG", logs[n].read_text() if logs[n].exists() else "")
        assert procs[n].returncode == 0, stderr[-2000:]
    results = [json.loads(out.read_text()) for out in outs]

    refreshes = after["refreshes"] - before["refreshes"]
    expired_401 = after["responses"].get("401", 0) - before["responses"].get("401", 0)
    calls = sum(r["calls"] for r in results)
    failures = [f for r in results for f in r["failures"]]
    assert failures == [], failures[:5]
    assert refreshes == EXPIRIES, f"{refreshes} refreshes for {EXPIRIES} expiries"
    assert sum(r["refreshes"] for r in results) == EXPIRIES  # each by exactly one process
    assert expired_401 >= EXPIRIES  # the expiries really hit calls in flight
    assert all(r["calls"] > 3 * THREADS for r in results)

    # The cache afterwards: loads, holds the live (rotated) refresh token, refreshes, works.
    record = store.load(sb.client_id, hub_id)
    assert record is not None
    assert sb.auth.grant(record["refresh_token"]) is not None, "the cached refresh token is not the live one"
    token = hnb.Token.from_record(record, store)
    token.refresh()
    assert stats(sb)["refreshes"] == after["refreshes"] + 1
    resp = requests.get(
        f"{sb.base_url}/crm/v3/objects/contacts",
        headers={"Authorization": f"Bearer {token.bearer()}"},
        params={"limit": 1},
        timeout=10,
    )
    assert resp.status_code == 200
    again = store.load(sb.client_id, hub_id)
    assert again is not None and again["refresh_token"] != record["refresh_token"]  # rotated and saved
    assert sb.auth.grant(again["refresh_token"]) is not None
    assert sb.auth.grant(record["refresh_token"]) is None  # the old one is dead: rotation really on

    figures.set("refresh", "processes", PROCESSES)
    figures.set("refresh", "threads", THREADS)
    figures.set("refresh", "expiries", EXPIRIES)
    figures.set("refresh", "refreshes", refreshes)
    figures.set("refresh", "calls", calls)
    figures.set("refresh", "failed_calls", len(failures))
    figures.set("refresh", "expired_401s", expired_401)
    figures.set("refresh", "cache_after", "loads, live rotated refresh token, refreshes, works")
