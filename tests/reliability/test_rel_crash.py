"""Crash safety of the token cache: a process SIGKILLed while it rewrites the cache leaves it
readable, holding the old record or the new one, never half of one.

Each round forks a writer that rewrites one cache entry (and the ``current.json`` pointer) in a
tight loop — 200 kB records, so a good share of every write is spent mid-file — and kills it with
SIGKILL at a random moment. The file must then parse, its digest must match, and it must be the
last record the writer finished or the one it was writing.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import signal
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from reltools import Figures

from hubspot_nb.auth.cache import TokenCache

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

ROUNDS = 20
CLIENT_ID = "crash-test-app"
HUB_ID = 4242
PAD = 200_000


def _record(seq: int) -> dict[str, Any]:
    pad = (f"{seq:08d}" * (PAD // 8 + 1))[:PAD]
    return {
        "client_id": CLIENT_ID,
        "hub_id": HUB_ID,
        "access_token": f"crash-at-{seq}",
        "refresh_token": f"crash-rt-{seq}",
        "seq": seq,
        "pad": pad,
        "digest": hashlib.sha256(f"{seq}:{pad}".encode()).hexdigest(),
    }


def _writer(directory: str, done: Any) -> None:
    """Rewrite the entry forever; ``done`` is the last sequence number fully written."""
    store = TokenCache(directory)
    seq = done.value
    while True:
        seq += 1
        store.save(_record(seq))
        done.value = seq


def _naive_writer(directory: str, done: Any) -> None:
    """The control: rewrite the file in place (no temp file, no rename), as a careless cache would."""
    path = TokenCache(directory).path(CLIENT_ID, HUB_ID)
    seq = done.value
    while True:
        seq += 1
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(_record(seq), fh)
        done.value = seq


def _kill_rounds(directory: Path, writer: Any, rounds: int, seed: int) -> tuple[dict[str, int], int]:
    """Fork ``writer``, SIGKILL it at a random moment, check the file; ``rounds`` times."""
    ctx = multiprocessing.get_context("fork")  # starts in milliseconds: rounds stay cheap
    store = TokenCache(directory)
    store.save(_record(0))
    done = ctx.Value("q", 0, lock=False)
    rng = random.Random(seed)
    outcome = {"old": 0, "new": 0, "half": 0}
    for _ in range(rounds):
        first = done.value
        proc = ctx.Process(target=writer, args=(str(directory), done), daemon=True)
        proc.start()
        deadline = time.monotonic() + 10
        while done.value == first and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.03))  # a random moment in the write loop
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(timeout=10)
        assert proc.exitcode == -signal.SIGKILL
        try:
            outcome[_check(store.path(CLIENT_ID, HUB_ID), done.value)] += 1
        except (ValueError, KeyError, AssertionError):
            outcome["half"] += 1
            store.save(_record(done.value))  # start the next round from a whole file
    return outcome, done.value


def _check(path: Path, done: int) -> str:
    """'old' or 'new' for a whole record; raises AssertionError for anything else."""
    data = json.loads(path.read_text(encoding="utf-8"))  # a half-written file fails here
    assert data["digest"] == hashlib.sha256(f"{data['seq']}:{data['pad']}".encode()).hexdigest()
    assert data["seq"] in (done, done + 1), (data["seq"], done)
    return "old" if data["seq"] == done else "new"


def test_sigkill_mid_write_leaves_old_or_new_never_half(tmp_path: Path, figures: Figures) -> None:
    directory = tmp_path / "cache"
    outcome, writes = _kill_rounds(directory, _writer, ROUNDS, seed=20)
    assert outcome["half"] == 0, outcome
    assert outcome["old"] + outcome["new"] == ROUNDS
    store = TokenCache(directory)
    # The cache's own reader agrees, and the pointer to the current login is intact too.
    assert store.load(CLIENT_ID, HUB_ID) is not None
    assert store.current() == (CLIENT_ID, HUB_ID)
    # A kill between mkstemp and rename leaves a temp file: private like the entry itself.
    leftovers = list(directory.rglob("*.tmp"))
    for path in leftovers:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(store.path(CLIENT_ID, HUB_ID).stat().st_mode) == 0o600
    figures.set("crash", "kills", ROUNDS)
    figures.set("crash", "readable", outcome["old"] + outcome["new"])
    figures.set("crash", "old", outcome["old"])
    figures.set("crash", "new", outcome["new"])
    figures.set("crash", "half", outcome["half"])
    figures.set("crash", "writes_before_kill", writes)
    figures.set("crash", "leftover_temp_files_0600", len(leftovers))


def test_the_check_catches_a_careless_writer(tmp_path: Path, figures: Figures) -> None:
    """Control: the same kills against an in-place writer do leave half-written files."""
    outcome, _ = _kill_rounds(tmp_path / "cache", _naive_writer, 10, seed=21)
    assert outcome["half"] >= 1, outcome
    figures.set("crash", "control_half_files", outcome["half"])
